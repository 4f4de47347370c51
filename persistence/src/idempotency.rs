//! `Idempotency-Key` records: the first response to a create, kept 24 hours.

use crate::DbConnection;
use crate::ids::UserId;
use crate::schema::idempotency_keys;
use crate::text::EnumText;
use brobygger_domain::workflow::TextEnum;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

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

/// Where a claimed key stands: its request is running, or its first response is kept.
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

/// What claiming a key found.
#[derive(Debug)]
pub enum Claim {
    /// The key is new: the caller does the work and completes or releases it.
    Claimed,
    /// The key was used before (and is not expired): its record.
    Existing(IdempotencyRow),
}

/// Claims `key` for `user_id`. Records created before `expired_before`, and in-flight records
/// created before `abandoned_before` (their request died), are replaced.
pub fn claim(
    conn: &mut DbConnection,
    row: &IdempotencyRow,
    expired_before: NaiveDateTime,
    abandoned_before: NaiveDateTime,
) -> QueryResult<Claim> {
    for _ in 0..2 {
        // In a savepoint: on PostgreSQL a failed insert would otherwise abort the transaction.
        let inserted = conn.transaction(|c| {
            diesel::insert_into(idempotency_keys::table)
                .values(row.clone())
                .execute(c)
        });
        match inserted {
            Ok(_) => return Ok(Claim::Claimed),
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e),
        }
        let existing: Option<IdempotencyRow> = idempotency_keys::table
            .find((row.user_id, &row.key))
            .select(IdempotencyRow::as_select())
            .first(conn)
            .optional()?;
        match existing {
            Some(found)
                if found.created_at < expired_before
                    || (found.state == KeyState::InFlight
                        && found.created_at < abandoned_before) =>
            {
                release(conn, row.user_id, &row.key)?;
            }
            Some(found) => return Ok(Claim::Existing(found)),
            None => {}
        }
    }
    Err(Error::RollbackTransaction)
}

pub fn complete(
    conn: &mut DbConnection,
    user_id: UserId,
    key: &str,
    status: i32,
    body: &str,
    location: Option<&str>,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::state.eq(KeyState::Completed.as_str()),
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::response_location.eq(location),
        ))
        .execute(conn)
        .map(drop)
}

pub fn release(conn: &mut DbConnection, user_id: UserId, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((user_id, key)))
        .execute(conn)
        .map(drop)
}

pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}
