//! What `/training-cohorts` reads and writes: cohorts, their trainers and enrolments.

use crate::body::FieldRules;
use crate::clock::to_utc;
use brobygger_domain::FieldErrors;
use brobygger_domain::peer_worker::QualificationKind;
use brobygger_domain::programme::check_raw_period;
use brobygger_domain::training_cohort::EnrolmentOutcome;
use brobygger_persistence::training_cohort::{EnrolmentRow, TrainerRow, TrainingCohortRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A run of the peer education.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000001",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "provider_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "start_date": "2026-03-01",
    "end_date": "2026-06-30",
    "grants": ["peer_guide", "peer_teacher"],
    "version": 1,
    "created_at": "2026-02-01T10:00:00Z",
    "updated_at": "2026-02-01T10:00:00Z"
}))]
pub struct TrainingCohort {
    pub id: Uuid,
    pub programme_id: Uuid,
    /// The organisation that runs the education (e.g. a Recovery College).
    pub provider_organisation_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// The qualifications completing the cohort grants.
    pub grants: Vec<QualificationKind>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(TrainingCohort, Trainer, Enrolment);

impl TrainingCohort {
    pub fn from_parts(row: TrainingCohortRow, grants: Vec<QualificationKind>) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            provider_organisation_id: row.provider_organisation_id.into(),
            start_date: row.start_date,
            end_date: row.end_date,
            grants,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> TrainingCohortInput {
        TrainingCohortInput {
            programme_id: self.programme_id,
            provider_organisation_id: self.provider_organisation_id,
            start_date: self.start_date,
            end_date: self.end_date,
            grants: self.grants.clone(),
        }
    }
}

/// What a client writes: a new cohort, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "provider_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "start_date": "2026-03-01",
    "end_date": "2026-06-30",
    "grants": ["peer_guide"]
}))]
pub struct TrainingCohortInput {
    /// A programme you manage.
    pub programme_id: Uuid,
    /// Your organisation or a partner of the programme.
    pub provider_organisation_id: Uuid,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub grants: Vec<QualificationKind>,
}

impl FieldRules for TrainingCohortInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        let text = |name: &str| body.get(name).and_then(Value::as_str);
        check_raw_period(text("start_date"), text("end_date"), "end_date", errors);
    }
}

/// A JSON merge patch of a cohort.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2026-07-15", "grants": ["peer_guide", "peer_teacher"]}))]
pub struct TrainingCohortPatch {
    pub provider_organisation_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub grants: Option<Vec<QualificationKind>>,
}

pub const WRITABLE: &[&str] = &[
    "provider_organisation_id",
    "start_date",
    "end_date",
    "grants",
];

/// Filters of the cohort list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingCohortFilters {
    pub programme_id: Option<Uuid>,
    pub provider_organisation_id: Option<Uuid>,
}

// --- Trainers -----------------------------------------------------------------------------------

/// A trainer of a cohort: a peer trainer (an active peer worker holding `peer_trainer`) or a
/// professional (a user).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000002",
    "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "user_id": null,
    "version": 1,
    "created_at": "2026-02-01T10:00:00Z",
    "updated_at": "2026-02-01T10:00:00Z"
}))]
pub struct Trainer {
    pub id: Uuid,
    pub training_cohort_id: Uuid,
    pub peer_worker_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Trainer {
    pub fn from_row(row: TrainerRow) -> Self {
        Self {
            id: row.id.into(),
            training_cohort_id: row.training_cohort_id.into(),
            peer_worker_id: row.peer_worker_id.map(Uuid::from),
            user_id: row.user_id.map(Uuid::from),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A new trainer: exactly one of `peer_worker_id` and `user_id`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d6-0000-7000-8000-000000000001"}))]
pub struct TrainerInput {
    /// A peer trainer: active and holding `peer_trainer`.
    pub peer_worker_id: Option<Uuid>,
    /// A professional: a user of a partner organisation of the programme.
    pub user_id: Option<Uuid>,
}

impl FieldRules for TrainerInput {}

// --- Enrolments ---------------------------------------------------------------------------------

/// A peer worker's place in a cohort and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000003",
    "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "outcome": "completed",
    "completed_on": "2026-06-30",
    "version": 2,
    "created_at": "2026-02-01T10:00:00Z",
    "updated_at": "2026-06-30T15:00:00Z"
}))]
pub struct Enrolment {
    pub id: Uuid,
    pub training_cohort_id: Uuid,
    pub peer_worker_id: Uuid,
    pub outcome: EnrolmentOutcome,
    /// Set with `completed`.
    pub completed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Enrolment {
    pub fn from_row(row: EnrolmentRow) -> Self {
        Self {
            id: row.id.into(),
            training_cohort_id: row.training_cohort_id.into(),
            peer_worker_id: row.peer_worker_id.into(),
            outcome: row.outcome,
            completed_on: row.completed_on,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> EnrolmentOutcomeInput {
        EnrolmentOutcomeInput {
            outcome: self.outcome,
            completed_on: self.completed_on,
        }
    }
}

/// A new enrolment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d6-0000-7000-8000-000000000001"}))]
pub struct EnrolmentInput {
    pub peer_worker_id: Uuid,
}

impl FieldRules for EnrolmentInput {}

/// The outcome of an enrolment, as a merge patch sets it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "completed", "completed_on": "2026-06-30"}))]
pub struct EnrolmentOutcomeInput {
    /// `enrolled → completed | dropped_out`; both are final.
    pub outcome: EnrolmentOutcome,
    /// Required with `completed`, not allowed otherwise.
    pub completed_on: Option<NaiveDate>,
}

impl FieldRules for EnrolmentOutcomeInput {}

pub const ENROLMENT_WRITABLE: &[&str] = &["outcome", "completed_on"];

/// Filters of a cohort's enrolments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentFilters {
    pub outcome: Option<EnrolmentOutcome>,
}
