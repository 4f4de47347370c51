//! Sign-in sessions, refresh tokens (stored hashed), failed sign-ins and the signing key.

use crate::DbConnection;
use crate::ids::{LoginFailureId, SessionId, UserId};
use crate::schema::{auth_sessions, login_failures, refresh_tokens, settings, users};
use crate::user::UserRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_sessions)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub session_id: SessionId,
    pub created_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_session(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(auth_sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn insert_refresh_token(conn: &mut DbConnection, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The user behind an access token, with its session's expiry, if the session is still open
/// and the user active. One query, run when the session is not in the process's cache.
pub fn active_user_of_session(
    conn: &mut DbConnection,
    user_id: UserId,
    session_id: SessionId,
    now: NaiveDateTime,
) -> QueryResult<Option<(UserRow, NaiveDateTime)>> {
    users::table
        .inner_join(auth_sessions::table)
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .filter(auth_sessions::id.eq(session_id))
        .filter(auth_sessions::revoked_at.is_null())
        .filter(auth_sessions::expires_at.gt(now))
        .select((UserRow::as_select(), auth_sessions::expires_at))
        .first(conn)
        .optional()
}

/// A refresh token with its session.
pub fn find_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(RefreshTokenRow, SessionRow)>> {
    refresh_tokens::table
        .inner_join(auth_sessions::table)
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((RefreshTokenRow::as_select(), SessionRow::as_select()))
        .first(conn)
        .optional()
}

/// Marks a refresh token used; `false` if it already was (a concurrent or repeated use).
pub fn use_refresh_token(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke_session(
    conn: &mut DbConnection,
    session_id: SessionId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        auth_sessions::table
            .filter(auth_sessions::id.eq(session_id))
            .filter(auth_sessions::revoked_at.is_null()),
    )
    .set(auth_sessions::revoked_at.eq(now))
    .execute(conn)
    .map(drop)
}

pub fn record_login_failure(
    conn: &mut DbConnection,
    id: LoginFailureId,
    username: &str,
    address: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(id),
            login_failures::username.eq(username),
            login_failures::address.eq(address),
            login_failures::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// The instants of the most recent failures since `since` for this username or this address,
/// newest first (at most `limit` of each).
pub fn recent_login_failures(
    conn: &mut DbConnection,
    username: &str,
    address: &str,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<(Vec<NaiveDateTime>, Vec<NaiveDateTime>)> {
    let by_user = login_failures::table
        .filter(login_failures::username.eq(username))
        .filter(login_failures::at.ge(since))
        .order(login_failures::at.desc())
        .limit(limit)
        .select(login_failures::at)
        .load(conn)?;
    let by_address = login_failures::table
        .filter(login_failures::address.eq(address))
        .filter(login_failures::at.ge(since))
        .order(login_failures::at.desc())
        .limit(limit)
        .select(login_failures::at)
        .load(conn)?;
    Ok((by_user, by_address))
}

pub fn prune_login_failures(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::at.lt(before))).execute(conn)
}

pub fn setting(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()
}

/// Stores `value` under `key` unless one is there; returns the value that is kept, so that
/// replicas starting together agree on one.
pub fn setting_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<String> {
    if let Some(existing) = setting(conn, key)? {
        return Ok(existing);
    }
    let inserted = diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(value.to_owned()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => setting(conn, key)?.ok_or(diesel::result::Error::NotFound),
        Err(e) => Err(e),
    }
}

/// The PostgreSQL channel on which every replica hears that sessions must be forgotten.
pub const INVALIDATION_CHANNEL: &str = "brobygger_auth";

/// What cached sessions must be forgotten: one session, or every session of one user (its role,
/// organisation, scopes, password or `active` changed), or, for a message no replica
/// understands, all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidation {
    Session(SessionId),
    User(UserId),
    All,
}

impl Invalidation {
    pub fn payload(&self) -> String {
        match self {
            Self::Session(id) => format!("session:{id}"),
            Self::User(id) => format!("user:{id}"),
            Self::All => "all".to_owned(),
        }
    }

    /// The invalidation a payload names; anything else forgets everything (never too little).
    pub fn parse(payload: &str) -> Self {
        let parsed = match payload.split_once(':') {
            Some(("session", id)) => id.parse().ok().map(Self::Session),
            Some(("user", id)) => id.parse().ok().map(Self::User),
            _ => None,
        };
        parsed.unwrap_or(Self::All)
    }
}

/// Tells every replica, when the current transaction commits, to forget the sessions `what`
/// names (PostgreSQL `NOTIFY`: delivered at commit, never if it rolls back). SQLite serves one
/// process, which forgets them itself: nothing to send.
pub fn announce(conn: &mut DbConnection, what: Invalidation) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(INVALIDATION_CHANNEL)
            .bind::<Text, _>(what.payload())
            .execute(pg)?;
    }
    Ok(())
}

/// A connection of its own that listens on [`INVALIDATION_CHANNEL`] (PostgreSQL only).
pub struct InvalidationListener {
    conn: diesel::PgConnection,
}

impl InvalidationListener {
    /// Connects to `url` and starts listening.
    pub fn connect(url: &str) -> Result<Self, crate::DbError> {
        let mut conn = <diesel::PgConnection as Connection>::establish(url)?;
        diesel::sql_query(format!("LISTEN {INVALIDATION_CHANNEL}")).execute(&mut conn)?;
        Ok(Self { conn })
    }

    /// The invalidations received since the last call, without waiting and without a round
    /// trip (diesel's `notifications_iter` reads what the server has already sent). An error
    /// means the connection is lost.
    pub fn received(&mut self) -> QueryResult<Vec<Invalidation>> {
        let mut received = Vec::new();
        for notification in self.conn.notifications_iter() {
            let notification = notification?;
            received.push(Invalidation::parse(&notification.payload));
        }
        Ok(received)
    }

    /// One round trip, to notice a connection that died silently.
    pub fn heartbeat(&mut self) -> QueryResult<()> {
        diesel::sql_query("SELECT 1")
            .execute(&mut self.conn)
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidations_survive_their_payload() {
        let session = Invalidation::Session(SessionId::new());
        let user = Invalidation::User(UserId::new());
        assert_eq!(Invalidation::parse(&session.payload()), session);
        assert_eq!(Invalidation::parse(&user.payload()), user);
        assert_eq!(Invalidation::parse("all"), Invalidation::All);
        assert_eq!(Invalidation::parse("user:nonsense"), Invalidation::All);
        assert_eq!(Invalidation::parse(""), Invalidation::All);
    }
}
