//! Employment statuses (a citizen's labour-market timeline) and retention checks (the
//! follow-ups of a job start). Both hold no free text. Typed ids and the domain's enums.

use crate::citizen::CitizenScope;
use crate::ids::{CitizenId, EmploymentStatusId, OrganisationId, RetentionCheckId, UserId};
use crate::schema::support_courses as courses;
use crate::schema::{citizens, employment_statuses, programme_partners, retention_checks};
use crate::support_course::CourseScope;
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::employment::{EmploymentKind, RetentionCheckState, RetentionOutcome};
use brobygger_domain::workflow::TextEnum;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

type Backend = <DbConnection as Connection>::Backend;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = employment_statuses)]
pub struct EmploymentStatusRow {
    pub id: EmploymentStatusId,
    pub citizen_id: CitizenId,
    pub effective_on: NaiveDate,
    #[diesel(serialize_as = EnumText)]
    pub status: EmploymentKind,
    pub hours_per_week: Option<i32>,
    pub employer_organisation_id: Option<OrganisationId>,
    pub recorded_by: UserId,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = retention_checks)]
pub struct RetentionCheckRow {
    pub id: RetentionCheckId,
    pub citizen_id: CitizenId,
    pub employment_status_id: EmploymentStatusId,
    pub months_after: i32,
    pub due_on: NaiveDate,
    /// `None` until recorded, together with `recorded_on` and `recorded_by`.
    pub outcome: Option<RetentionOutcome>,
    pub recorded_on: Option<NaiveDate>,
    pub recorded_by: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A retention check as it is created: not recorded yet.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = retention_checks)]
pub struct NewRetentionCheck {
    pub id: RetentionCheckId,
    pub citizen_id: CitizenId,
    pub employment_status_id: EmploymentStatusId,
    pub months_after: i32,
    pub due_on: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The filters of the list of retention checks (the scope comes separately).
#[derive(Debug, Clone, Default)]
pub struct RetentionFilter {
    /// Only checks due strictly before this day.
    pub due_before: Option<NaiveDate>,
    pub state: Option<RetentionCheckState>,
    pub citizen_id: Option<CitizenId>,
}

/// An outcome as recorded: what, on which day, by whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recording {
    pub outcome: RetentionOutcome,
    pub recorded_on: NaiveDate,
    pub recorded_by: UserId,
}

// --- Employment statuses -------------------------------------------------------------------------

pub fn insert_status(conn: &mut DbConnection, row: &EmploymentStatusRow) -> QueryResult<()> {
    diesel::insert_into(employment_statuses::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find_status(
    conn: &mut DbConnection,
    id: EmploymentStatusId,
) -> QueryResult<Option<EmploymentStatusRow>> {
    employment_statuses::table
        .filter(employment_statuses::id.eq(id))
        .select(EmploymentStatusRow::as_select())
        .first(conn)
        .optional()
}

/// A citizen's timeline, by effective date.
pub fn timeline(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> QueryResult<Vec<EmploymentStatusRow>> {
    employment_statuses::table
        .filter(employment_statuses::citizen_id.eq(citizen_id))
        .order(employment_statuses::effective_on.asc())
        .select(EmploymentStatusRow::as_select())
        .load(conn)
}

/// Holds the citizen's row until the transaction ends (a no-op update takes its row lock on
/// PostgreSQL; SQLite writes one at a time anyway), so that two statuses recorded at once see
/// each other and only one of them can be the job start.
pub fn lock_timeline(conn: &mut DbConnection, citizen_id: CitizenId) -> QueryResult<()> {
    diesel::update(citizens::table.filter(citizens::id.eq(citizen_id.to_string())))
        .set(citizens::version.eq(citizens::version))
        .execute(conn)
        .map(drop)
}

/// The status in force just before `day` (the latest effective before it), if any.
pub fn status_before(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    day: NaiveDate,
) -> QueryResult<Option<EmploymentStatusRow>> {
    employment_statuses::table
        .filter(employment_statuses::citizen_id.eq(citizen_id))
        .filter(employment_statuses::effective_on.lt(day))
        .order(employment_statuses::effective_on.desc())
        .select(EmploymentStatusRow::as_select())
        .first(conn)
        .optional()
}

/// The latest effective date on a citizen's timeline, if any.
pub fn latest_effective_on(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> QueryResult<Option<NaiveDate>> {
    employment_statuses::table
        .filter(employment_statuses::citizen_id.eq(citizen_id))
        .select(diesel::dsl::max(employment_statuses::effective_on))
        .first(conn)
}

/// The timelines of these citizens as `(citizen, effective date, status)`, in one query.
pub fn timelines_of(
    conn: &mut DbConnection,
    citizen_ids: &[CitizenId],
) -> QueryResult<Vec<(CitizenId, NaiveDate, EmploymentKind)>> {
    employment_statuses::table
        .filter(employment_statuses::citizen_id.eq_any(citizen_ids.to_vec()))
        .order((
            employment_statuses::citizen_id.asc(),
            employment_statuses::effective_on.asc(),
        ))
        .select((
            employment_statuses::citizen_id,
            employment_statuses::effective_on,
            employment_statuses::status,
        ))
        .load(conn)
}

// --- Retention checks ----------------------------------------------------------------------------

pub fn insert_checks(conn: &mut DbConnection, rows: &[NewRetentionCheck]) -> QueryResult<()> {
    // One statement per row: the multi-backend connection has no batch insert.
    for row in rows {
        diesel::insert_into(retention_checks::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// The checks of the citizens in `scope`, as part of the query; `None` when the scope is empty.
fn scoped<'a>(scope: &CitizenScope) -> Option<retention_checks::BoxedQuery<'a, Backend>> {
    let query = retention_checks::table.into_boxed();
    let (organisation_id, course_scope) = match scope {
        CitizenScope::All => return Some(query),
        CitizenScope::None => return None,
        CitizenScope::Limited {
            organisation_id,
            courses,
        } => (*organisation_id, courses),
    };
    // The same rule as `citizen::find_in`: registered by the organisation, or with a course
    // in the course scope. Subqueries stay unboxed (boxed ones cannot be nested).
    let registered = retention_checks::citizen_id.eq_any(
        citizens::table
            .filter(citizens::organisation_id.eq(organisation_id.unwrap_or_default()))
            .select(citizens::id),
    );
    Some(match (organisation_id.is_some(), course_scope) {
        (_, CourseScope::All) => query,
        (true, CourseScope::None) => query.filter(registered),
        (false, CourseScope::None) => return None,
        (registers, CourseScope::PartnerOf(organisation)) => {
            let with_course = retention_checks::citizen_id.eq_any(
                courses::table
                    .filter(
                        courses::programme_id.eq_any(
                            programme_partners::table
                                .filter(programme_partners::organisation_id.eq(*organisation))
                                .select(programme_partners::programme_id),
                        ),
                    )
                    .select(courses::citizen_id),
            );
            if registers {
                query.filter(registered.or(with_course))
            } else {
                query.filter(with_course)
            }
        }
        (registers, CourseScope::PeerWorker(id)) => {
            let with_course = retention_checks::citizen_id.eq_any(
                courses::table
                    .filter(courses::peer_worker_id.eq(*id))
                    .select(courses::citizen_id),
            );
            if registers {
                query.filter(registered.or(with_course))
            } else {
                query.filter(with_course)
            }
        }
    })
}

/// Check `id` if its citizen is in `scope`.
pub fn find_check_in(
    conn: &mut DbConnection,
    scope: &CitizenScope,
    id: RetentionCheckId,
) -> QueryResult<Option<RetentionCheckRow>> {
    let Some(query) = scoped(scope) else {
        return Ok(None);
    };
    query
        .filter(retention_checks::id.eq(id))
        .select(RetentionCheckRow::as_select())
        .first(conn)
        .optional()
}

/// A page of the checks of the citizens in `scope`, filtered, by id.
pub fn list_checks(
    conn: &mut DbConnection,
    scope: &CitizenScope,
    filter: &RetentionFilter,
    page: &PageRequest,
) -> QueryResult<Vec<RetentionCheckRow>> {
    let Some(mut query) = scoped(scope) else {
        return Ok(Vec::new());
    };
    if let Some(day) = filter.due_before {
        query = query.filter(retention_checks::due_on.lt(day));
    }
    if let Some(citizen) = filter.citizen_id {
        query = query.filter(retention_checks::citizen_id.eq(citizen));
    }
    match filter.state.map(|s| s.outcome()) {
        None => {}
        Some(None) => query = query.filter(retention_checks::outcome.is_null()),
        Some(Some(outcome)) => {
            query = query.filter(retention_checks::outcome.eq(outcome.as_str()));
        }
    }
    paginate!(
        query.select(RetentionCheckRow::as_select()),
        retention_checks,
        page
    )
    .load(conn)
}

/// Every check of a citizen, by due date (the data export).
pub fn checks_of_citizen(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> QueryResult<Vec<RetentionCheckRow>> {
    retention_checks::table
        .filter(retention_checks::citizen_id.eq(citizen_id))
        .order((retention_checks::due_on.asc(), retention_checks::id.asc()))
        .select(RetentionCheckRow::as_select())
        .load(conn)
}

/// The checks one job start created, by months after.
pub fn checks_of_status(
    conn: &mut DbConnection,
    status_id: EmploymentStatusId,
) -> QueryResult<Vec<RetentionCheckRow>> {
    retention_checks::table
        .filter(retention_checks::employment_status_id.eq(status_id))
        .order(retention_checks::months_after.asc())
        .select(RetentionCheckRow::as_select())
        .load(conn)
}

/// Records check `id` if it is still at `expected_version` and not recorded; `false` when it
/// is not (someone changed it since).
pub fn record(
    conn: &mut DbConnection,
    id: RetentionCheckId,
    expected_version: i64,
    recording: Recording,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        retention_checks::table
            .filter(retention_checks::id.eq(id))
            .filter(retention_checks::version.eq(expected_version))
            .filter(retention_checks::outcome.is_null()),
    )
    .set((
        retention_checks::outcome.eq(recording.outcome.as_str()),
        retention_checks::recorded_on.eq(recording.recorded_on),
        retention_checks::recorded_by.eq(recording.recorded_by),
        retention_checks::version.eq(expected_version + 1),
        retention_checks::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
