//! Courses of the teaching model: co-creators, teachers, sessions, enrolments with their
//! waitlist, and attendance.

use crate::ids::{
    AttendanceId, CitizenId, CourseEnrolmentId, CourseId, CourseSessionId, CourseTeacherId,
    OrganisationId, PeerWorkerId, ProgrammeId, UserId,
};
use crate::schema::{
    course_attendance, course_co_creators, course_enrolments, course_sessions, course_teachers,
    courses, peer_workers, programme_partners,
};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::course::{
    AttendanceStatus, CoCreator, CourseFormat, CourseStatus, EnrolmentStatus, ParticipantType,
    TeacherRole,
};
use brobygger_domain::workflow::TextEnum;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = courses, treat_none_as_null = true)]
pub struct CourseRow {
    pub id: CourseId,
    pub programme_id: ProgrammeId,
    pub title: String,
    pub description: Option<String>,
    #[diesel(serialize_as = EnumText)]
    pub format: CourseFormat,
    pub provider_organisation_id: OrganisationId,
    pub location: Option<String>,
    pub capacity: i32,
    #[diesel(serialize_as = EnumText)]
    pub status: CourseStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = course_teachers)]
pub struct CourseTeacherRow {
    pub id: CourseTeacherId,
    pub course_id: CourseId,
    pub peer_worker_id: Option<PeerWorkerId>,
    pub user_id: Option<UserId>,
    #[diesel(serialize_as = EnumText)]
    pub role: TeacherRole,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = course_sessions)]
pub struct CourseSessionRow {
    pub id: CourseSessionId,
    pub course_id: CourseId,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub location: Option<String>,
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = course_enrolments)]
pub struct CourseEnrolmentRow {
    pub id: CourseEnrolmentId,
    pub course_id: CourseId,
    pub citizen_id: Option<CitizenId>,
    pub participant_name: Option<String>,
    pub participant_type: Option<ParticipantType>,
    #[diesel(serialize_as = EnumText)]
    pub status: EnrolmentStatus,
    pub waitlist_position: Option<i32>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an enrolment row is written as (a nullable enum goes in as optional text).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = course_enrolments, treat_none_as_null = true)]
struct EnrolmentValues {
    id: CourseEnrolmentId,
    course_id: CourseId,
    citizen_id: Option<CitizenId>,
    participant_name: Option<String>,
    participant_type: Option<&'static str>,
    #[diesel(serialize_as = EnumText)]
    status: EnrolmentStatus,
    waitlist_position: Option<i32>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl From<&CourseEnrolmentRow> for EnrolmentValues {
    fn from(row: &CourseEnrolmentRow) -> Self {
        Self {
            id: row.id,
            course_id: row.course_id,
            citizen_id: row.citizen_id,
            participant_name: row.participant_name.clone(),
            participant_type: row.participant_type.map(TextEnum::as_str),
            status: row.status,
            waitlist_position: row.waitlist_position,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = course_attendance)]
pub struct AttendanceRow {
    pub id: AttendanceId,
    pub session_id: CourseSessionId,
    pub enrolment_id: CourseEnrolmentId,
    #[diesel(serialize_as = EnumText)]
    pub status: AttendanceStatus,
    pub recorded_by: UserId,
    pub created_at: NaiveDateTime,
}

/// The courses a user lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseScope {
    All,
    /// Courses of programmes this organisation is a partner of.
    PartnerOf(OrganisationId),
    /// Courses taught by the peer worker linked to this user.
    TaughtBy(UserId),
    None,
}

#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    pub programme_id: Option<ProgrammeId>,
    pub status: Option<CourseStatus>,
}

pub fn insert(conn: &mut DbConnection, row: &CourseRow) -> QueryResult<()> {
    diesel::insert_into(courses::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: CourseId) -> QueryResult<Option<CourseRow>> {
    courses::table
        .find(id)
        .select(CourseRow::as_select())
        .first(conn)
        .optional()
}

/// Holds the course's row until the transaction ends (a no-op update takes its row lock on
/// PostgreSQL; SQLite writes one at a time anyway): enrolments, withdrawals and capacity
/// changes of one course run one after another, so places and the waitlist stay exact.
pub fn lock(conn: &mut DbConnection, id: CourseId) -> QueryResult<()> {
    diesel::update(courses::table.filter(courses::id.eq(id)))
        .set(courses::version.eq(courses::version))
        .execute(conn)
        .map(drop)
}

/// Whether the peer worker linked to `user` teaches course `id`.
pub fn taught_by(conn: &mut DbConnection, id: CourseId, user: UserId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        course_teachers::table
            .filter(course_teachers::course_id.eq(id))
            .filter(
                course_teachers::peer_worker_id.eq_any(
                    peer_workers::table
                        .filter(peer_workers::user_id.eq(user))
                        .select(peer_workers::id.nullable()),
                ),
            ),
    ))
    .get_result(conn)
}

pub fn list(
    conn: &mut DbConnection,
    scope: CourseScope,
    filter: &CourseFilter,
    page: &PageRequest,
) -> QueryResult<Vec<CourseRow>> {
    let mut query = courses::table.select(CourseRow::as_select()).into_boxed();
    match scope {
        CourseScope::All => {}
        CourseScope::None => return Ok(Vec::new()),
        CourseScope::PartnerOf(org) => {
            query = query.filter(
                courses::programme_id.eq_any(
                    programme_partners::table
                        .filter(programme_partners::organisation_id.eq(org))
                        .select(programme_partners::programme_id),
                ),
            );
        }
        CourseScope::TaughtBy(user) => {
            let ids: Vec<PeerWorkerId> = peer_workers::table
                .filter(peer_workers::user_id.eq(user))
                .select(peer_workers::id)
                .load(conn)?;
            let taught: Vec<CourseId> = course_teachers::table
                .filter(course_teachers::peer_worker_id.eq_any(ids))
                .select(course_teachers::course_id)
                .load(conn)?;
            query = query.filter(courses::id.eq_any(taught));
        }
    }
    if let Some(programme) = filter.programme_id {
        query = query.filter(courses::programme_id.eq(programme));
    }
    if let Some(status) = filter.status {
        query = query.filter(courses::status.eq(status.as_str()));
    }
    paginate!(query, courses, page).load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    row: &CourseRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        courses::table
            .filter(courses::id.eq(row.id))
            .filter(courses::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// The co-creators of the given courses, as (course id, kind).
pub fn co_creators_of(
    conn: &mut DbConnection,
    ids: &[CourseId],
) -> QueryResult<Vec<(CourseId, CoCreator)>> {
    course_co_creators::table
        .filter(course_co_creators::course_id.eq_any(ids))
        .order((course_co_creators::course_id, course_co_creators::kind))
        .select((course_co_creators::course_id, course_co_creators::kind))
        .load(conn)
}

pub fn set_co_creators(
    conn: &mut DbConnection,
    id: CourseId,
    kinds: &[CoCreator],
) -> QueryResult<()> {
    diesel::delete(course_co_creators::table.filter(course_co_creators::course_id.eq(id)))
        .execute(conn)?;
    for kind in kinds {
        diesel::insert_into(course_co_creators::table)
            .values((
                course_co_creators::course_id.eq(id),
                course_co_creators::kind.eq(kind.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// --- Teachers -----------------------------------------------------------------------------------

pub fn insert_teacher(conn: &mut DbConnection, row: &CourseTeacherRow) -> QueryResult<()> {
    diesel::insert_into(course_teachers::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

/// Every teacher of a course, oldest first.
pub fn teachers(conn: &mut DbConnection, id: CourseId) -> QueryResult<Vec<CourseTeacherRow>> {
    course_teachers::table
        .filter(course_teachers::course_id.eq(id))
        .order(course_teachers::id)
        .select(CourseTeacherRow::as_select())
        .load(conn)
}

pub fn list_teachers(
    conn: &mut DbConnection,
    id: CourseId,
    page: &PageRequest,
) -> QueryResult<Vec<CourseTeacherRow>> {
    let query = course_teachers::table
        .filter(course_teachers::course_id.eq(id))
        .select(CourseTeacherRow::as_select())
        .into_boxed();
    paginate!(query, course_teachers, page).load(conn)
}

/// Removes teacher `id` of course `course_id`; whether there was one.
pub fn delete_teacher(
    conn: &mut DbConnection,
    course_id: CourseId,
    id: CourseTeacherId,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        course_teachers::table
            .filter(course_teachers::course_id.eq(course_id))
            .filter(course_teachers::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

// --- Sessions -----------------------------------------------------------------------------------

pub fn insert_session(conn: &mut DbConnection, row: &CourseSessionRow) -> QueryResult<()> {
    diesel::insert_into(course_sessions::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find_session(
    conn: &mut DbConnection,
    course_id: CourseId,
    id: CourseSessionId,
) -> QueryResult<Option<CourseSessionRow>> {
    course_sessions::table
        .filter(course_sessions::course_id.eq(course_id))
        .filter(course_sessions::id.eq(id))
        .select(CourseSessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_sessions(
    conn: &mut DbConnection,
    id: CourseId,
    page: &PageRequest,
) -> QueryResult<Vec<CourseSessionRow>> {
    let query = course_sessions::table
        .filter(course_sessions::course_id.eq(id))
        .select(CourseSessionRow::as_select())
        .into_boxed();
    paginate!(query, course_sessions, page).load(conn)
}

/// How many of a course's sessions started before `now`.
pub fn sessions_held(
    conn: &mut DbConnection,
    id: CourseId,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    course_sessions::table
        .filter(course_sessions::course_id.eq(id))
        .filter(course_sessions::starts_at.lt(now))
        .count()
        .get_result(conn)
}

// --- Enrolments ---------------------------------------------------------------------------------

pub fn insert_enrolment(conn: &mut DbConnection, row: &CourseEnrolmentRow) -> QueryResult<()> {
    diesel::insert_into(course_enrolments::table)
        .values(EnrolmentValues::from(row))
        .execute(conn)
        .map(drop)
}

pub fn find_enrolment(
    conn: &mut DbConnection,
    course_id: CourseId,
    id: CourseEnrolmentId,
) -> QueryResult<Option<CourseEnrolmentRow>> {
    course_enrolments::table
        .filter(course_enrolments::course_id.eq(course_id))
        .filter(course_enrolments::id.eq(id))
        .select(CourseEnrolmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_enrolments(
    conn: &mut DbConnection,
    id: CourseId,
    status: Option<EnrolmentStatus>,
    page: &PageRequest,
) -> QueryResult<Vec<CourseEnrolmentRow>> {
    let mut query = course_enrolments::table
        .filter(course_enrolments::course_id.eq(id))
        .select(CourseEnrolmentRow::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(course_enrolments::status.eq(status.as_str()));
    }
    paginate!(query, course_enrolments, page).load(conn)
}

/// Every enrolment of a course with `status`, in waitlist order (then arrival).
pub fn enrolments_with(
    conn: &mut DbConnection,
    id: CourseId,
    status: EnrolmentStatus,
) -> QueryResult<Vec<CourseEnrolmentRow>> {
    course_enrolments::table
        .filter(course_enrolments::course_id.eq(id))
        .filter(course_enrolments::status.eq(status.as_str()))
        .order((course_enrolments::waitlist_position, course_enrolments::id))
        .select(CourseEnrolmentRow::as_select())
        .load(conn)
}

pub fn count_enrolments(
    conn: &mut DbConnection,
    id: CourseId,
    status: EnrolmentStatus,
) -> QueryResult<i64> {
    course_enrolments::table
        .filter(course_enrolments::course_id.eq(id))
        .filter(course_enrolments::status.eq(status.as_str()))
        .count()
        .get_result(conn)
}

pub fn update_enrolment(
    conn: &mut DbConnection,
    row: &CourseEnrolmentRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        course_enrolments::table
            .filter(course_enrolments::id.eq(row.id))
            .filter(course_enrolments::version.eq(expected_version)),
    )
    .set(EnrolmentValues::from(row))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Every course enrolment of a citizen.
pub fn enrolments_of_citizen(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> QueryResult<Vec<CourseEnrolmentRow>> {
    course_enrolments::table
        .filter(course_enrolments::citizen_id.eq(citizen_id))
        .order(course_enrolments::id)
        .select(CourseEnrolmentRow::as_select())
        .load(conn)
}

// --- Attendance ---------------------------------------------------------------------------------

/// Replaces a session's attendance of the enrolments `replaced` with `rows`.
pub fn replace_attendance(
    conn: &mut DbConnection,
    session_id: CourseSessionId,
    replaced: &[CourseEnrolmentId],
    rows: &[AttendanceRow],
) -> QueryResult<()> {
    diesel::delete(
        course_attendance::table
            .filter(course_attendance::session_id.eq(session_id))
            .filter(course_attendance::enrolment_id.eq_any(replaced)),
    )
    .execute(conn)?;
    for row in rows {
        diesel::insert_into(course_attendance::table)
            .values(row.clone())
            .execute(conn)?;
    }
    Ok(())
}

pub fn attendance_of_session(
    conn: &mut DbConnection,
    session_id: CourseSessionId,
) -> QueryResult<Vec<AttendanceRow>> {
    course_attendance::table
        .filter(course_attendance::session_id.eq(session_id))
        .order(course_attendance::id)
        .select(AttendanceRow::as_select())
        .load(conn)
}

/// The attendance recorded for the given enrolments, with each session's start.
pub fn attendance_of(
    conn: &mut DbConnection,
    enrolments: &[CourseEnrolmentId],
) -> QueryResult<Vec<(AttendanceRow, NaiveDateTime)>> {
    course_attendance::table
        .inner_join(course_sessions::table)
        .filter(course_attendance::enrolment_id.eq_any(enrolments))
        .order(course_sessions::starts_at)
        .select((AttendanceRow::as_select(), course_sessions::starts_at))
        .load(conn)
}

/// How often each enrolment of a course was present at a session held before `now`.
pub fn present_counts(
    conn: &mut DbConnection,
    enrolments: &[CourseEnrolmentId],
    now: NaiveDateTime,
) -> QueryResult<Vec<(CourseEnrolmentId, i64)>> {
    course_attendance::table
        .inner_join(course_sessions::table)
        .filter(course_attendance::enrolment_id.eq_any(enrolments))
        .filter(course_attendance::status.eq(AttendanceStatus::Present.as_str()))
        .filter(course_sessions::starts_at.lt(now))
        .group_by(course_attendance::enrolment_id)
        .select((course_attendance::enrolment_id, diesel::dsl::count_star()))
        .load(conn)
}
