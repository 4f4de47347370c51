//! Support courses with their goals, progress notes and contacts.

use crate::ids::{
    CitizenId, ContactId, GoalId, OrganisationId, PeerWorkerId, ProgrammeId, ProgressId,
    SupportCourseId, UserId,
};
use crate::schema::{
    contacts, goal_progress, goals, peer_workers, programme_partners, status_history,
    support_courses,
};
use crate::status_history::{StatusHistoryRow, unique_in_order};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::peer_worker::{PeerWorkerStatus, QualificationKind};
use brobygger_domain::programme::PartnerRole;
use brobygger_domain::support_course::{
    ContactMode, GoalDomain, GoalStatus, SupportModel, SupportStatus,
};
use brobygger_domain::workflow::TextEnum;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Statuses in which a course is open, as the domain defines them.
const OPEN: [&str; 4] = brobygger_domain::support_course::SupportStatus::OPEN;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = support_courses, treat_none_as_null = true)]
pub struct SupportCourseRow {
    pub id: SupportCourseId,
    pub citizen_id: CitizenId,
    #[diesel(serialize_as = EnumText)]
    pub model: SupportModel,
    pub programme_id: ProgrammeId,
    pub peer_worker_id: Option<PeerWorkerId>,
    pub coordinator_user_id: Option<UserId>,
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
    #[diesel(serialize_as = EnumText)]
    pub status: SupportStatus,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = goals, treat_none_as_null = true)]
pub struct GoalRow {
    pub id: GoalId,
    pub support_course_id: SupportCourseId,
    pub text: String,
    #[diesel(serialize_as = EnumText)]
    pub domain: GoalDomain,
    #[diesel(serialize_as = EnumText)]
    pub status: GoalStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = goal_progress)]
pub struct ProgressRow {
    pub id: ProgressId,
    pub goal_id: GoalId,
    pub date: NaiveDate,
    pub note: String,
    pub self_rating: Option<i32>,
    pub recorded_by: UserId,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactRow {
    pub id: ContactId,
    pub support_course_id: SupportCourseId,
    pub date: NaiveDate,
    pub minutes: i32,
    #[diesel(serialize_as = EnumText)]
    pub mode: ContactMode,
    pub summary: Option<String>,
    pub peer_worker_id: PeerWorkerId,
    pub recorded_by: UserId,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which support courses a user sees.
#[derive(Debug, Clone)]
pub enum CourseScope {
    All,
    /// Courses in the programmes this organisation is a partner of (a subquery, so the cost
    /// does not grow with the number of programmes).
    PartnerOf(OrganisationId),
    /// Courses guided by this peer worker.
    PeerWorker(PeerWorkerId),
    None,
}

#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    pub citizen_id: Option<CitizenId>,
    pub programme_id: Option<ProgrammeId>,
    pub peer_worker_id: Option<PeerWorkerId>,
    pub status: Option<SupportStatus>,
    pub model: Option<SupportModel>,
}

pub fn insert(conn: &mut DbConnection, row: &SupportCourseRow) -> QueryResult<()> {
    diesel::insert_into(support_courses::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: SupportCourseId) -> QueryResult<Option<SupportCourseRow>> {
    support_courses::table
        .find(id)
        .select(SupportCourseRow::as_select())
        .first(conn)
        .optional()
}

/// Whose single course is looked up: the scope of [`CourseScope`] as one query needs it, with
/// no query beforehand (a peer worker's courses by its user, not by its looked-up id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseLookup {
    /// Any course.
    All,
    /// A course in a programme the looking organisation is a partner of.
    Partner,
    /// A course guided by the peer worker of this user.
    GuidedByUser(UserId),
}

/// A single course as one query finds it for a user of `organisation`: the row and the role
/// the organisation holds in the course's programme (`None`: no partner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCourse {
    pub row: SupportCourseRow,
    pub partner_role: Option<PartnerRole>,
    /// Its status history, oldest first (empty unless asked for).
    pub history: Vec<StatusHistoryRow>,
}

/// The course's partnership for `organisation`, left-joined, and the lookup's scope as a
/// filter: the one query of a single course, with or without its history.
macro_rules! lookup {
    ($from:expr, $lookup:expr, $id:expr) => {{
        let mut query = $from.filter(support_courses::id.eq($id)).into_boxed();
        match $lookup {
            CourseLookup::All => {}
            CourseLookup::Partner => query = query.filter(programme_partners::id.is_not_null()),
            CourseLookup::GuidedByUser(user) => {
                query = query.filter(
                    support_courses::peer_worker_id.eq_any(
                        peer_workers::table
                            .filter(peer_workers::user_id.eq(user))
                            .select(peer_workers::id.nullable()),
                    ),
                )
            }
        }
        query
    }};
}

/// The partnership of a course's programme with one organisation, as a join.
type PartnershipOf = diesel::dsl::On<
    programme_partners::table,
    diesel::dsl::And<
        diesel::dsl::Eq<programme_partners::programme_id, support_courses::programme_id>,
        diesel::dsl::Eq<programme_partners::organisation_id, OrganisationId>,
    >,
>;

fn partnership_of(organisation: OrganisationId) -> PartnershipOf {
    programme_partners::table.on(programme_partners::programme_id
        .eq(support_courses::programme_id)
        .and(programme_partners::organisation_id.eq(organisation)))
}

/// Course `id` if `lookup` finds it, with `organisation`'s role in its programme: one query.
pub fn find_for(
    conn: &mut DbConnection,
    lookup: CourseLookup,
    organisation: OrganisationId,
    id: SupportCourseId,
) -> QueryResult<Option<FoundCourse>> {
    let from = support_courses::table.left_join(partnership_of(organisation));
    let found: Option<(SupportCourseRow, Option<PartnerRole>)> = lookup!(from, lookup, id)
        .select((
            SupportCourseRow::as_select(),
            programme_partners::role.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(row, partner_role)| FoundCourse {
        row,
        partner_role,
        history: Vec::new(),
    }))
}

/// [`find_for`] with the course's status history (kept as `history_type`), still one query:
/// one row per history entry.
pub fn find_with_history(
    conn: &mut DbConnection,
    lookup: CourseLookup,
    organisation: OrganisationId,
    id: SupportCourseId,
    history_type: &str,
) -> QueryResult<Option<FoundCourse>> {
    let from = support_courses::table
        .left_join(partnership_of(organisation))
        .left_join(
            status_history::table.on(status_history::resource_type
                .eq(history_type.to_owned())
                .and(status_history::resource_id.eq(support_courses::id))),
        );
    let rows: Vec<(
        SupportCourseRow,
        Option<PartnerRole>,
        Option<StatusHistoryRow>,
    )> = lookup!(from, lookup, id)
        .order((status_history::at.asc(), status_history::id.asc()))
        .select((
            SupportCourseRow::as_select(),
            programme_partners::role.nullable(),
            Option::<StatusHistoryRow>::as_select(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter().peekable();
    let Some((row, partner_role, _)) = rows.peek().cloned() else {
        return Ok(None);
    };
    Ok(Some(FoundCourse {
        row,
        partner_role,
        history: unique_in_order(rows.filter_map(|(_, _, h)| h), |h| h.id),
    }))
}

/// Narrows a boxed query over support courses (alone or joined) to `scope` and `filter`:
/// `None` when the scope is empty.
macro_rules! narrowed {
    ($query:expr, $scope:expr, $filter:expr) => {{
        let (scope, filter): (&CourseScope, &CourseFilter) = ($scope, $filter);
        let mut query = $query;
        let visible = match scope {
            CourseScope::All => true,
            CourseScope::PartnerOf(organisation) => {
                query = query.filter(
                    support_courses::programme_id.eq_any(
                        programme_partners::table
                            .filter(programme_partners::organisation_id.eq(*organisation))
                            .select(programme_partners::programme_id),
                    ),
                );
                true
            }
            CourseScope::PeerWorker(id) => {
                query = query.filter(support_courses::peer_worker_id.eq(*id));
                true
            }
            CourseScope::None => false,
        };
        if let Some(v) = &filter.citizen_id {
            query = query.filter(support_courses::citizen_id.eq(*v));
        }
        if let Some(v) = &filter.programme_id {
            query = query.filter(support_courses::programme_id.eq(*v));
        }
        if let Some(v) = &filter.peer_worker_id {
            query = query.filter(support_courses::peer_worker_id.eq(*v));
        }
        if let Some(v) = &filter.status {
            query = query.filter(support_courses::status.eq(v.as_str()));
        }
        if let Some(v) = &filter.model {
            query = query.filter(support_courses::model.eq(v.as_str()));
        }
        visible.then_some(query)
    }};
}

diesel::define_sql_function! {
    /// `COALESCE` of two texts (both backends have it).
    fn coalesce(x: diesel::sql_types::Nullable<diesel::sql_types::Text>, y: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Above every id (UUIDs in text): the upper bound of a page that reaches the end.
const AFTER_EVERY_ID: &str = "zzzzzzzz";

/// A page of the courses in `scope` matching `filter`, each with its status history (kept as
/// `history_type`, oldest first), in one query: the courses of the page's id range — from
/// its first to its last row's id, two scalar keyset subqueries — each left-joined to its
/// history. The subqueries and the range are index range scans at any depth.
pub fn list_with_history(
    conn: &mut DbConnection,
    scope: &CourseScope,
    filter: &CourseFilter,
    page: &PageRequest,
    history_type: &str,
) -> QueryResult<Vec<(SupportCourseRow, Vec<StatusHistoryRow>)>> {
    let page_ids = || {
        narrowed!(support_courses::table.into_boxed(), scope, filter)
            .map(|ids| paginate!(ids.select(support_courses::id), support_courses, page))
    };
    let (Some(first), Some(last)) = (page_ids(), page_ids()) else {
        return Ok(Vec::new());
    };
    let first_of_page = first.limit(1);
    let last_of_page = last.offset(page.limit - 1).limit(1);
    let joined = support_courses::table
        .left_join(
            status_history::table.on(status_history::resource_type
                .eq(history_type)
                .and(status_history::resource_id.eq(support_courses::id))),
        )
        .into_boxed();
    let Some(mut query) = narrowed!(joined, scope, filter) else {
        return Ok(Vec::new());
    };
    if let Some(since) = page.updated_since {
        query = query.filter(support_courses::updated_at.ge(since));
    }
    // Both bounds, so the planner sees a narrow range (and an empty page an empty one).
    let rows: Vec<(SupportCourseRow, Option<StatusHistoryRow>)> = query
        .filter(support_courses::id.ge(coalesce(first_of_page.single_value(), AFTER_EVERY_ID)))
        .filter(support_courses::id.le(coalesce(last_of_page.single_value(), AFTER_EVERY_ID)))
        .order((
            support_courses::id.asc(),
            status_history::at.asc(),
            status_history::id.asc(),
        ))
        .select((
            SupportCourseRow::as_select(),
            Option::<StatusHistoryRow>::as_select(),
        ))
        .load(conn)?;
    let mut courses: Vec<(SupportCourseRow, Vec<StatusHistoryRow>)> = Vec::new();
    for (row, change) in rows {
        match courses.last_mut() {
            Some((last, history)) if last.id == row.id => history.extend(change),
            _ => courses.push((row, change.into_iter().collect())),
        }
    }
    Ok(courses)
}

/// Every course of a citizen, oldest first.
pub fn of_citizen(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> QueryResult<Vec<SupportCourseRow>> {
    support_courses::table
        .filter(support_courses::citizen_id.eq(citizen_id))
        .order(support_courses::id.asc())
        .select(SupportCourseRow::as_select())
        .load(conn)
}

/// The open course of this citizen and model, if any (other than `except`).
pub fn open_of(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    model: SupportModel,
    except: SupportCourseId,
) -> QueryResult<Option<SupportCourseId>> {
    support_courses::table
        .filter(support_courses::citizen_id.eq(citizen_id))
        .filter(support_courses::model.eq(model.as_str()))
        .filter(support_courses::status.eq_any(OPEN))
        .filter(support_courses::id.ne(except))
        .select(support_courses::id)
        .first(conn)
        .optional()
}

/// How many open courses a peer worker guides (other than `except`).
pub fn open_load(
    conn: &mut DbConnection,
    peer_worker_id: PeerWorkerId,
    except: SupportCourseId,
) -> QueryResult<i64> {
    support_courses::table
        .filter(support_courses::peer_worker_id.eq(peer_worker_id))
        .filter(support_courses::status.eq_any(OPEN))
        .filter(support_courses::id.ne(except))
        .count()
        .get_result(conn)
}

/// How many open courses each of these peer workers guides (other than `except`); peer
/// workers without any are absent.
pub fn open_loads(
    conn: &mut DbConnection,
    peer_worker_ids: &[PeerWorkerId],
    except: SupportCourseId,
) -> QueryResult<Vec<(Option<PeerWorkerId>, i64)>> {
    support_courses::table
        .filter(support_courses::peer_worker_id.eq_any(peer_worker_ids))
        .filter(support_courses::status.eq_any(OPEN))
        .filter(support_courses::id.ne(except))
        .group_by(support_courses::peer_worker_id)
        .select((support_courses::peer_worker_id, diesel::dsl::count_star()))
        .load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    row: &SupportCourseRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        support_courses::table
            .filter(support_courses::id.eq(row.id))
            .filter(support_courses::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// Citizens not yet anonymised whose every course is closed, the last before `closed_before`
/// (the retention job): one grouped query. A course is closed exactly when it has a closing
/// time (transitions set `closed_at` on leaving the open statuses and clear it on re-opening).
pub fn citizens_closed_before(
    conn: &mut DbConnection,
    closed_before: NaiveDateTime,
) -> QueryResult<Vec<CitizenId>> {
    use crate::schema::citizens;
    use diesel::dsl::{count, count_star, max};
    let not_anonymised = citizens::table
        .filter(citizens::anonymised_at.is_null())
        .select(citizens::id);
    support_courses::table
        .filter(support_courses::citizen_id.eq_any(not_anonymised))
        .group_by(support_courses::citizen_id)
        .having(
            count_star()
                .eq(count(support_courses::closed_at))
                .and(max(support_courses::closed_at).lt(closed_before)),
        )
        .select(support_courses::citizen_id)
        .order(support_courses::citizen_id)
        .load(conn)
}

/// The peer workers who may be asked to guide a course of `programme_id`: those with
/// `status` holding `qualification`, working in the programme or hosted by one of its
/// partners (one query).
pub fn guide_pool(
    conn: &mut DbConnection,
    programme_id: ProgrammeId,
    status: PeerWorkerStatus,
    qualification: QualificationKind,
) -> QueryResult<Vec<crate::peer_worker::PeerWorkerRow>> {
    use crate::peer_worker::PeerWorkerRow;
    use crate::schema::{peer_worker_programmes, peer_worker_qualifications, peer_workers};
    let in_programme = peer_worker_programmes::table
        .filter(peer_worker_programmes::programme_id.eq(programme_id))
        .select(peer_worker_programmes::peer_worker_id);
    let partners = programme_partners::table
        .filter(programme_partners::programme_id.eq(programme_id))
        .select(programme_partners::organisation_id);
    let qualified = peer_worker_qualifications::table
        .filter(peer_worker_qualifications::kind.eq(qualification.as_str()))
        .select(peer_worker_qualifications::peer_worker_id);
    peer_workers::table
        .filter(peer_workers::status.eq(status.as_str()))
        .filter(peer_workers::id.eq_any(qualified))
        .filter(
            peer_workers::id
                .eq_any(in_programme)
                .or(peer_workers::organisation_id.eq_any(partners)),
        )
        .order(peer_workers::id.asc())
        .select(PeerWorkerRow::as_select())
        .load(conn)
}

/// Removes the free text of a citizen's courses, goals, progress notes and contacts.
pub fn erase_free_text(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    erased: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let courses = support_courses::table
        .filter(support_courses::citizen_id.eq(citizen_id))
        .select(support_courses::id);
    let course_ids: Vec<SupportCourseId> = courses.load(conn)?;
    diesel::update(support_courses::table.filter(support_courses::citizen_id.eq(citizen_id)))
        .set((
            support_courses::context.eq(None::<String>),
            support_courses::updated_at.eq(now),
        ))
        .execute(conn)?;
    let goal_ids: Vec<GoalId> = goals::table
        .filter(goals::support_course_id.eq_any(&course_ids))
        .select(goals::id)
        .load(conn)?;
    diesel::update(goals::table.filter(goals::id.eq_any(&goal_ids)))
        .set((goals::text.eq(erased), goals::updated_at.eq(now)))
        .execute(conn)?;
    diesel::update(goal_progress::table.filter(goal_progress::goal_id.eq_any(&goal_ids)))
        .set(goal_progress::note.eq(erased))
        .execute(conn)?;
    diesel::update(contacts::table.filter(contacts::support_course_id.eq_any(&course_ids)))
        .set((
            contacts::summary.eq(None::<String>),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn insert_goal(conn: &mut DbConnection, row: &GoalRow) -> QueryResult<()> {
    diesel::insert_into(goals::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find_goal(
    conn: &mut DbConnection,
    course_id: SupportCourseId,
    id: GoalId,
) -> QueryResult<Option<GoalRow>> {
    goals::table
        .filter(goals::support_course_id.eq(course_id))
        .filter(goals::id.eq(id))
        .select(GoalRow::as_select())
        .first(conn)
        .optional()
}

pub fn goals_of(
    conn: &mut DbConnection,
    course_ids: &[SupportCourseId],
) -> QueryResult<Vec<GoalRow>> {
    goals::table
        .filter(goals::support_course_id.eq_any(course_ids))
        .order(goals::id.asc())
        .select(GoalRow::as_select())
        .load(conn)
}

pub fn update_goal(
    conn: &mut DbConnection,
    row: &GoalRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        goals::table
            .filter(goals::id.eq(row.id))
            .filter(goals::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn insert_progress(conn: &mut DbConnection, row: &ProgressRow) -> QueryResult<()> {
    diesel::insert_into(goal_progress::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn progress_of(conn: &mut DbConnection, goal_ids: &[GoalId]) -> QueryResult<Vec<ProgressRow>> {
    goal_progress::table
        .filter(goal_progress::goal_id.eq_any(goal_ids))
        .order((goal_progress::date.asc(), goal_progress::id.asc()))
        .select(ProgressRow::as_select())
        .load(conn)
}

pub fn insert_contact(conn: &mut DbConnection, row: &ContactRow) -> QueryResult<()> {
    diesel::insert_into(contacts::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn contacts_of(
    conn: &mut DbConnection,
    course_ids: &[SupportCourseId],
) -> QueryResult<Vec<ContactRow>> {
    contacts::table
        .filter(contacts::support_course_id.eq_any(course_ids))
        .order((contacts::date.asc(), contacts::id.asc()))
        .select(ContactRow::as_select())
        .load(conn)
}
