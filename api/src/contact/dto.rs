//! What contacts read and write.

use crate::body::FieldRules;
use crate::clock::to_utc;
use brobygger_domain::support_course::ContactMode;
use brobygger_persistence::support_course::ContactRow;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One meeting, call or accompaniment between peer and citizen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5da-0000-7000-8000-000000000006",
    "support_course_id": "0193a5d7-0000-7000-8000-000000000001",
    "date": "2026-11-25",
    "minutes": 90,
    "mode": "accompaniment",
    "summary": "Went together to the first meeting at the jobcentre",
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a11",
    "version": 1,
    "created_at": "2026-11-25T16:00:00Z",
    "updated_at": "2026-11-25T16:00:00Z"
}))]
pub struct Contact {
    pub id: Uuid,
    pub support_course_id: Uuid,
    pub date: NaiveDate,
    pub minutes: i32,
    pub mode: ContactMode,
    pub summary: Option<String>,
    pub peer_worker_id: Uuid,
    pub recorded_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Contact);

impl Contact {
    pub fn from_row(row: ContactRow) -> Self {
        Self {
            id: row.id.into(),
            support_course_id: row.support_course_id.into(),
            date: row.date,
            minutes: row.minutes,
            mode: row.mode,
            summary: row.summary,
            peer_worker_id: row.peer_worker_id.into(),
            recorded_by: row.recorded_by.into(),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A contact to log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-11-25", "minutes": 90, "mode": "accompaniment", "summary": "Went together to the first meeting at the jobcentre"}))]
pub struct ContactInput {
    pub date: NaiveDate,
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
    pub mode: ContactMode,
    #[schema(max_length = 10000)]
    pub summary: Option<String>,
    /// Defaults to the course's peer worker.
    pub peer_worker_id: Option<Uuid>,
}

impl FieldRules for ContactInput {}
