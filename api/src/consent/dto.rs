//! What a citizen's consents read and write.

use crate::body::FieldRules;
use crate::clock::to_utc;
use brobygger_domain::citizen::{ConsentMethod, ConsentPeriod, ConsentPurpose};
use brobygger_persistence::consent::ConsentRow;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A consent the citizen gave.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d6-0000-7000-8000-000000000003",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "purpose": "share_with_jobcentre",
    "given_on": "2026-11-01",
    "method": "written",
    "expires_on": "2027-11-01",
    "withdrawn_on": null,
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "withdrawn_by": null,
    "active": true,
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Consent {
    pub id: Uuid,
    pub citizen_id: Uuid,
    pub purpose: ConsentPurpose,
    pub given_on: NaiveDate,
    pub method: ConsentMethod,
    /// The first day the consent no longer holds, if it expires.
    pub expires_on: Option<NaiveDate>,
    /// The first day the consent no longer holds because it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// The user who recorded the consent.
    pub recorded_by: Uuid,
    pub withdrawn_by: Option<Uuid>,
    /// Whether the consent is active today.
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Consent);

impl Consent {
    pub fn from_row(row: ConsentRow, today: NaiveDate) -> Self {
        let period = ConsentPeriod {
            given_on: row.given_on,
            expires_on: row.expires_on,
            withdrawn_on: row.withdrawn_on,
        };
        Self {
            id: row.id.into(),
            citizen_id: row.citizen_id.into(),
            purpose: row.purpose,
            method: row.method,
            given_on: row.given_on,
            expires_on: row.expires_on,
            withdrawn_on: row.withdrawn_on,
            recorded_by: row.recorded_by.into(),
            withdrawn_by: row.withdrawn_by.map(Uuid::from),
            active: period.active_on(today),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A consent to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"purpose": "share_with_jobcentre", "given_on": "2026-11-01", "method": "written", "expires_on": "2027-11-01"}))]
pub struct ConsentInput {
    pub purpose: ConsentPurpose,
    pub given_on: NaiveDate,
    pub method: ConsentMethod,
    /// The first day it no longer holds; after `given_on`.
    pub expires_on: Option<NaiveDate>,
}

impl FieldRules for ConsentInput {}

/// A withdrawal: the first day the consent no longer holds (default today).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"withdrawn_on": "2026-11-22"}))]
pub struct ConsentWithdrawal {
    pub withdrawn_on: Option<NaiveDate>,
}

impl FieldRules for ConsentWithdrawal {}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsentFilters {
    /// Only the consents active on this day (which purposes the citizen has consented to then).
    #[param(example = "2026-11-22")]
    pub active_on: Option<NaiveDate>,
    pub purpose: Option<ConsentPurpose>,
}
