//! What `/audit-events` reads.

use crate::actor::SYSTEM;
use crate::clock::to_utc;
use crate::convert::uuid;
use crate::error::ApiError;
use brobygger_persistence::audit::AuditRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One recorded access to citizen data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000001",
    "at": "2026-11-22T10:00:00Z",
    "user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "role": "coordinator",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "action": "read",
    "resource_type": "citizen",
    "resource_id": "0193a5d5-0000-7000-8000-000000000002",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "request_id": "0193a5d4-0000-7000-8000-0000000000ff", "detail": null
}))]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The user; absent for the system's own jobs (retention).
    pub user_id: Option<Uuid>,
    /// The user's role, or `system` for the system's own jobs.
    pub role: String,
    pub organisation_id: Uuid,
    /// `read`, `list`, `create`, `update`, `lookup`, `export`, `anonymise`, `withdraw`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub citizen_id: Option<Uuid>,
    pub request_id: String,
    /// What the event records beyond its resource: for an export, its dataset, filters and
    /// row count.
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn from_row(row: AuditRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: row.id.into(),
            at: to_utc(row.at),
            user_id: (row.user_id != SYSTEM)
                .then(|| uuid(&row.user_id))
                .transpose()?,
            role: row.role,
            organisation_id: row.organisation_id.into(),
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id.as_deref().map(uuid).transpose()?,
            citizen_id: row.citizen_id.map(Uuid::from),
            request_id: row.request_id,
            detail: row.detail,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    pub citizen_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// Events at or after this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-01T00:00:00Z")]
    pub from: Option<String>,
    /// Events before this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub to: Option<String>,
}
