//! `Idempotency-Key` records: the first response to a create, kept 24 hours.
//!
//! A record is written in the same transaction as the resource it answers for, so there is no
//! record of a request under way: a request that dies (a failed create, a killed process, a
//! lost connection) leaves nothing behind, and a retry simply runs again. While a request is
//! under way its key is held by a lock the database releases with the transaction
//! ([`lock`]), so a concurrent duplicate can be told it is in flight.

use crate::DbConnection;
use crate::ids::UserId;
use crate::schema::idempotency_keys;
use crate::text::EnumText;
use brobygger_domain::workflow::TextEnum;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub user_id: UserId,
    pub key: String,
    pub request_hash: String,
    #[diesel(serialize_as = EnumText)]
    pub state: KeyState,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub response_location: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Where a stored key stands. Only `Completed` is written now; older releases also wrote
/// `InFlight` records of requests under way, which [`find`] treats as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    InFlight,
    Completed,
}

impl TextEnum for KeyState {
    const ALL: &'static [Self] = &[Self::InFlight, Self::Completed];

    fn as_str(self) -> &'static str {
        match self {
            Self::InFlight => "in_flight",
            Self::Completed => "completed",
        }
    }
}

impl From<KeyState> for &'static str {
    fn from(value: KeyState) -> Self {
        value.as_str()
    }
}

diesel::define_sql_function! {
    /// PostgreSQL: a transaction-scoped advisory lock, if free.
    fn pg_try_advisory_xact_lock(key: BigInt) -> Bool;
}

diesel::define_sql_function! {
    /// PostgreSQL: a 64-bit hash of a text.
    fn hashtextextended(text: Text, seed: BigInt) -> BigInt;
}

/// Holds `key` of `user_id` until the transaction ends (commit, rollback, or the connection
/// dying with its process); `false` when another transaction holds it. On PostgreSQL an
/// advisory transaction lock; SQLite runs one write transaction at a time, so there it is
/// always free (the server also refuses duplicates under way in its own process).
pub fn lock(conn: &mut DbConnection, user_id: UserId, key: &str) -> QueryResult<bool> {
    match conn {
        DbConnection::Postgresql(c) => diesel::select(pg_try_advisory_xact_lock(hashtextextended(
            format!("idempotency {user_id} {key}"),
            0,
        )))
        .get_result(c),
        DbConnection::Sqlite(_) => Ok(true),
    }
}

/// The completed record of `key`, if one was written at or after `expired_before`.
pub fn find(
    conn: &mut DbConnection,
    user_id: UserId,
    key: &str,
    expired_before: NaiveDateTime,
) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .find((user_id, key))
        .filter(idempotency_keys::state.eq(KeyState::Completed.as_str()))
        .filter(idempotency_keys::created_at.ge(expired_before))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the record of a completed create, replacing an expired or abandoned one.
pub fn insert(conn: &mut DbConnection, row: &IdempotencyRow) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((row.user_id, &row.key))).execute(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}
