//! What `GET /programmes/{id}/report` answers: aggregates only, no personal data. Every count
//! says which facts it counts and which date places a fact in the period `[from, to]`.

use brobygger_domain::course::CourseFormat;
use brobygger_domain::programme::Metric;
use brobygger_domain::referral::{ReferralStatus, TargetKind};
use brobygger_domain::support_course::{GoalStatus, SupportModel, SupportStatus};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The period and municipality of a report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// The first day of the period (default: the programme's start date).
    pub from: Option<NaiveDate>,
    /// The last day of the period, included (default: the programme's end date, or today).
    /// Not before `from` (else `422`).
    pub to: Option<NaiveDate>,
    /// Only facts of this municipality (an official 3-digit code): citizens living there,
    /// peer workers serving it, courses of a provider organisation in it.
    pub municipality_code: Option<String>,
}

/// The peer workforce.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"recruited": 3, "trained": 2, "active": 2, "supervised": 1, "supervision_coverage": 0.5}))]
pub struct PeerFigures {
    /// Peer workers of the programme registered in the period (their record's creation date).
    pub recruited: i64,
    /// Distinct peer workers who completed a training cohort of the programme, the completion
    /// date in the period.
    pub trained: i64,
    /// Peer workers of the programme whose status is `active` when the report is asked.
    pub active: i64,
    /// Of the active ones, how many attended a supervision session dated in the period.
    pub supervised: i64,
    /// `supervised ÷ active`; `null` when none is active.
    pub supervision_coverage: Option<f64>,
}

/// Support courses of one model in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"model": "employment_support", "status": "active", "count": 8}))]
pub struct SupportCourseCount {
    pub model: SupportModel,
    /// The current status.
    pub status: SupportStatus,
    pub count: i64,
}

/// One-to-one support.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"started": 10, "by_model_and_status": [{"model": "employment_support", "status": "active", "count": 8}]}))]
pub struct SupportFigures {
    /// Support courses of the programme created in the period.
    pub started: i64,
    /// Support courses open at some time in the period (created on or before `to`, not closed
    /// before `from`), by model and current status.
    pub by_model_and_status: Vec<SupportCourseCount>,
}

/// Contacts and the time spent.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"count": 40, "minutes": 2700, "hours": 45.0}))]
pub struct ContactFigures {
    /// Contacts of the programme's support courses dated in the period.
    pub count: i64,
    pub minutes: i64,
    /// `minutes ÷ 60`, to two decimals.
    pub hours: f64,
}

/// Goals in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"status": "achieved", "count": 3}))]
pub struct GoalCount {
    /// The current status.
    pub status: GoalStatus,
    /// Goals of the support courses open in the period.
    pub count: i64,
}

/// Courses of one format.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"format": "recovery_college", "courses": 1, "sessions": 4, "participants": 9, "attendance_rate": 0.8}))]
pub struct CourseFigures {
    pub format: CourseFormat,
    /// Courses of the programme with a session starting in the period.
    pub courses: i64,
    /// Their sessions starting in the period.
    pub sessions: i64,
    /// Participants with a place (`enrolled`) on those courses.
    pub participants: i64,
    /// `present ÷` attendance marks recorded for the sessions in the period; `null` when none.
    pub attendance_rate: Option<f64>,
}

/// Participants of one type, across the courses counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"participant_type": "relative", "count": 3}))]
pub struct ParticipantCount {
    /// `citizen` (a registered citizen) or the outside participant's type (`relative`,
    /// `professional`, `peer`, `other`).
    pub participant_type: String,
    pub count: i64,
}

/// Referrals to one kind of target in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"target_kind": "jobcentre", "status": "accepted", "count": 3}))]
pub struct ReferralCount {
    pub target_kind: TargetKind,
    /// The current status.
    pub status: ReferralStatus,
    pub count: i64,
}

/// Bridge-building.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"sent": 5, "by_target_kind_and_status": [{"target_kind": "jobcentre", "status": "accepted", "count": 3}], "accepted": 3, "median_days_sent_to_accepted": 6.0}))]
pub struct ReferralFigures {
    /// Referrals of the programme's support courses sent in the period (their `sent` date).
    pub sent: i64,
    pub by_target_kind_and_status: Vec<ReferralCount>,
    /// How many of them were accepted (at any time).
    pub accepted: i64,
    /// The median of the calendar days from sent to accepted over those; `null` when none.
    pub median_days_sent_to_accepted: Option<f64>,
}

/// The retention checks at one follow-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"months_after": 3, "retained": 1, "not_retained": 0, "unknown": 0, "pending": 1, "rate": 1.0}))]
pub struct RetentionFigures {
    /// 3, 6 or 12.
    pub months_after: i32,
    pub retained: i64,
    pub not_retained: i64,
    pub unknown: i64,
    /// Not yet recorded.
    pub pending: i64,
    /// `retained ÷ (retained + not_retained)`; `null` when neither was recorded.
    pub rate: Option<f64>,
}

/// Employment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"moves": 2, "citizens": 2, "retention": [{"months_after": 3, "retained": 1, "not_retained": 0, "unknown": 0, "pending": 1, "rate": 1.0}]}))]
pub struct EmploymentFigures {
    /// Moves into employment (employment statuses with retention checks) of citizens with a
    /// support course of the programme, effective in the period.
    pub moves: i64,
    /// Distinct citizens among them.
    pub citizens: i64,
    /// The retention checks of those moves, at 3, 6 and 12 months (whenever recorded).
    pub retention: Vec<RetentionFigures>,
}

/// A target beside its measured value.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"metric": "citizens_reached", "target": 250, "deadline": "2022-12-31", "measured": 12, "share": 0.048}))]
pub struct TargetFigures {
    pub metric: Metric,
    pub target: i64,
    pub deadline: Option<NaiveDate>,
    /// The report's figure for the metric over the period: `peers_trained` = peers.trained,
    /// `peers_active` = peers.active, `citizens_reached`, `support_courses_started` =
    /// support_courses.started, `courses_held` = the courses counted, `referrals_made` =
    /// referrals.sent, `citizens_in_employment` = employment.citizens.
    pub measured: i64,
    /// `measured ÷ target`; `null` for a target of 0.
    pub share: Option<f64>,
}

/// The programme report for a period (and optionally one municipality): aggregates only.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "from": "2021-01-01", "to": "2021-12-31", "municipality_code": null,
    "peers": {"recruited": 3, "trained": 2, "active": 2, "supervised": 1, "supervision_coverage": 0.5},
    "citizens_reached": 12,
    "support_courses": {"started": 10, "by_model_and_status": [{"model": "employment_support", "status": "active", "count": 8}]},
    "contacts": {"count": 40, "minutes": 2700, "hours": 45.0},
    "goals": [{"status": "achieved", "count": 3}],
    "courses": [{"format": "recovery_college", "courses": 1, "sessions": 4, "participants": 9, "attendance_rate": 0.8}],
    "participants": [{"participant_type": "citizen", "count": 6}, {"participant_type": "relative", "count": 3}],
    "referrals": {"sent": 5, "by_target_kind_and_status": [{"target_kind": "jobcentre", "status": "accepted", "count": 3}], "accepted": 3, "median_days_sent_to_accepted": 6.0},
    "employment": {"moves": 2, "citizens": 2, "retention": [{"months_after": 3, "retained": 1, "not_retained": 0, "unknown": 0, "pending": 1, "rate": 1.0}]},
    "targets": [{"metric": "citizens_reached", "target": 250, "deadline": "2022-12-31", "measured": 12, "share": 0.048}]
}))]
pub struct ProgrammeReport {
    pub programme_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub municipality_code: Option<String>,
    pub peers: PeerFigures,
    /// Distinct citizens with a support course of the programme open at some time in the
    /// period (not cancelled), or with a place (`enrolled`, created by `to`) on a course of
    /// the programme with a session in the period.
    pub citizens_reached: i64,
    pub support_courses: SupportFigures,
    pub contacts: ContactFigures,
    pub goals: Vec<GoalCount>,
    pub courses: Vec<CourseFigures>,
    pub participants: Vec<ParticipantCount>,
    pub referrals: ReferralFigures,
    pub employment: EmploymentFigures,
    pub targets: Vec<TargetFigures>,
}
