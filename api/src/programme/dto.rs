//! What `/programmes` reads and writes: programmes, their partners and targets.

use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::workflow::StatusChange;
use brobygger_domain::FieldErrors;
use brobygger_domain::programme::{
    DEFAULT_SUPERVISION_INTERVAL_DAYS, Metric, Model, PartnerRole, Phase, check_raw_period,
};
use brobygger_persistence::partner_invitation::InvitationRow;
use brobygger_persistence::programme::{PartnerRow, ProgrammeRow, TargetRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A programme: a funded peer-support effort run by a partnership.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000001",
    "name": "Peer-støtte i Region Hovedstaden",
    "description": "Individual peer support and peer teaching in existing group courses.",
    "funding_source": "Satspulje 2014",
    "grant_dkk": 9300000,
    "start_date": "2015-01-01",
    "end_date": "2018-06-30",
    "models": ["individual_peer_support", "peer_teaching"],
    "lead_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "supervision_interval_days": 30,
    "phase": "pilot",
    "status_history": [
        {"status": "development", "at": "2026-11-22T10:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "pilot", "at": "2026-12-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "Ready to pilot"}
    ],
    "version": 2,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z"
}))]
pub struct Programme {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub funding_source: Option<String>,
    /// The grant in whole DKK.
    pub grant_dkk: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub models: Vec<Model>,
    pub lead_organisation_id: Uuid,
    /// How often each active peer worker should have supervision.
    pub supervision_interval_days: i32,
    /// Changes only through `POST /programmes/{id}/transitions`.
    pub phase: Phase,
    pub status_history: Vec<StatusChange>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Programme, Partner, Target);

impl Programme {
    pub fn from_parts(
        row: ProgrammeRow,
        models: Vec<Model>,
        status_history: Vec<StatusChange>,
    ) -> Self {
        Self {
            id: row.id.into(),
            lead_organisation_id: row.lead_organisation_id.into(),
            phase: row.phase,
            name: row.name,
            description: row.description,
            funding_source: row.funding_source,
            grant_dkk: row.grant_dkk,
            start_date: row.start_date,
            end_date: row.end_date,
            models,
            supervision_interval_days: row.supervision_interval_days,
            status_history,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> ProgrammeInput {
        ProgrammeInput {
            name: self.name.clone(),
            description: self.description.clone(),
            funding_source: self.funding_source.clone(),
            grant_dkk: self.grant_dkk,
            start_date: self.start_date,
            end_date: self.end_date,
            models: self.models.clone(),
            lead_organisation_id: Some(self.lead_organisation_id),
            supervision_interval_days: self.supervision_interval_days,
        }
    }
}

fn default_interval() -> i32 {
    DEFAULT_SUPERVISION_INTERVAL_DAYS
}

/// What a client writes: a new programme, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Peer-støtte i Region Hovedstaden",
    "description": "Individual peer support and peer teaching in existing group courses.",
    "funding_source": "Satspulje 2014",
    "grant_dkk": 9300000,
    "start_date": "2015-01-01",
    "end_date": "2018-06-30",
    "models": ["individual_peer_support", "peer_teaching"],
    "supervision_interval_days": 30
}))]
pub struct ProgrammeInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// The pool or fund, e.g. "Satspulje 2014".
    #[schema(max_length = 200)]
    pub funding_source: Option<String>,
    /// Whole DKK.
    #[schema(minimum = 0)]
    pub grant_dkk: Option<i64>,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub models: Vec<Model>,
    /// The lead organisation; a coordinator's own organisation when left out (the only one it
    /// may name). Required for an admin. Set once, on create.
    pub lead_organisation_id: Option<Uuid>,
    /// Days between a peer worker's supervisions; 30 when left out. (Said here rather than as
    /// a schema `default`, which client generators such as openapi-typescript turn into a
    /// required property of the request.)
    #[serde(default = "default_interval")]
    #[schema(minimum = 1, maximum = 365)]
    pub supervision_interval_days: i32,
}

impl FieldRules for ProgrammeInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        let text = |name: &str| body.get(name).and_then(Value::as_str);
        check_raw_period(text("start_date"), text("end_date"), "end_date", errors);
    }
}

/// A JSON merge patch of a programme: the fields to change, `null` to clear one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2018-12-31", "grant_dkk": 9800000}))]
pub struct ProgrammePatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[schema(max_length = 200)]
    pub funding_source: Option<String>,
    #[schema(minimum = 0)]
    pub grant_dkk: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub models: Option<Vec<Model>>,
    #[schema(minimum = 1, maximum = 365)]
    pub supervision_interval_days: Option<i32>,
}

pub const WRITABLE: &[&str] = &[
    "name",
    "description",
    "funding_source",
    "grant_dkk",
    "start_date",
    "end_date",
    "models",
    "supervision_interval_days",
];

/// A move to another phase.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "pilot", "reason": "The first municipalities are ready"}))]
pub struct ProgrammeTransition {
    pub to: Phase,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for ProgrammeTransition {}

/// Filters of the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeFilters {
    pub phase: Option<Phase>,
    pub lead_organisation_id: Option<Uuid>,
    /// Programmes offering this model.
    pub model: Option<Model>,
}

// --- Partners -----------------------------------------------------------------------------------

/// Whether a partnership holds: `pending` until a coordinator of the partner organisation
/// accepts it (it grants nothing until then; see `/partner-invitations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartnershipStatus {
    Accepted,
    Pending,
}

/// An organisation's role in a programme; one role per organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000002",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e22",
    "role": "secretariat",
    "status": "accepted",
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Partner {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub organisation_id: Uuid,
    pub role: PartnerRole,
    /// `pending`: offered to an organisation of another tenant, whose coordinator has not
    /// accepted yet; its `id` is then the invitation's.
    pub status: PartnershipStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Partner {
    /// A partnership offered and not yet accepted.
    pub fn pending(row: InvitationRow) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            organisation_id: row.organisation_id.into(),
            role: row.role,
            status: PartnershipStatus::Pending,
            version: 1,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.created_at),
        }
    }

    pub fn from_row(row: PartnerRow) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            organisation_id: row.organisation_id.into(),
            role: row.role,
            status: PartnershipStatus::Accepted,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> PartnerInput {
        PartnerInput {
            organisation_id: self.organisation_id,
            role: self.role,
        }
    }
}

/// A new partner of a programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e22", "role": "partner"}))]
pub struct PartnerInput {
    pub organisation_id: Uuid,
    /// `lead` belongs to the programme's lead organisation alone.
    pub role: PartnerRole,
}

impl FieldRules for PartnerInput {}

/// A JSON merge patch of a partner: its role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "secretariat"}))]
pub struct PartnerPatch {
    pub role: Option<PartnerRole>,
}

pub const PARTNER_WRITABLE: &[&str] = &["role"];

// --- Targets ------------------------------------------------------------------------------------

/// A programme target: a metric, the value to reach and by when.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000003",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "metric": "citizens_reached",
    "value": 250,
    "deadline": "2018-06-30",
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Target {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub metric: Metric,
    pub value: i64,
    pub deadline: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Target {
    pub fn from_row(row: TargetRow) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            metric: row.metric,
            value: row.value,
            deadline: row.deadline,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> TargetInput {
        TargetInput {
            metric: self.metric,
            value: self.value,
            deadline: self.deadline,
        }
    }
}

/// A new target, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"metric": "peers_trained", "value": 12, "deadline": "2017-12-31"}))]
pub struct TargetInput {
    pub metric: Metric,
    #[schema(minimum = 0)]
    pub value: i64,
    pub deadline: Option<NaiveDate>,
}

impl FieldRules for TargetInput {}

/// A JSON merge patch of a target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 450}))]
pub struct TargetPatch {
    pub metric: Option<Metric>,
    #[schema(minimum = 0)]
    pub value: Option<i64>,
    pub deadline: Option<NaiveDate>,
}

pub const TARGET_WRITABLE: &[&str] = &["metric", "value", "deadline"];

/// Filters of a programme's targets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetFilters {
    pub metric: Option<Metric>,
}
