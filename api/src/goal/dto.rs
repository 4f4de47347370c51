//! What goals and their progress notes read and write.

use crate::body::FieldRules;
use brobygger_domain::support_course::{GoalDomain, GoalStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One dated note on a goal's progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5d9-0000-7000-8000-000000000005", "date": "2026-12-01", "note": "Went to the open day at the folk high school", "self_rating": 6, "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a11", "created_at": "2026-12-01T15:00:00Z"}))]
pub struct Progress {
    pub id: Uuid,
    pub date: NaiveDate,
    pub note: String,
    /// The citizen's own rating, 1–10.
    pub self_rating: Option<i32>,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A goal in the citizen's own words, with its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d9-0000-7000-8000-000000000004",
    "support_course_id": "0193a5d7-0000-7000-8000-000000000001",
    "text": "I want to start at the folk high school after the summer",
    "domain": "education",
    "status": "in_progress",
    "progress": [{"id": "0193a5d9-0000-7000-8000-000000000005", "date": "2026-12-01", "note": "Went to the open day", "self_rating": 6, "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a11", "created_at": "2026-12-01T15:00:00Z"}],
    "version": 2,
    "created_at": "2026-11-20T10:00:00Z",
    "updated_at": "2026-12-01T15:00:00Z"
}))]
pub struct Goal {
    pub id: Uuid,
    pub support_course_id: Uuid,
    pub text: String,
    pub domain: GoalDomain,
    pub status: GoalStatus,
    pub progress: Vec<Progress>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Goal);

/// A new goal, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "I want to start at the folk high school after the summer", "domain": "education"}))]
pub struct GoalInput {
    /// In the citizen's own words.
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
    pub domain: GoalDomain,
    /// Defaults to `open`.
    pub status: Option<GoalStatus>,
}

impl FieldRules for GoalInput {}

/// A JSON merge patch of a goal: `text`, `domain`, `status`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "achieved"}))]
pub struct GoalPatch {
    #[schema(min_length = 1, max_length = 10000)]
    pub text: Option<String>,
    pub domain: Option<GoalDomain>,
    pub status: Option<GoalStatus>,
}

/// A progress note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-01", "note": "Went to the open day at the folk high school", "self_rating": 6}))]
pub struct ProgressInput {
    pub date: NaiveDate,
    #[schema(min_length = 1, max_length = 10000)]
    pub note: String,
    #[schema(minimum = 1, maximum = 10)]
    pub self_rating: Option<i32>,
}

impl FieldRules for ProgressInput {}
