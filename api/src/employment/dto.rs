//! What employment statuses and retention checks read and write.

use crate::body::FieldRules;
use crate::clock::to_utc;
use brobygger_domain::employment::{EmploymentKind, RetentionCheckState, RetentionOutcome};
use brobygger_persistence::employment::{EmploymentStatusRow, RetentionCheckRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One entry of a citizen's employment timeline: the status from its effective date on.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5da-0000-7000-8000-000000000001",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "effective_on": "2026-01-31",
    "status": "employed_flexjob",
    "hours_per_week": 15,
    "employer_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "retention_check_ids": [
        "0193a5db-0000-7000-8000-000000000001",
        "0193a5db-0000-7000-8000-000000000002",
        "0193a5db-0000-7000-8000-000000000003"
    ],
    "version": 1,
    "created_at": "2026-02-02T09:00:00Z",
    "updated_at": "2026-02-02T09:00:00Z"
}))]
pub struct EmploymentStatus {
    pub id: Uuid,
    pub citizen_id: Uuid,
    /// The first day the status holds.
    pub effective_on: NaiveDate,
    pub status: EmploymentKind,
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<i32>,
    /// An organisation of kind `employer`.
    pub employer_organisation_id: Option<Uuid>,
    /// The user who recorded it.
    pub recorded_by: Uuid,
    /// The retention checks this status created as a job start (3, 6 and 12 months later);
    /// empty when it was no job start.
    pub retention_check_ids: Vec<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(EmploymentStatus, RetentionCheck);

impl EmploymentStatus {
    pub fn from_row(row: EmploymentStatusRow, retention_check_ids: Vec<Uuid>) -> Self {
        Self {
            id: row.id.into(),
            citizen_id: row.citizen_id.into(),
            effective_on: row.effective_on,
            status: row.status,
            hours_per_week: row.hours_per_week,
            employer_organisation_id: row.employer_organisation_id.map(Into::into),
            recorded_by: row.recorded_by.into(),
            retention_check_ids,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A new entry of the employment timeline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"effective_on": "2026-01-31", "status": "employed_flexjob", "hours_per_week": 15,
    "employer_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30"}))]
pub struct EmploymentStatusInput {
    /// The first day the status holds; after the latest entry's (the timeline grows forward).
    pub effective_on: NaiveDate,
    pub status: EmploymentKind,
    /// 0–80.
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<i32>,
    /// An existing organisation of kind `employer`.
    pub employer_organisation_id: Option<Uuid>,
}

impl FieldRules for EmploymentStatusInput {}

/// A follow-up of a job start, 3, 6 or 12 months after it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5db-0000-7000-8000-000000000001",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "employment_status_id": "0193a5da-0000-7000-8000-000000000001",
    "months_after": 3,
    "due_on": "2026-04-30",
    "outcome": "retained",
    "recorded_on": "2026-05-04",
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "status_on_due_date": "employed_flexjob",
    "version": 2,
    "created_at": "2026-02-02T09:00:00Z",
    "updated_at": "2026-05-04T10:30:00Z"
}))]
pub struct RetentionCheck {
    pub id: Uuid,
    pub citizen_id: Uuid,
    /// The job start it follows up.
    pub employment_status_id: Uuid,
    /// 3, 6 or 12.
    pub months_after: i32,
    /// The job start plus `months_after` calendar months (a day the month lacks becomes its
    /// last day: 31 January + 3 months = 30 April).
    pub due_on: NaiveDate,
    /// `null` until recorded; recorded once.
    pub outcome: Option<RetentionOutcome>,
    pub recorded_on: Option<NaiveDate>,
    /// The user who recorded it.
    pub recorded_by: Option<Uuid>,
    /// The citizen's employment status on `due_on`, as the timeline stands now: a hint for
    /// the person recording the check (`null` before the first status).
    pub status_on_due_date: Option<EmploymentKind>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RetentionCheck {
    pub fn from_row(row: RetentionCheckRow, status_on_due_date: Option<EmploymentKind>) -> Self {
        Self {
            id: row.id.into(),
            citizen_id: row.citizen_id.into(),
            employment_status_id: row.employment_status_id.into(),
            months_after: row.months_after,
            due_on: row.due_on,
            outcome: row.outcome,
            recorded_on: row.recorded_on,
            recorded_by: row.recorded_by.map(Into::into),
            status_on_due_date,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// Recording a retention check (a JSON merge patch): the outcome, and the day it was learned
/// (default today; not in the future, not before the job start).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "retained", "recorded_on": "2026-05-04"}))]
pub struct RetentionRecording {
    /// Required.
    pub outcome: Option<RetentionOutcome>,
    pub recorded_on: Option<NaiveDate>,
}

impl FieldRules for RetentionRecording {}

/// What a recording may set.
pub const WRITABLE: &[&str] = &["outcome", "recorded_on"];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RetentionCheckFilters {
    /// Only checks due strictly before this day (`due_before=2026-05-01` lists those due up to
    /// 30 April).
    #[param(example = "2026-05-01")]
    pub due_before: Option<NaiveDate>,
    /// `pending` (not recorded yet) or an outcome.
    #[param(inline)]
    pub status: Option<RetentionCheckState>,
    pub citizen_id: Option<Uuid>,
}
