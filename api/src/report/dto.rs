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

/// A count of citizens or of facts about citizens. For admins and coordinators always exact
/// (`suppressed: false`). For evaluators (and integration clients) a count below 5 is
/// suppressed — `{"value": null, "suppressed": true}`, never a number — and so are as many
/// further counts as it takes that no suppressed count can be recovered by subtracting shown
/// counts from a shown total (secondary suppression: wherever counts add up to a total shown
/// in the report, that sum has no suppressed member or at least two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"value": 12, "suppressed": false}))]
pub struct Count {
    /// The count; `null` exactly when suppressed.
    pub value: Option<i64>,
    pub suppressed: bool,
}

impl Count {
    pub fn exact(value: i64) -> Self {
        Self {
            value: Some(value),
            suppressed: false,
        }
    }

    pub fn hidden() -> Self {
        Self {
            value: None,
            suppressed: true,
        }
    }
}

/// A rate, median or amount computed over citizens' facts. `value` is `null` when there is
/// nothing to compute it over (`suppressed: false`); for evaluators it is suppressed
/// (`{"value": null, "suppressed": true}`) when computed over fewer than 5 citizens or facts,
/// or from a suppressed count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"value": 0.8, "suppressed": false}))]
pub struct Amount {
    /// The figure; `null` when undefined or suppressed.
    pub value: Option<f64>,
    pub suppressed: bool,
}

impl Amount {
    pub fn exact(value: Option<f64>) -> Self {
        Self {
            value,
            suppressed: false,
        }
    }

    pub fn hidden() -> Self {
        Self {
            value: None,
            suppressed: true,
        }
    }
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
#[schema(example = json!({"model": "employment_support", "status": "active", "count": {"value": 8, "suppressed": false}}))]
pub struct SupportCourseCount {
    pub model: SupportModel,
    /// The current status.
    pub status: SupportStatus,
    /// Suppressed for evaluators.
    pub count: Count,
}

/// One-to-one support.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"started": {"value": 10, "suppressed": false}, "by_model_and_status": [{"model": "employment_support", "status": "active", "count": {"value": 8, "suppressed": false}}]}))]
pub struct SupportFigures {
    /// Support courses of the programme created in the period. Suppressed for evaluators.
    pub started: Count,
    /// Support courses open at some time in the period (created on or before `to`, not closed
    /// before `from`), by model and current status.
    pub by_model_and_status: Vec<SupportCourseCount>,
}

/// Contacts and the time spent.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"count": {"value": 40, "suppressed": false}, "minutes": {"value": 2700, "suppressed": false}, "hours": {"value": 45.0, "suppressed": false}}))]
pub struct ContactFigures {
    /// Contacts of the programme's support courses dated in the period. Suppressed for
    /// evaluators.
    pub count: Count,
    /// Their minutes; suppressed with `count`.
    pub minutes: Count,
    /// `minutes ÷ 60`, to two decimals; suppressed with `count`.
    pub hours: Amount,
}

/// Goals in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"status": "achieved", "count": {"value": 3, "suppressed": false}}))]
pub struct GoalCount {
    /// The current status.
    pub status: GoalStatus,
    /// Goals of the support courses open in the period. Suppressed for evaluators.
    pub count: Count,
}

/// Courses of one format.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"format": "recovery_college", "courses": 1, "sessions": 4, "participants": {"value": 9, "suppressed": false}, "attendance_rate": {"value": 0.8, "suppressed": false}}))]
pub struct CourseFigures {
    pub format: CourseFormat,
    /// Courses of the programme with a session starting in the period.
    pub courses: i64,
    /// Their sessions starting in the period.
    pub sessions: i64,
    /// Participants with a place (`enrolled`) on those courses. Suppressed for evaluators.
    pub participants: Count,
    /// `present ÷` attendance marks recorded for the sessions in the period; `null` when none;
    /// suppressed with `participants`.
    pub attendance_rate: Amount,
}

/// Participants of one type, across the courses counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"participant_type": "relative", "count": {"value": 3, "suppressed": false}}))]
pub struct ParticipantCount {
    /// `citizen` (a registered citizen) or the outside participant's type (`relative`,
    /// `professional`, `peer`, `other`).
    pub participant_type: String,
    /// Suppressed for evaluators.
    pub count: Count,
}

/// Referrals to one kind of target in one status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"target_kind": "jobcentre", "status": "accepted", "count": {"value": 3, "suppressed": false}}))]
pub struct ReferralCount {
    pub target_kind: TargetKind,
    /// The current status.
    pub status: ReferralStatus,
    /// Suppressed for evaluators.
    pub count: Count,
}

/// Bridge-building.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"sent": {"value": 5, "suppressed": false}, "by_target_kind_and_status": [{"target_kind": "jobcentre", "status": "accepted", "count": {"value": 3, "suppressed": false}}], "accepted": {"value": 3, "suppressed": false}, "median_days_sent_to_accepted": {"value": 6.0, "suppressed": false}}))]
pub struct ReferralFigures {
    /// Referrals of the programme's support courses sent in the period (their `sent` date):
    /// the total of `by_target_kind_and_status`. Suppressed for evaluators.
    pub sent: Count,
    pub by_target_kind_and_status: Vec<ReferralCount>,
    /// How many of them were accepted (at any time). Suppressed for evaluators.
    pub accepted: Count,
    /// The median of the calendar days from sent to accepted over those; `null` when none;
    /// suppressed with `accepted`.
    pub median_days_sent_to_accepted: Amount,
}

/// The retention checks at one follow-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"months_after": 3, "retained": {"value": 1, "suppressed": false}, "not_retained": {"value": 0, "suppressed": false}, "unknown": {"value": 0, "suppressed": false}, "pending": {"value": 1, "suppressed": false}, "rate": {"value": 1.0, "suppressed": false}}))]
pub struct RetentionFigures {
    /// 3, 6 or 12.
    pub months_after: i32,
    /// The four outcomes add up to `employment.moves`; each is suppressed for evaluators.
    pub retained: Count,
    pub not_retained: Count,
    pub unknown: Count,
    /// Not yet recorded.
    pub pending: Count,
    /// `retained ÷ (retained + not_retained)`; `null` when neither was recorded; suppressed
    /// when either is.
    pub rate: Amount,
}

/// Employment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"moves": {"value": 2, "suppressed": false}, "citizens": {"value": 2, "suppressed": false}, "retention": [{"months_after": 3, "retained": {"value": 1, "suppressed": false}, "not_retained": {"value": 0, "suppressed": false}, "unknown": {"value": 0, "suppressed": false}, "pending": {"value": 1, "suppressed": false}, "rate": {"value": 1.0, "suppressed": false}}]}))]
pub struct EmploymentFigures {
    /// Moves into employment (employment statuses with retention checks) of citizens with a
    /// support course of the programme, effective in the period. Suppressed for evaluators.
    pub moves: Count,
    /// Distinct citizens among them. Suppressed for evaluators.
    pub citizens: Count,
    /// The retention checks of those moves, at 3, 6 and 12 months (whenever recorded).
    pub retention: Vec<RetentionFigures>,
}

/// A target beside its measured value.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"metric": "citizens_reached", "target": 250, "deadline": "2022-12-31", "measured": {"value": 12, "suppressed": false}, "share": {"value": 0.048, "suppressed": false}}))]
pub struct TargetFigures {
    pub metric: Metric,
    pub target: i64,
    pub deadline: Option<NaiveDate>,
    /// The report's figure for the metric over the period: `peers_trained` = peers.trained,
    /// `peers_active` = peers.active, `citizens_reached`, `support_courses_started` =
    /// support_courses.started, `courses_held` = the courses counted, `referrals_made` =
    /// referrals.sent, `citizens_in_employment` = employment.citizens; suppressed with that
    /// figure.
    pub measured: Count,
    /// `measured ÷ target`; `null` for a target of 0; suppressed with `measured`.
    pub share: Amount,
}

/// The programme report for a period (and optionally one municipality): aggregates only.
///
/// Figures about citizens are `Count`s and `Amount`s: exact for admins and coordinators,
/// small counts suppressed for evaluators. Suppressed: citizens reached; support courses
/// (started, by model and status); contacts, their minutes and hours; goals; participants (by
/// format and by type, which add up to the same total); referrals (sent = the total of
/// `by_target_kind_and_status`, accepted, the median); moves into employment, citizens in
/// employment and retention (each follow-up's four outcomes add up to `moves`); every rate,
/// median or target share computed from a suppressed count. Not suppressed (not about
/// citizens): peer workers' figures, courses and sessions, targets themselves.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "from": "2021-01-01", "to": "2021-12-31", "municipality_code": null,
    "peers": {"recruited": 3, "trained": 2, "active": 2, "supervised": 1, "supervision_coverage": 0.5},
    "citizens_reached": {"value": 12, "suppressed": false},
    "support_courses": {"started": {"value": 10, "suppressed": false}, "by_model_and_status": [{"model": "employment_support", "status": "active", "count": {"value": 8, "suppressed": false}}]},
    "contacts": {"count": {"value": 40, "suppressed": false}, "minutes": {"value": 2700, "suppressed": false}, "hours": {"value": 45.0, "suppressed": false}},
    "goals": [{"status": "achieved", "count": {"value": 3, "suppressed": false}}],
    "courses": [{"format": "recovery_college", "courses": 1, "sessions": 4, "participants": {"value": 9, "suppressed": false}, "attendance_rate": {"value": 0.8, "suppressed": false}}],
    "participants": [{"participant_type": "citizen", "count": {"value": 6, "suppressed": false}}, {"participant_type": "relative", "count": {"value": 3, "suppressed": false}}],
    "referrals": {"sent": {"value": 5, "suppressed": false}, "by_target_kind_and_status": [{"target_kind": "jobcentre", "status": "accepted", "count": {"value": 3, "suppressed": false}}], "accepted": {"value": 3, "suppressed": false}, "median_days_sent_to_accepted": {"value": 6.0, "suppressed": false}},
    "employment": {"moves": {"value": 2, "suppressed": false}, "citizens": {"value": 2, "suppressed": false}, "retention": [{"months_after": 3, "retained": {"value": 1, "suppressed": false}, "not_retained": {"value": 0, "suppressed": false}, "unknown": {"value": 0, "suppressed": false}, "pending": {"value": 1, "suppressed": false}, "rate": {"value": 1.0, "suppressed": false}}]},
    "targets": [{"metric": "citizens_reached", "target": 250, "deadline": "2022-12-31", "measured": {"value": 12, "suppressed": false}, "share": {"value": 0.048, "suppressed": false}}]
}))]
pub struct ProgrammeReport {
    pub programme_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub municipality_code: Option<String>,
    pub peers: PeerFigures,
    /// Distinct citizens with a support course of the programme open at some time in the
    /// period (not cancelled), or with a place (`enrolled`, created by `to`) on a course of
    /// the programme with a session in the period. Suppressed for evaluators.
    pub citizens_reached: Count,
    pub support_courses: SupportFigures,
    pub contacts: ContactFigures,
    pub goals: Vec<GoalCount>,
    pub courses: Vec<CourseFigures>,
    pub participants: Vec<ParticipantCount>,
    pub referrals: ReferralFigures,
    pub employment: EmploymentFigures,
    pub targets: Vec<TargetFigures>,
}
