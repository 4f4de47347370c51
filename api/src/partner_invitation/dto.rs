//! The partnership an organisation is offered, as its coordinators see it before answering.

use crate::clock::to_utc;
use brobygger_domain::programme::PartnerRole;
use brobygger_persistence::partner_invitation::InvitationRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A partnership offered to an organisation of another tenant; it grants nothing until a
/// coordinator of that organisation accepts it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000009",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "programme_name": "Peer-indsatser for inklusion og fastholdelse",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e22",
    "role": "partner",
    "inviting_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "invited_at": "2026-11-29T10:00:00Z"
}))]
pub struct PartnerInvitation {
    pub id: Uuid,
    pub programme_id: Uuid,
    /// What the invited organisation agrees to take part in.
    pub programme_name: String,
    /// The invited organisation.
    pub organisation_id: Uuid,
    pub role: PartnerRole,
    /// The organisation of the coordinator who offered it.
    pub inviting_organisation_id: Uuid,
    pub invited_at: DateTime<Utc>,
}

impl PartnerInvitation {
    pub fn from_row(row: InvitationRow, programme_name: String) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            programme_name,
            organisation_id: row.organisation_id.into(),
            role: row.role,
            inviting_organisation_id: row.inviting_organisation_id.into(),
            invited_at: to_utc(row.created_at),
        }
    }
}

/// Filters of the invitation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationFilters {
    /// Only the invitations of this programme.
    pub programme_id: Option<Uuid>,
}
