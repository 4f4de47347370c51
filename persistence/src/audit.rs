//! The audit log: appended in the transaction of the read or write it records; never changed.

use crate::DbConnection;
use crate::ids::{AuditEventId, CitizenId, OrganisationId};
use crate::schema::audit_events;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: AuditEventId,
    pub at: NaiveDateTime,
    /// A user's id, or `system` for the system's own jobs.
    pub user_id: String,
    /// A role, or `system`.
    pub role: String,
    pub organisation_id: OrganisationId,
    pub action: String,
    pub resource_type: String,
    /// The id of a resource of `resource_type` (any table).
    pub resource_id: Option<String>,
    pub citizen_id: Option<CitizenId>,
    pub request_id: String,
    /// What the event records beyond its resource (an export: dataset, filters, rows).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub citizen_id: Option<CitizenId>,
    pub user_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub after: Option<String>,
    pub limit: i64,
}

pub fn append(conn: &mut DbConnection, rows: &[AuditRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // One statement for the whole batch; MultiConnection has no batch insert, so per backend.
    match conn {
        DbConnection::Postgresql(c) => append_unnested(c, rows),
        DbConnection::Sqlite(c) => diesel::insert_into(audit_events::table)
            .values(rows)
            .execute(c)
            .map(drop),
    }
}

/// On PostgreSQL the batch goes as one array a column, `unnest`ed into rows: eleven parameters
/// whatever the batch's size. A multi-row `VALUES` of a group-committed batch (hundreds of rows
/// when list pages are read at once) has eleven parameters a row, which PostgreSQL parses and
/// plans anew for each batch: the time most of the list benchmark's database work went to.
fn append_unnested(conn: &mut diesel::PgConnection, rows: &[AuditRow]) -> QueryResult<()> {
    use diesel::sql_types::{Array, Nullable, Text, Timestamp};
    fn column<T>(rows: &[AuditRow], value: impl Fn(&AuditRow) -> T) -> Vec<T> {
        rows.iter().map(value).collect()
    }
    diesel::sql_query(
        "INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, \
         resource_type, resource_id, citizen_id, request_id, detail) \
         SELECT * FROM unnest($1::text[], $2::timestamp[], $3::text[], $4::text[], $5::text[], \
         $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])",
    )
    .bind::<Array<Text>, _>(column(rows, |r| r.id.to_string()))
    .bind::<Array<Timestamp>, _>(column(rows, |r| r.at))
    .bind::<Array<Text>, _>(column(rows, |r| r.user_id.clone()))
    .bind::<Array<Text>, _>(column(rows, |r| r.role.clone()))
    .bind::<Array<Text>, _>(column(rows, |r| r.organisation_id.to_string()))
    .bind::<Array<Text>, _>(column(rows, |r| r.action.clone()))
    .bind::<Array<Text>, _>(column(rows, |r| r.resource_type.clone()))
    .bind::<Array<Nullable<Text>>, _>(column(rows, |r| r.resource_id.clone()))
    .bind::<Array<Nullable<Text>>, _>(column(rows, |r| r.citizen_id.map(|c| c.to_string())))
    .bind::<Array<Text>, _>(column(rows, |r| r.request_id.clone()))
    .bind::<Array<Nullable<Text>>, _>(column(rows, |r| r.detail.clone()))
    .execute(conn)
    .map(drop)
}

pub fn list(conn: &mut DbConnection, filter: &AuditFilter) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_events::table
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(citizen) = &filter.citizen_id {
        query = query.filter(audit_events::citizen_id.eq(*citizen));
    }
    if let Some(user) = &filter.user_id {
        query = query.filter(audit_events::user_id.eq(user.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::at.lt(to));
    }
    if let Some(after) = &filter.after {
        query = query.filter(audit_events::id.gt(after.clone()));
    }
    query
        .order(audit_events::id.asc())
        .limit(filter.limit)
        .load(conn)
}

/// Every event about one citizen, oldest first (for the citizen's data export).
pub fn of_citizen(conn: &mut DbConnection, citizen_id: CitizenId) -> QueryResult<Vec<AuditRow>> {
    audit_events::table
        .filter(audit_events::citizen_id.eq(citizen_id))
        .order(audit_events::id.asc())
        .select(AuditRow::as_select())
        .load(conn)
}
