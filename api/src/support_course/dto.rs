//! What `/support-courses` reads and writes.

use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::contact::dto::Contact;
use crate::goal::dto::Goal;
use crate::workflow::StatusChange;
use brobygger_domain::support_course::{SupportModel, SupportStatus};
use brobygger_persistence::support_course::SupportCourseRow;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One citizen's support course.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000001",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "model": "peer_guide",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "coordinator_user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "context": "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15",
    "planned_end_date": "2027-05-15",
    "status": "matched",
    "status_history": [
        {"status": "requested", "at": "2026-11-16T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "matched", "at": "2026-11-18T13:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "Anna lives nearby and speaks Arabic"}
    ],
    "version": 3,
    "created_at": "2026-11-16T09:00:00Z",
    "updated_at": "2026-11-18T13:00:00Z"
}))]
pub struct SupportCourse {
    pub id: Uuid,
    pub citizen_id: Uuid,
    pub model: SupportModel,
    pub programme_id: Uuid,
    pub peer_worker_id: Option<Uuid>,
    pub coordinator_user_id: Option<Uuid>,
    /// How the course came about (e.g. discharged from a ward on a date; referred by the jobcentre).
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
    /// Changes only through `POST /support-courses/{id}/transitions`.
    pub status: SupportStatus,
    pub status_history: Vec<StatusChange>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(SupportCourse);

impl SupportCourse {
    pub fn from_row(row: SupportCourseRow, status_history: Vec<StatusChange>) -> Self {
        Self {
            id: row.id.into(),
            citizen_id: row.citizen_id.into(),
            model: row.model,
            programme_id: row.programme_id.into(),
            peer_worker_id: row.peer_worker_id.map(Uuid::from),
            coordinator_user_id: row.coordinator_user_id.map(Uuid::from),
            context: row.context,
            planned_end_date: row.planned_end_date,
            status: row.status,
            status_history,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A new support course.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "model": "peer_guide",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "context": "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15",
    "planned_end_date": "2027-05-15"
}))]
pub struct SupportCourseInput {
    pub citizen_id: Uuid,
    pub model: SupportModel,
    /// Must offer `model`.
    pub programme_id: Uuid,
    /// An active peer worker holding `peer_guide`, with spare capacity.
    pub peer_worker_id: Option<Uuid>,
    /// A coordinator of one of the programme's partner organisations.
    pub coordinator_user_id: Option<Uuid>,
    #[schema(max_length = 10000)]
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
}

impl FieldRules for SupportCourseInput {}

/// A JSON merge patch of a support course: `peer_worker_id`, `coordinator_user_id`,
/// `context`, `planned_end_date`. The status changes only through transitions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d8-0000-7000-8000-000000000003", "planned_end_date": "2027-06-30"}))]
pub struct SupportCoursePatch {
    pub peer_worker_id: Option<Uuid>,
    pub coordinator_user_id: Option<Uuid>,
    #[schema(max_length = 10000)]
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
}

pub const WRITABLE: &[&str] = &[
    "peer_worker_id",
    "coordinator_user_id",
    "context",
    "planned_end_date",
];

/// A move to another status. Ending early and cancelling need a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "active", "reason": "First meeting held"}))]
pub struct SupportCourseTransition {
    pub to: SupportStatus,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for SupportCourseTransition {}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupportCourseFilters {
    pub citizen_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    pub peer_worker_id: Option<Uuid>,
    pub status: Option<SupportStatus>,
    pub model: Option<SupportModel>,
}

/// A candidate peer guide and why it ranks where it does.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "rank": 1,
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "name": "Anna Nielsen",
    "serves_municipality": true,
    "shares_language": true,
    "open_courses": 1,
    "capacity": 4,
    "reasons": ["serves the citizen's municipality", "speaks the citizen's preferred language", "1 of 4 places taken"]
}))]
pub struct CandidateView {
    pub rank: usize,
    pub peer_worker_id: Uuid,
    pub name: String,
    pub serves_municipality: bool,
    pub shares_language: bool,
    pub open_courses: i64,
    pub capacity: i64,
    pub reasons: Vec<String>,
}

/// What the citizen's data export holds of its support courses.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "support_course": {"id": "0193a5d7-0000-7000-8000-000000000001", "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
        "model": "peer_guide", "programme_id": "0193a5d4-0000-7000-8000-000000000001", "peer_worker_id": null,
        "coordinator_user_id": null, "context": null, "planned_end_date": null, "status": "requested",
        "status_history": [{"status": "requested", "at": "2026-11-16T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null}],
        "version": 1, "created_at": "2026-11-16T09:00:00Z", "updated_at": "2026-11-16T09:00:00Z"},
    "goals": [],
    "contacts": []
}))]
pub struct SupportCourseExport {
    pub support_course: SupportCourse,
    pub goals: Vec<Goal>,
    pub contacts: Vec<Contact>,
}
