//! The programme report's aggregate queries: each figure is one `COUNT`/`SUM` over the facts
//! of the period (grouped where the report breaks it down), never rows loaded and counted.
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
use diesel::dsl::{count, count_star, sum};
use diesel::prelude::*;

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
    // Citizens reached: |supported ∪ enrolled| = |supported| + |enrolled| − |both|, each a
    // COUNT(DISTINCT) over the period's rows of one covering index (no scan of all citizens).
    let enrolled = course_enrolments::table
        .filter(
            course_enrolments::course_id.eq_any(
                courses::table
                    .filter(courses::programme_id.eq(programme))
                    .filter(courses::id.eq_any(courses_held(starts, ends)))
                    .select(courses::id),
            ),
        )
        .filter(course_enrolments::status.eq(EnrolmentStatus::Enrolled.as_str()))
        .filter(course_enrolments::created_at.lt(ends))
        .filter(course_enrolments::citizen_id.is_not_null());
    let column = support_courses::citizen_id;
    let distinct_supported = support_courses::table
        .filter(open)
        .filter(support_courses::status.ne(SupportStatus::Cancelled.as_str()))
        .select(count(support_courses::citizen_id).aggregate_distinct())
        .into_boxed();
    let n_supported: i64 =
        in_municipality!(distinct_supported, scope, column, residents).get_result(conn)?;
    let column = course_enrolments::citizen_id.assume_not_null();
    let distinct_enrolled = enrolled
        .select(count(course_enrolments::citizen_id).aggregate_distinct())
        .into_boxed();
    let n_enrolled: i64 =
        in_municipality!(distinct_enrolled, scope, column, residents).get_result(conn)?;
    let supported = support_courses::table
        .filter(open)
        .filter(support_courses::status.ne(SupportStatus::Cancelled.as_str()))
        .select(support_courses::citizen_id);
    let mut both = citizens::table
        .filter(citizens::id.eq_any(supported))
        .filter(
            citizens::id
                .nullable()
                .eq_any(enrolled.select(course_enrolments::citizen_id)),
        )
        .count()
        .into_boxed();
    if let Some(code) = &scope.municipality_code {
        both = both.filter(citizens::municipality_code.eq(code.clone()));
    }
    let n_both: i64 = both.get_result(conn)?;
    figures.citizens_reached = n_supported + n_enrolled - n_both;

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
    let column = employment_statuses::citizen_id;
    let moves = employment_statuses::table
        .filter(employment_statuses::citizen_id.eq_any(supported))
        .filter(employment_statuses::effective_on.between(scope.from, scope.to))
        .filter(
            employment_statuses::id
                .eq_any(retention_checks::table.select(retention_checks::employment_status_id)),
        )
        .select((
            count_star(),
            count(employment_statuses::citizen_id).aggregate_distinct(),
        ))
        .into_boxed();
    (figures.employment_moves, figures.citizens_employed) =
        in_municipality!(moves, scope, column, residents).get_result(conn)?;
    let retention = retention_checks::table
        .inner_join(employment_statuses::table)
        .filter(employment_statuses::citizen_id.eq_any(supported))
        .filter(employment_statuses::effective_on.between(scope.from, scope.to))
        .group_by((retention_checks::months_after, retention_checks::outcome))
        .select((
            retention_checks::months_after,
            retention_checks::outcome,
            count_star(),
        ))
        .into_boxed();
    figures.retention = in_municipality!(retention, scope, column, residents).load(conn)?;
    Ok(())
}

/// Every stored figure of the report: 20 statements, each one aggregate over the period's
/// facts of the programme (the accepted referrals' two instants are the only rows read).
pub fn figures(conn: &mut DbConnection, scope: &ReportScope) -> QueryResult<ReportFigures> {
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
}
