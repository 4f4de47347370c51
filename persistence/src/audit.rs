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
/// The statement's text never changes, so it is prepared once per connection ([`UnnestedBatch`]).
fn append_unnested(conn: &mut diesel::PgConnection, rows: &[AuditRow]) -> QueryResult<()> {
    fn column<T>(rows: &[AuditRow], value: impl Fn(&AuditRow) -> T) -> Vec<T> {
        rows.iter().map(value).collect()
    }
    UnnestedBatch {
        id: column(rows, |r| r.id.to_string()),
        at: column(rows, |r| r.at),
        user_id: column(rows, |r| r.user_id.clone()),
        role: column(rows, |r| r.role.clone()),
        organisation_id: column(rows, |r| r.organisation_id.to_string()),
        action: column(rows, |r| r.action.clone()),
        resource_type: column(rows, |r| r.resource_type.clone()),
        resource_id: column(rows, |r| r.resource_id.clone()),
        citizen_id: column(rows, |r| r.citizen_id.map(|c| c.to_string())),
        request_id: column(rows, |r| r.request_id.clone()),
        detail: column(rows, |r| r.detail.clone()),
    }
    .execute(conn)
    .map(drop)
}

/// `INSERT … SELECT FROM unnest(…)` of a batch, one array a column. A query of its own rather
/// than `sql_query`, because diesel never caches a `sql_query`'s statement: this one has a
/// static query id, so each connection prepares it once and then only binds and executes.
#[derive(diesel::query_builder::QueryId)]
struct UnnestedBatch {
    id: Vec<String>,
    at: Vec<NaiveDateTime>,
    user_id: Vec<String>,
    role: Vec<String>,
    organisation_id: Vec<String>,
    action: Vec<String>,
    resource_type: Vec<String>,
    resource_id: Vec<Option<String>>,
    citizen_id: Vec<Option<String>>,
    request_id: Vec<String>,
    detail: Vec<Option<String>>,
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for UnnestedBatch {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, Nullable, Text, Timestamp};
        out.push_sql(
            "INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, \
             resource_type, resource_id, citizen_id, request_id, detail) \
             SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.id)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.at)?;
        out.push_sql("::timestamp[]");
        let texts = [
            &self.user_id,
            &self.role,
            &self.organisation_id,
            &self.action,
            &self.resource_type,
        ];
        for column in texts {
            out.push_sql(", ");
            out.push_bind_param::<Array<Text>, _>(column)?;
            out.push_sql("::text[]");
        }
        for column in [&self.resource_id, &self.citizen_id] {
            out.push_sql(", ");
            out.push_bind_param::<Array<Nullable<Text>>, _>(column)?;
            out.push_sql("::text[]");
        }
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.request_id)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.detail)?;
        out.push_sql("::text[])");
        Ok(())
    }
}

impl RunQueryDsl<diesel::PgConnection> for UnnestedBatch {}

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
