//! Consents: given, possibly expiring, withdrawn as a new fact — never deleted.

use crate::DbConnection;
use crate::ids::{CitizenId, ConsentId, UserId};
use crate::schema::consents;
use crate::text::EnumText;
use brobygger_domain::citizen::{ConsentMethod, ConsentPurpose};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = consents, treat_none_as_null = true)]
pub struct ConsentRow {
    pub id: ConsentId,
    pub citizen_id: CitizenId,
    #[diesel(serialize_as = EnumText)]
    pub purpose: ConsentPurpose,
    pub given_on: NaiveDate,
    #[diesel(serialize_as = EnumText)]
    pub method: ConsentMethod,
    pub expires_on: Option<NaiveDate>,
    pub recorded_by: UserId,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &ConsentRow) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    id: ConsentId,
) -> QueryResult<Option<ConsentRow>> {
    consents::table
        .filter(consents::citizen_id.eq(citizen_id))
        .filter(consents::id.eq(id))
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()
}

/// Every consent of a citizen, oldest first.
pub fn of_citizen(conn: &mut DbConnection, citizen_id: CitizenId) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::citizen_id.eq(citizen_id))
        .order(consents::id.asc())
        .select(ConsentRow::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    row: &ConsentRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        consents::table
            .filter(consents::id.eq(row.id))
            .filter(consents::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}
