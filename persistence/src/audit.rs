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
    let insert = diesel::insert_into(audit_events::table).values(rows);
    match conn {
        DbConnection::Postgresql(c) => insert.execute(c).map(drop),
        DbConnection::Sqlite(c) => insert.execute(c).map(drop),
    }
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
