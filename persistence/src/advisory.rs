//! Advisory processes and their findings (drivers and barriers).

use crate::ids::{AdvisoryProcessId, FindingId, OrganisationId, ProgrammeId, UserId};
use crate::schema::{advisory_findings, advisory_processes, programme_partners};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::advisory::{AdvisoryStatus, FindingKind, Theme};
use brobygger_domain::workflow::TextEnum;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = advisory_processes, treat_none_as_null = true)]
pub struct AdvisoryProcessRow {
    pub id: AdvisoryProcessId,
    pub programme_id: ProgrammeId,
    pub municipality_code: String,
    pub advising_organisation_id: OrganisationId,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    #[diesel(serialize_as = EnumText)]
    pub status: AdvisoryStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = advisory_findings)]
pub struct FindingRow {
    pub id: FindingId,
    pub advisory_process_id: AdvisoryProcessId,
    #[diesel(serialize_as = EnumText)]
    pub kind: FindingKind,
    #[diesel(serialize_as = EnumText)]
    pub theme: Theme,
    pub text: String,
    pub recorded_by: UserId,
    pub created_at: NaiveDateTime,
}

/// Filters of `GET /advisory-processes`, including the scope of the user asking.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryFilter {
    /// Only processes of programmes this organisation is a partner of (`None`: all).
    pub partner_organisation_id: Option<OrganisationId>,
    pub programme_id: Option<ProgrammeId>,
    pub municipality_code: Option<String>,
    pub status: Option<AdvisoryStatus>,
}

pub fn insert(conn: &mut DbConnection, row: &AdvisoryProcessRow) -> QueryResult<()> {
    diesel::insert_into(advisory_processes::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(
    conn: &mut DbConnection,
    id: AdvisoryProcessId,
) -> QueryResult<Option<AdvisoryProcessRow>> {
    advisory_processes::table
        .find(id)
        .select(AdvisoryProcessRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    filter: &AdvisoryFilter,
    page: &PageRequest,
) -> QueryResult<Vec<AdvisoryProcessRow>> {
    let mut query = advisory_processes::table
        .select(AdvisoryProcessRow::as_select())
        .into_boxed();
    if let Some(org) = &filter.partner_organisation_id {
        query = query.filter(
            advisory_processes::programme_id.eq_any(
                programme_partners::table
                    .filter(programme_partners::organisation_id.eq(*org))
                    .select(programme_partners::programme_id),
            ),
        );
    }
    if let Some(programme) = &filter.programme_id {
        query = query.filter(advisory_processes::programme_id.eq(*programme));
    }
    if let Some(code) = &filter.municipality_code {
        query = query.filter(advisory_processes::municipality_code.eq(code.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(advisory_processes::status.eq(status.as_str()));
    }
    paginate!(query, advisory_processes, page).load(conn)
}

/// Writes `row` if the stored version is still `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    row: &AdvisoryProcessRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        advisory_processes::table
            .filter(advisory_processes::id.eq(row.id))
            .filter(advisory_processes::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn insert_finding(conn: &mut DbConnection, row: &FindingRow) -> QueryResult<()> {
    diesel::insert_into(advisory_findings::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

/// A page of one process's findings, by id.
pub fn list_findings(
    conn: &mut DbConnection,
    process: AdvisoryProcessId,
    page: &PageRequest,
) -> QueryResult<Vec<FindingRow>> {
    let mut query = advisory_findings::table
        .filter(advisory_findings::advisory_process_id.eq(process))
        .select(FindingRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(advisory_findings::id.gt(after.clone()));
    }
    query
        .order(advisory_findings::id.asc())
        .limit(page.limit)
        .load(conn)
}

/// Every finding of a programme's processes with the municipality advised, oldest first.
pub fn findings_of_programme(
    conn: &mut DbConnection,
    programme: ProgrammeId,
) -> QueryResult<Vec<(String, FindingRow)>> {
    advisory_findings::table
        .inner_join(advisory_processes::table)
        .filter(advisory_processes::programme_id.eq(programme))
        .order((
            advisory_findings::created_at.asc(),
            advisory_findings::id.asc(),
        ))
        .select((
            advisory_processes::municipality_code,
            FindingRow::as_select(),
        ))
        .load(conn)
}
