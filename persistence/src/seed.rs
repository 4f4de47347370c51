//! Bulk writes for `brobygger seed-demo`: multi-row `INSERT`s in chunks that fit both backends'
//! bound-variable limits, table by table in foreign-key order. The caller holds the transaction.

use crate::DbConnection;
use crate::advisory::{AdvisoryProcessRow, FindingRow};
use crate::citizen::CitizenRow;
use crate::consent::ConsentRow;
use crate::course::{AttendanceRow, CourseRow, CourseSessionRow, CourseTeacherRow};
use crate::employment::EmploymentStatusRow;
use crate::ids::{
    CitizenId, CourseEnrolmentId, CourseId, EmploymentStatusId, PeerWorkerId, ProgrammeId,
    RetentionCheckId, SupervisionSessionId, TrainingCohortId, UserId,
};
use crate::organisation::OrganisationRow;
use crate::peer_worker::{PeerWorkerRow, QualificationRow};
use crate::programme::{PartnerRow, ProgrammeRow, TargetRow};
use crate::referral::ReferralRow;
use crate::schema::*;
use crate::status_history::StatusHistoryRow;
use crate::supervision::SupervisionSessionRow;
use crate::support_course::{ContactRow, GoalRow, ProgressRow, SupportCourseRow};
use crate::text::EnumText;
use crate::training_cohort::{EnrolmentRow, TrainerRow, TrainingCohortRow};
use crate::user::UserRow;
use brobygger_domain::course::{CoCreator, EnrolmentStatus};
use brobygger_domain::employment::RetentionOutcome;
use brobygger_domain::peer_worker::QualificationKind;
use brobygger_domain::programme::Model;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Bound variables per statement: under SQLite's default limit (32,766) and PostgreSQL's
/// (65,535).
const MAX_VARIABLES: usize = 32_000;
/// Rows per statement at most, however narrow the table.
const MAX_ROWS: usize = 2_000;

/// How many rows of a table with `columns` columns go in one statement.
pub fn rows_per_statement(columns: usize) -> usize {
    (MAX_VARIABLES / columns.max(1)).clamp(1, MAX_ROWS)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = programme_models)]
pub struct ProgrammeModelRow {
    pub programme_id: ProgrammeId,
    #[diesel(serialize_as = EnumText)]
    pub model: Model,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = peer_worker_programmes)]
pub struct PeerWorkerProgrammeRow {
    pub peer_worker_id: PeerWorkerId,
    pub programme_id: ProgrammeId,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = peer_worker_municipalities)]
pub struct PeerWorkerMunicipalityRow {
    pub peer_worker_id: PeerWorkerId,
    pub municipality_code: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = peer_worker_languages)]
pub struct PeerWorkerLanguageRow {
    pub peer_worker_id: PeerWorkerId,
    pub language: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = training_cohort_grants)]
pub struct CohortGrantRow {
    pub training_cohort_id: TrainingCohortId,
    #[diesel(serialize_as = EnumText)]
    pub kind: QualificationKind,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = supervision_attendees)]
pub struct SupervisionAttendeeRow {
    pub supervision_session_id: SupervisionSessionId,
    pub peer_worker_id: PeerWorkerId,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = course_co_creators)]
pub struct CoCreatorRow {
    pub course_id: CourseId,
    #[diesel(serialize_as = EnumText)]
    pub kind: CoCreator,
}

/// A course enrolment as written (an outside participant's type as optional text).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = course_enrolments)]
pub struct CourseEnrolmentSeedRow {
    pub id: CourseEnrolmentId,
    pub course_id: CourseId,
    pub citizen_id: Option<CitizenId>,
    pub participant_name: Option<String>,
    pub participant_type: Option<&'static str>,
    #[diesel(serialize_as = EnumText)]
    pub status: EnrolmentStatus,
    pub waitlist_position: Option<i32>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A retention check as written, with its outcome when it has been recorded.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = retention_checks)]
pub struct RetentionCheckSeedRow {
    pub id: RetentionCheckId,
    pub citizen_id: CitizenId,
    pub employment_status_id: EmploymentStatusId,
    pub months_after: i32,
    pub due_on: NaiveDate,
    pub outcome: Option<&'static str>,
    pub recorded_on: Option<NaiveDate>,
    pub recorded_by: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RetentionCheckSeedRow {
    pub fn outcome_text(outcome: Option<RetentionOutcome>) -> Option<&'static str> {
        outcome.map(<&'static str>::from)
    }
}

/// Writes `rows` into `table` in multi-row `INSERT`s on either backend (diesel's
/// `MultiConnection` has no batch insert, so each chunk goes to the backend's own connection);
/// `columns` is the table's column count.
macro_rules! write_table {
    ($conn:expr, $report:expr, $name:literal, $table:expr, $rows:expr, $columns:expr) => {{
        let mut rows = $rows.into_iter();
        loop {
            let chunk: Vec<_> = rows.by_ref().take(rows_per_statement($columns)).collect();
            if chunk.is_empty() {
                break;
            }
            let insert = diesel::insert_into($table).values(chunk);
            let written = match &mut *$conn {
                DbConnection::Postgresql(pg) => insert.execute(pg)?,
                DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
            };
            $report($name, written);
        }
    }};
}

/// Rows of every table the demo fills, written in foreign-key order by [`write`].
#[derive(Debug, Default)]
pub struct SeedBatch {
    pub organisations: Vec<OrganisationRow>,
    pub users: Vec<UserRow>,
    pub programmes: Vec<ProgrammeRow>,
    pub programme_models: Vec<ProgrammeModelRow>,
    pub programme_partners: Vec<PartnerRow>,
    pub programme_targets: Vec<TargetRow>,
    pub peer_workers: Vec<PeerWorkerRow>,
    pub peer_worker_programmes: Vec<PeerWorkerProgrammeRow>,
    pub peer_worker_municipalities: Vec<PeerWorkerMunicipalityRow>,
    pub peer_worker_languages: Vec<PeerWorkerLanguageRow>,
    pub training_cohorts: Vec<TrainingCohortRow>,
    pub training_cohort_grants: Vec<CohortGrantRow>,
    pub training_cohort_trainers: Vec<TrainerRow>,
    pub training_cohort_enrolments: Vec<EnrolmentRow>,
    pub peer_worker_qualifications: Vec<QualificationRow>,
    pub supervision_sessions: Vec<SupervisionSessionRow>,
    pub supervision_attendees: Vec<SupervisionAttendeeRow>,
    pub citizens: Vec<CitizenRow>,
    pub consents: Vec<ConsentRow>,
    pub support_courses: Vec<SupportCourseRow>,
    pub goals: Vec<GoalRow>,
    pub goal_progress: Vec<ProgressRow>,
    pub contacts: Vec<ContactRow>,
    pub referrals: Vec<ReferralRow>,
    pub employment_statuses: Vec<EmploymentStatusRow>,
    pub retention_checks: Vec<RetentionCheckSeedRow>,
    pub courses: Vec<CourseRow>,
    pub course_co_creators: Vec<CoCreatorRow>,
    pub course_teachers: Vec<CourseTeacherRow>,
    pub course_sessions: Vec<CourseSessionRow>,
    pub course_enrolments: Vec<CourseEnrolmentSeedRow>,
    pub course_attendance: Vec<AttendanceRow>,
    pub advisory_processes: Vec<AdvisoryProcessRow>,
    pub advisory_findings: Vec<FindingRow>,
    pub status_history: Vec<StatusHistoryRow>,
}

impl SeedBatch {
    /// Rows per table, in the order [`write`] writes them.
    pub fn counts(&self) -> [(&'static str, usize); 35] {
        let b = self;
        let lens = [
            b.organisations.len(),
            b.users.len(),
            b.programmes.len(),
            b.programme_models.len(),
            b.programme_partners.len(),
            b.programme_targets.len(),
            b.peer_workers.len(),
            b.peer_worker_programmes.len(),
            b.peer_worker_municipalities.len(),
            b.peer_worker_languages.len(),
            b.training_cohorts.len(),
            b.training_cohort_grants.len(),
            b.training_cohort_trainers.len(),
            b.training_cohort_enrolments.len(),
            b.peer_worker_qualifications.len(),
            b.supervision_sessions.len(),
            b.supervision_attendees.len(),
            b.citizens.len(),
            b.consents.len(),
            b.support_courses.len(),
            b.goals.len(),
            b.goal_progress.len(),
            b.contacts.len(),
            b.referrals.len(),
            b.employment_statuses.len(),
            b.retention_checks.len(),
            b.courses.len(),
            b.course_co_creators.len(),
            b.course_teachers.len(),
            b.course_sessions.len(),
            b.course_enrolments.len(),
            b.course_attendance.len(),
            b.advisory_processes.len(),
            b.advisory_findings.len(),
            b.status_history.len(),
        ];
        let mut out = [("", 0); 35];
        for (i, (name, len)) in TABLES.iter().zip(lens).enumerate() {
            out[i] = (name, len);
        }
        out
    }
}

/// The table names [`write`] reports, in the order it writes them.
pub const TABLES: [&str; 35] = [
    "organisations",
    "users",
    "programmes",
    "programme_models",
    "programme_partners",
    "programme_targets",
    "peer_workers",
    "peer_worker_programmes",
    "peer_worker_municipalities",
    "peer_worker_languages",
    "training_cohorts",
    "training_cohort_grants",
    "training_cohort_trainers",
    "training_cohort_enrolments",
    "peer_worker_qualifications",
    "supervision_sessions",
    "supervision_attendees",
    "citizens",
    "consents",
    "support_courses",
    "goals",
    "goal_progress",
    "contacts",
    "referrals",
    "employment_statuses",
    "retention_checks",
    "courses",
    "course_co_creators",
    "course_teachers",
    "course_sessions",
    "course_enrolments",
    "course_attendance",
    "advisory_processes",
    "advisory_findings",
    "status_history",
];

/// Writes every row of `batch`, table by table; `report(table, rows)` after each statement.
pub fn write(
    conn: &mut DbConnection,
    batch: SeedBatch,
    report: &mut dyn FnMut(&'static str, usize),
) -> QueryResult<()> {
    let b = batch;
    write_table!(
        conn,
        report,
        "organisations",
        organisations::table,
        b.organisations,
        10
    );
    write_table!(conn, report, "users", users::table, b.users, 13);
    write_table!(
        conn,
        report,
        "programmes",
        programmes::table,
        b.programmes,
        13
    );
    write_table!(
        conn,
        report,
        "programme_models",
        programme_models::table,
        b.programme_models,
        2
    );
    write_table!(
        conn,
        report,
        "programme_partners",
        programme_partners::table,
        b.programme_partners,
        7
    );
    write_table!(
        conn,
        report,
        "programme_targets",
        programme_targets::table,
        b.programme_targets,
        8
    );
    write_table!(
        conn,
        report,
        "peer_workers",
        peer_workers::table,
        b.peer_workers,
        14
    );
    write_table!(
        conn,
        report,
        "peer_worker_programmes",
        peer_worker_programmes::table,
        b.peer_worker_programmes,
        2
    );
    write_table!(
        conn,
        report,
        "peer_worker_municipalities",
        peer_worker_municipalities::table,
        b.peer_worker_municipalities,
        2
    );
    write_table!(
        conn,
        report,
        "peer_worker_languages",
        peer_worker_languages::table,
        b.peer_worker_languages,
        2
    );
    write_table!(
        conn,
        report,
        "training_cohorts",
        training_cohorts::table,
        b.training_cohorts,
        8
    );
    write_table!(
        conn,
        report,
        "training_cohort_grants",
        training_cohort_grants::table,
        b.training_cohort_grants,
        2
    );
    write_table!(
        conn,
        report,
        "training_cohort_trainers",
        training_cohort_trainers::table,
        b.training_cohort_trainers,
        7
    );
    write_table!(
        conn,
        report,
        "training_cohort_enrolments",
        training_cohort_enrolments::table,
        b.training_cohort_enrolments,
        8
    );
    write_table!(
        conn,
        report,
        "peer_worker_qualifications",
        peer_worker_qualifications::table,
        b.peer_worker_qualifications,
        9
    );
    write_table!(
        conn,
        report,
        "supervision_sessions",
        supervision_sessions::table,
        b.supervision_sessions,
        9
    );
    write_table!(
        conn,
        report,
        "supervision_attendees",
        supervision_attendees::table,
        b.supervision_attendees,
        2
    );
    write_table!(conn, report, "citizens", citizens::table, b.citizens, 13);
    write_table!(conn, report, "consents", consents::table, b.consents, 12);
    write_table!(
        conn,
        report,
        "support_courses",
        support_courses::table,
        b.support_courses,
        13
    );
    write_table!(conn, report, "goals", goals::table, b.goals, 8);
    write_table!(
        conn,
        report,
        "goal_progress",
        goal_progress::table,
        b.goal_progress,
        7
    );
    write_table!(conn, report, "contacts", contacts::table, b.contacts, 11);
    write_table!(conn, report, "referrals", referrals::table, b.referrals, 20);
    write_table!(
        conn,
        report,
        "employment_statuses",
        employment_statuses::table,
        b.employment_statuses,
        10
    );
    write_table!(
        conn,
        report,
        "retention_checks",
        retention_checks::table,
        b.retention_checks,
        11
    );
    write_table!(conn, report, "courses", courses::table, b.courses, 12);
    write_table!(
        conn,
        report,
        "course_co_creators",
        course_co_creators::table,
        b.course_co_creators,
        2
    );
    write_table!(
        conn,
        report,
        "course_teachers",
        course_teachers::table,
        b.course_teachers,
        8
    );
    write_table!(
        conn,
        report,
        "course_sessions",
        course_sessions::table,
        b.course_sessions,
        9
    );
    write_table!(
        conn,
        report,
        "course_enrolments",
        course_enrolments::table,
        b.course_enrolments,
        11
    );
    write_table!(
        conn,
        report,
        "course_attendance",
        course_attendance::table,
        b.course_attendance,
        6
    );
    write_table!(
        conn,
        report,
        "advisory_processes",
        advisory_processes::table,
        b.advisory_processes,
        10
    );
    write_table!(
        conn,
        report,
        "advisory_findings",
        advisory_findings::table,
        b.advisory_findings,
        7
    );
    write_table!(
        conn,
        report,
        "status_history",
        status_history::table,
        b.status_history,
        7
    );
    Ok(())
}

/// How many programmes the database holds: the demo refuses a database that has any.
pub fn programme_count(conn: &mut DbConnection) -> QueryResult<i64> {
    programmes::table.count().get_result(conn)
}

/// Which of `usernames` are taken already.
pub fn taken_usernames(conn: &mut DbConnection, usernames: &[String]) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::username.eq_any(usernames))
        .select(users::username)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_fit_both_backends() {
        assert_eq!(rows_per_statement(2), MAX_ROWS);
        assert_eq!(rows_per_statement(20), 1_600);
        assert!(rows_per_statement(20) * 20 <= 32_766);
        assert_eq!(rows_per_statement(0), MAX_ROWS);
    }
}
