//! The programme report's aggregate queries: each figure is one `COUNT`/`SUM` over the facts
//! of the period (grouped where the report breaks it down); only the accepted referrals' two
//! instants and the period's retention checks (a few per move into employment) are read as
//! rows.
//! Contacts, goals and referrals carry their support course's programme (filled by triggers,
//! migration `report_speed`), so each is read from one covering index of the programme.
//! Facts are placed in the period `[from, to]` by the dates named on [`ReportFigures`].

use crate::DbConnection;
use crate::ids::ProgrammeId;
use crate::schema::{
    citizens, contacts, course_attendance, course_enrolments, course_sessions, courses,
    employment_statuses, goals, organisations, peer_worker_municipalities, peer_worker_programmes,
    peer_workers, programme_targets, referrals, retention_checks, supervision_attendees,
    supervision_sessions, support_courses, training_cohort_enrolments, training_cohorts,
};
use brobygger_domain::course::{AttendanceStatus, CourseFormat, EnrolmentStatus, ParticipantType};
use brobygger_domain::employment::RetentionOutcome;
use brobygger_domain::peer_worker::PeerWorkerStatus;
use brobygger_domain::programme::Metric;
use brobygger_domain::referral::{ReferralStatus, TargetKind};
use brobygger_domain::support_course::{GoalStatus, SupportModel, SupportStatus};
use brobygger_domain::training_cohort::EnrolmentOutcome;
use brobygger_domain::workflow::TextEnum;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::connection::SimpleConnection;
use diesel::dsl::{count, count_star, sum};
use diesel::prelude::*;
use std::collections::{BTreeMap, HashSet};

/// What the report is about: a programme, a period of days, optionally one municipality.
#[derive(Debug, Clone)]
pub struct ReportScope {
    pub programme_id: ProgrammeId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub municipality_code: Option<String>,
}

impl ReportScope {
    fn starts(&self) -> NaiveDateTime {
        self.from.and_time(NaiveTime::MIN)
    }

    /// The first instant after the period.
    fn ends(&self) -> NaiveDateTime {
        self.to
            .checked_add_days(Days::new(1))
            .unwrap_or(self.to)
            .and_time(NaiveTime::MIN)
    }
}

/// The stored figures of one report, as counted (rates and medians are the domain's).
#[derive(Debug, Clone, Default)]
pub struct ReportFigures {
    /// Peer workers of the programme registered (`created_at`) in the period.
    pub peers_recruited: i64,
    /// Distinct peer workers who completed a cohort of the programme (`completed_on`) in it.
    pub peers_trained: i64,
    /// Peer workers of the programme whose status is `active` now.
    pub peers_active: i64,
    /// Of those, how many attended a supervision session dated in the period.
    pub peers_supervised: i64,
    /// Distinct citizens with a support course of the programme open during the period (not
    /// cancelled) or a place (`enrolled`) on a course of it with a session in the period.
    pub citizens_reached: i64,
    /// Support courses open during the period (created by its end, not closed before its
    /// start), by model and current status.
    pub support_courses: Vec<(SupportModel, SupportStatus, i64)>,
    /// Support courses created in the period.
    pub support_courses_started: i64,
    /// Contacts dated in the period and their minutes.
    pub contacts: i64,
    pub contact_minutes: i64,
    /// Goals of the support courses open during the period, by current status.
    pub goals: Vec<(GoalStatus, i64)>,
    /// Courses with a session starting in the period, by format.
    pub courses: Vec<(CourseFormat, i64)>,
    /// Sessions starting in the period, by the course's format.
    pub sessions: Vec<(CourseFormat, i64)>,
    /// Places (`enrolled`) on those courses, by format and participant type (`None`: a
    /// registered citizen).
    pub participants: Vec<(CourseFormat, Option<ParticipantType>, i64)>,
    /// Attendance marks of sessions in the period, by format and mark.
    pub attendance: Vec<(CourseFormat, AttendanceStatus, i64)>,
    /// Referrals sent in the period (`sent_at`), by target kind and current status.
    pub referrals: Vec<(TargetKind, ReferralStatus, i64)>,
    /// `(sent_at, accepted_at)` of those accepted (for the median).
    pub accepted: Vec<(NaiveDateTime, NaiveDateTime)>,
    /// Moves into employment (statuses with retention checks) effective in the period.
    pub employment_moves: i64,
    /// Distinct citizens among them.
    pub citizens_employed: i64,
    /// Their retention checks by months after and outcome (`None`: not yet recorded).
    pub retention: Vec<(i32, Option<RetentionOutcome>, i64)>,
    /// The programme's targets: metric, value, deadline.
    pub targets: Vec<(Metric, i64, Option<NaiveDate>)>,
}

/// The support courses of citizens living in municipality `code`.
#[diesel::dsl::auto_type]
fn support_courses_of_residents(code: String) -> _ {
    support_courses::table
        .filter(
            support_courses::citizen_id.eq_any(
                citizens::table
                    .filter(citizens::municipality_code.eq(code))
                    .select(citizens::id),
            ),
        )
        .select(support_courses::id)
}

/// The programme's support courses open at some time during `[starts, ends)`.
#[diesel::dsl::auto_type]
fn open_support_courses(programme: ProgrammeId, starts: NaiveDateTime, ends: NaiveDateTime) -> _ {
    support_courses::table
        .filter(support_courses::programme_id.eq(programme))
        .filter(support_courses::created_at.lt(ends))
        .filter(
            support_courses::closed_at
                .is_null()
                .or(support_courses::closed_at.ge(starts)),
        )
        .select(support_courses::id)
}

/// The programme's peer workers.
#[diesel::dsl::auto_type]
fn peers_of(programme: ProgrammeId) -> _ {
    peer_worker_programmes::table
        .filter(peer_worker_programmes::programme_id.eq(programme))
        .select(peer_worker_programmes::peer_worker_id)
}

/// The peer workers serving municipality `code`.
#[diesel::dsl::auto_type]
fn peers_serving(code: String) -> _ {
    peer_worker_municipalities::table
        .filter(peer_worker_municipalities::municipality_code.eq(code))
        .select(peer_worker_municipalities::peer_worker_id)
}

/// The courses with a session starting in `[starts, ends)`.
#[diesel::dsl::auto_type]
fn courses_held(starts: NaiveDateTime, ends: NaiveDateTime) -> _ {
    course_sessions::table
        .filter(course_sessions::starts_at.ge(starts))
        .filter(course_sessions::starts_at.lt(ends))
        .select(course_sessions::course_id)
}

/// The organisations in municipality `code`.
#[diesel::dsl::auto_type]
fn organisations_in(code: String) -> _ {
    organisations::table
        .filter(organisations::municipality_code.eq(code))
        .select(organisations::id)
}

/// The citizens living in municipality `code`.
#[diesel::dsl::auto_type]
fn residents(code: String) -> _ {
    citizens::table
        .filter(citizens::municipality_code.eq(code))
        .select(citizens::id)
}

/// Adds `$column IN ($subquery of the scope's municipality)` when the scope names one.
macro_rules! in_municipality {
    ($query:expr, $scope:expr, $column:expr, $subquery:ident) => {{
        let mut query = $query;
        if let Some(code) = &$scope.municipality_code {
            query = query.filter($column.eq_any($subquery(code.clone())));
        }
        query
    }};
}

fn peers(
    conn: &mut DbConnection,
    scope: &ReportScope,
    figures: &mut ReportFigures,
) -> QueryResult<()> {
    let (programme, starts, ends) = (scope.programme_id, scope.starts(), scope.ends());
    let recruited = peer_workers::table
        .filter(peer_workers::id.eq_any(peers_of(programme)))
        .filter(peer_workers::created_at.ge(starts))
        .filter(peer_workers::created_at.lt(ends))
        .count()
        .into_boxed();
    figures.peers_recruited =
        in_municipality!(recruited, scope, peer_workers::id, peers_serving).get_result(conn)?;
    let active = peer_workers::table
        .filter(peer_workers::id.eq_any(peers_of(programme)))
        .filter(peer_workers::status.eq(PeerWorkerStatus::Active.as_str()))
        .count()
        .into_boxed();
    figures.peers_active =
        in_municipality!(active, scope, peer_workers::id, peers_serving).get_result(conn)?;
    let trained = training_cohort_enrolments::table
        .filter(
            training_cohort_enrolments::training_cohort_id.eq_any(
                training_cohorts::table
                    .filter(training_cohorts::programme_id.eq(programme))
                    .select(training_cohorts::id),
            ),
        )
        .filter(training_cohort_enrolments::outcome.eq(EnrolmentOutcome::Completed.as_str()))
        .filter(training_cohort_enrolments::completed_on.between(scope.from, scope.to))
        .select(count(training_cohort_enrolments::peer_worker_id).aggregate_distinct())
        .into_boxed();
    let column = training_cohort_enrolments::peer_worker_id;
    figures.peers_trained =
        in_municipality!(trained, scope, column, peers_serving).get_result(conn)?;
    let supervised = supervision_attendees::table
        .inner_join(supervision_sessions::table)
        .filter(supervision_sessions::date.between(scope.from, scope.to))
        .filter(supervision_attendees::peer_worker_id.eq_any(peers_of(programme)))
        .filter(
            supervision_attendees::peer_worker_id.eq_any(
                peer_workers::table
                    .filter(peer_workers::status.eq(PeerWorkerStatus::Active.as_str()))
                    .select(peer_workers::id),
            ),
        )
        .select(count(supervision_attendees::peer_worker_id).aggregate_distinct())
        .into_boxed();
    let column = supervision_attendees::peer_worker_id;
    figures.peers_supervised =
        in_municipality!(supervised, scope, column, peers_serving).get_result(conn)?;
    Ok(())
}

/// Citizens reached: the distinct citizens of the `UNION` of the programme's support courses
/// open during the period (not cancelled) and the places (`enrolled`, taken by the period's
/// end) on its courses with a session in the period — one statement, one hashed set, instead
/// of three counts over the same rows. Written in SQL because the query builder cannot count
/// the rows of a `UNION`; the same text runs on both databases (`$n` becomes SQLite's `?n`).
fn citizens_reached(conn: &mut DbConnection, scope: &ReportScope) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Reached {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        reached: i64,
    }
    const REACHED: &str = "SELECT COUNT(*) AS reached FROM ( \
        SELECT citizen_id FROM support_courses \
        WHERE programme_id = $1 AND created_at < $3 \
        AND (closed_at IS NULL OR closed_at >= $2) AND status <> $4 \
        UNION \
        SELECT citizen_id FROM course_enrolments \
        WHERE course_id IN (SELECT id FROM courses WHERE programme_id = $1 AND id IN ( \
        SELECT course_id FROM course_sessions WHERE starts_at >= $2 AND starts_at < $3)) \
        AND status = $5 AND created_at < $3 AND citizen_id IS NOT NULL) reached";
    const RESIDENTS: &str =
        " WHERE citizen_id IN (SELECT id FROM citizens WHERE municipality_code = $6)";
    use diesel::sql_types::{Text, Timestamp};
    let mut sql = REACHED.to_owned();
    if scope.municipality_code.is_some() {
        sql.push_str(RESIDENTS);
    }
    if matches!(conn, DbConnection::Sqlite(_)) {
        sql = sql.replace('$', "?");
    }
    let query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Text, _>(scope.programme_id)
        .bind::<Timestamp, _>(scope.starts())
        .bind::<Timestamp, _>(scope.ends())
        .bind::<Text, _>(SupportStatus::Cancelled.as_str())
        .bind::<Text, _>(EnrolmentStatus::Enrolled.as_str());
    let query = match &scope.municipality_code {
        Some(code) => query.bind::<Text, _>(code.clone()),
        None => query,
    };
    Ok(query.get_result::<Reached>(conn)?.reached)
}

fn support(
    conn: &mut DbConnection,
    scope: &ReportScope,
    figures: &mut ReportFigures,
) -> QueryResult<()> {
    let (programme, starts, ends) = (scope.programme_id, scope.starts(), scope.ends());
    let open = support_courses::programme_id
        .eq(programme)
        .and(support_courses::created_at.lt(ends))
        .and(
            support_courses::closed_at
                .is_null()
                .or(support_courses::closed_at.ge(starts)),
        );
    figures.citizens_reached = citizens_reached(conn, scope)?;

    let by_status = support_courses::table
        .filter(open)
        .group_by((support_courses::model, support_courses::status))
        .select((
            support_courses::model,
            support_courses::status,
            count_star(),
        ))
        .into_boxed();
    let column = support_courses::citizen_id;
    figures.support_courses = in_municipality!(by_status, scope, column, residents).load(conn)?;
    let started = support_courses::table
        .filter(support_courses::programme_id.eq(programme))
        .filter(support_courses::created_at.ge(starts))
        .filter(support_courses::created_at.lt(ends))
        .count()
        .into_boxed();
    figures.support_courses_started =
        in_municipality!(started, scope, column, residents).get_result(conn)?;
    let contacts = contacts::table
        .filter(contacts::programme_id.eq(programme))
        .filter(contacts::date.between(scope.from, scope.to))
        .select((count_star(), sum(contacts::minutes)))
        .into_boxed();
    let column = contacts::support_course_id;
    let (count, minutes): (i64, Option<i64>) =
        in_municipality!(contacts, scope, column, support_courses_of_residents).get_result(conn)?;
    (figures.contacts, figures.contact_minutes) = (count, minutes.unwrap_or(0));
    let goals = goals::table
        .filter(goals::programme_id.eq(programme))
        .filter(goals::support_course_id.eq_any(open_support_courses(programme, starts, ends)))
        .group_by(goals::status)
        .select((goals::status, count_star()))
        .into_boxed();
    let column = goals::support_course_id;
    figures.goals =
        in_municipality!(goals, scope, column, support_courses_of_residents).load(conn)?;
    Ok(())
}

fn teaching(
    conn: &mut DbConnection,
    scope: &ReportScope,
    figures: &mut ReportFigures,
) -> QueryResult<()> {
    let (programme, starts, ends) = (scope.programme_id, scope.starts(), scope.ends());
    let held = courses::programme_id
        .eq(programme)
        .and(courses::id.eq_any(courses_held(starts, ends)));
    let in_period = course_sessions::starts_at
        .ge(starts)
        .and(course_sessions::starts_at.lt(ends));
    let provider = courses::provider_organisation_id;
    let query = courses::table
        .filter(held)
        .group_by(courses::format)
        .select((courses::format, count_star()))
        .into_boxed();
    figures.courses = in_municipality!(query, scope, provider, organisations_in).load(conn)?;
    let query = course_sessions::table
        .inner_join(courses::table)
        .filter(courses::programme_id.eq(programme))
        .filter(in_period)
        .group_by(courses::format)
        .select((courses::format, count_star()))
        .into_boxed();
    figures.sessions = in_municipality!(query, scope, provider, organisations_in).load(conn)?;
    let enrolled = course_enrolments::table
        .inner_join(courses::table)
        .filter(held)
        .filter(course_enrolments::status.eq(EnrolmentStatus::Enrolled.as_str()));
    let by_type = (courses::format, course_enrolments::participant_type);
    let select = (
        courses::format,
        course_enrolments::participant_type,
        count_star(),
    );
    figures.participants = match &scope.municipality_code {
        Some(code) => enrolled
            .filter(provider.eq_any(organisations_in(code.clone())))
            .group_by(by_type)
            .select(select)
            .load(conn)?,
        None => enrolled.group_by(by_type).select(select).load(conn)?,
    };
    let marks = course_attendance::table
        .inner_join(course_sessions::table.inner_join(courses::table))
        .filter(courses::programme_id.eq(programme))
        .filter(in_period);
    let by_mark = (courses::format, course_attendance::status);
    let select = (courses::format, course_attendance::status, count_star());
    figures.attendance = match &scope.municipality_code {
        Some(code) => marks
            .filter(provider.eq_any(organisations_in(code.clone())))
            .group_by(by_mark)
            .select(select)
            .load(conn)?,
        None => marks.group_by(by_mark).select(select).load(conn)?,
    };
    Ok(())
}

fn bridges(
    conn: &mut DbConnection,
    scope: &ReportScope,
    figures: &mut ReportFigures,
) -> QueryResult<()> {
    let (programme, starts, ends) = (scope.programme_id, scope.starts(), scope.ends());
    let sent = referrals::programme_id
        .eq(programme)
        .and(referrals::sent_at.ge(starts))
        .and(referrals::sent_at.lt(ends));
    let column = referrals::citizen_id;
    let by_status = referrals::table
        .filter(sent)
        .group_by((referrals::target_kind, referrals::status))
        .select((referrals::target_kind, referrals::status, count_star()))
        .into_boxed();
    figures.referrals = in_municipality!(by_status, scope, column, residents).load(conn)?;
    let accepted = referrals::table
        .filter(sent)
        .filter(referrals::accepted_at.is_not_null())
        .select((
            referrals::sent_at.assume_not_null(),
            referrals::accepted_at.assume_not_null(),
        ))
        .into_boxed();
    figures.accepted = in_municipality!(accepted, scope, column, residents).load(conn)?;

    let supported = support_courses::table
        .filter(support_courses::programme_id.eq(programme))
        .select(support_courses::citizen_id);
    // Moves into employment are the statuses with retention checks: one read of the period's
    // checks with their status gives the moves, their citizens and the checks' outcomes.
    let column = employment_statuses::citizen_id;
    let checks = retention_checks::table
        .inner_join(employment_statuses::table)
        .filter(employment_statuses::citizen_id.eq_any(supported))
        .filter(employment_statuses::effective_on.between(scope.from, scope.to))
        .select((
            employment_statuses::id,
            employment_statuses::citizen_id,
            retention_checks::months_after,
            retention_checks::outcome,
        ))
        .into_boxed();
    let checks: Vec<(String, String, i32, Option<RetentionOutcome>)> =
        in_municipality!(checks, scope, column, residents).load(conn)?;
    let moves: HashSet<&str> = checks.iter().map(|c| c.0.as_str()).collect();
    let citizens: HashSet<&str> = checks.iter().map(|c| c.1.as_str()).collect();
    (figures.employment_moves, figures.citizens_employed) = (count_of(&moves), count_of(&citizens));
    let mut retention: BTreeMap<(i32, Option<RetentionOutcome>), i64> = BTreeMap::new();
    for &(_, _, months, outcome) in &checks {
        *retention.entry((months, outcome)).or_default() += 1;
    }
    figures.retention = retention
        .into_iter()
        .map(|((months, outcome), n)| (months, outcome, n))
        .collect();
    Ok(())
}

fn count_of<T>(set: &HashSet<T>) -> i64 {
    i64::try_from(set.len()).unwrap_or(i64::MAX)
}

/// Every stored figure of the report: 17 statements over the period's facts of the programme,
/// in one read-only transaction so that every figure counts the same snapshot (on PostgreSQL
/// `REPEATABLE READ`; on SQLite the deferred transaction's snapshot, taken at its first read).
/// On PostgreSQL the statements are planned for the period asked each time
/// (`plan_cache_mode = force_custom_plan`): a generic plan, which PostgreSQL may choose for a
/// prepared statement from its sixth run on, knows neither the period nor the programme, and
/// measured one report at 348 ms instead of 190.
pub fn figures(conn: &mut DbConnection, scope: &ReportScope) -> QueryResult<ReportFigures> {
    conn.transaction(|conn| {
        if let DbConnection::Postgresql(pg) = conn {
            pg.batch_execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; \
                 SET LOCAL plan_cache_mode = force_custom_plan",
            )?;
        }
        let mut figures = ReportFigures::default();
        peers(conn, scope, &mut figures)?;
        support(conn, scope, &mut figures)?;
        teaching(conn, scope, &mut figures)?;
        bridges(conn, scope, &mut figures)?;
        figures.targets = programme_targets::table
            .filter(programme_targets::programme_id.eq(scope.programme_id))
            .order((programme_targets::metric, programme_targets::id))
            .select((
                programme_targets::metric,
                programme_targets::value,
                programme_targets::deadline,
            ))
            .load(conn)?;
        Ok(figures)
    })
}
