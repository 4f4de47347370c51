//! What `/supervision-sessions` reads and writes.

use crate::body::FieldRules;
use crate::clock::to_utc;
use brobygger_domain::supervision::SupervisionFormat;
use brobygger_persistence::ids::PeerWorkerId;
use brobygger_persistence::supervision::SupervisionSessionRow;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A supervision session of peer workers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d8-0000-7000-8000-000000000001",
    "date": "2026-11-20",
    "supervisor_user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "supervisor_peer_worker_id": null,
    "format": "group",
    "peer_worker_ids": ["0193a5d6-0000-7000-8000-000000000001", "0193a5d6-0000-7000-8000-000000000002"],
    "topic": "Boundaries when accompanying citizens to the jobcentre",
    "version": 1,
    "created_at": "2026-11-20T15:00:00Z",
    "updated_at": "2026-11-20T15:00:00Z"
}))]
pub struct SupervisionSession {
    pub id: Uuid,
    pub date: NaiveDate,
    /// A professional supervisor, or…
    pub supervisor_user_id: Option<Uuid>,
    /// …an experienced peer.
    pub supervisor_peer_worker_id: Option<Uuid>,
    pub format: SupervisionFormat,
    /// The attending peer workers.
    pub peer_worker_ids: Vec<Uuid>,
    /// A non-sensitive note of the topic.
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(SupervisionSession);

impl SupervisionSession {
    /// The session of a stored row and its attendees' ids.
    pub fn from_row(row: SupervisionSessionRow, attendees: &[PeerWorkerId]) -> Self {
        Self {
            id: row.id.into(),
            date: row.date,
            supervisor_user_id: row.supervisor_user_id.map(Uuid::from),
            supervisor_peer_worker_id: row.supervisor_peer_worker_id.map(Uuid::from),
            format: row.format,
            peer_worker_ids: attendees.iter().copied().map(Uuid::from).collect(),
            topic: row.topic,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> SupervisionInput {
        SupervisionInput {
            date: self.date,
            supervisor_user_id: self.supervisor_user_id,
            supervisor_peer_worker_id: self.supervisor_peer_worker_id,
            format: self.format,
            peer_worker_ids: self.peer_worker_ids.clone(),
            topic: self.topic.clone(),
        }
    }
}

/// What a client writes: a new session, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "date": "2026-11-20",
    "supervisor_user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "format": "group",
    "peer_worker_ids": ["0193a5d6-0000-7000-8000-000000000001", "0193a5d6-0000-7000-8000-000000000002"],
    "topic": "Boundaries when accompanying citizens to the jobcentre"
}))]
pub struct SupervisionInput {
    pub date: NaiveDate,
    /// Exactly one of `supervisor_user_id` and `supervisor_peer_worker_id`.
    pub supervisor_user_id: Option<Uuid>,
    pub supervisor_peer_worker_id: Option<Uuid>,
    pub format: SupervisionFormat,
    /// One for `individual`, one or more for `group`.
    #[schema(min_items = 1)]
    pub peer_worker_ids: Vec<Uuid>,
    /// A non-sensitive note: no names or health details of citizens.
    #[schema(max_length = 10000)]
    pub topic: Option<String>,
}

impl FieldRules for SupervisionInput {}

/// A JSON merge patch of a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topic": "Boundaries and self-care"}))]
pub struct SupervisionPatch {
    pub date: Option<NaiveDate>,
    pub format: Option<SupervisionFormat>,
    pub peer_worker_ids: Option<Vec<Uuid>>,
    #[schema(max_length = 10000)]
    pub topic: Option<String>,
}

pub const WRITABLE: &[&str] = &["date", "format", "peer_worker_ids", "topic"];

/// Filters of the session list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupervisionFilters {
    /// Sessions this peer worker attended.
    pub peer_worker_id: Option<Uuid>,
    /// Sessions on or after this date.
    pub date_from: Option<NaiveDate>,
    /// Sessions on or before this date.
    pub date_to: Option<NaiveDate>,
}
