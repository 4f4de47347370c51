//! What `/peer-workers` reads and writes.

use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::convert::set;
use crate::workflow::StatusChange;
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::peer_worker::{EarnedVia, Engagement, PeerWorkerStatus, QualificationKind};
use brobygger_persistence::ids::{PeerWorkerId, ProgrammeId, UserId};
use brobygger_persistence::peer_worker::{PeerWorkerLists, PeerWorkerRow, QualificationRow};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A qualification a peer worker holds, and how it was earned.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d6-0000-7000-8000-000000000010",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "kind": "peer_guide",
    "earned_via": "training_cohort",
    "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
    "evidence": null,
    "earned_on": "2026-06-30",
    "recorded_by": null,
    "version": 1,
    "created_at": "2026-06-30T12:00:00Z",
    "updated_at": "2026-06-30T12:00:00Z"
}))]
pub struct Qualification {
    pub id: Uuid,
    pub peer_worker_id: Uuid,
    pub kind: QualificationKind,
    pub earned_via: EarnedVia,
    /// The cohort completed, when earned via a training cohort.
    pub training_cohort_id: Option<Uuid>,
    /// What a coordinator recorded as evidence, when recorded.
    pub evidence: Option<String>,
    pub earned_on: NaiveDate,
    /// The user who recorded it, when recorded.
    pub recorded_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Qualification, PeerWorker);

impl Qualification {
    pub fn from_row(row: QualificationRow) -> Self {
        Self {
            id: row.id.into(),
            peer_worker_id: row.peer_worker_id.into(),
            kind: row.kind,
            earned_via: row.earned_via,
            training_cohort_id: row.training_cohort_id.map(Uuid::from),
            evidence: row.evidence,
            earned_on: row.earned_on,
            recorded_by: row.recorded_by.map(Uuid::from),
            // A qualification is a fact: never changed once held.
            version: 1,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.created_at),
        }
    }
}

/// A peer worker: a person with lived experience who gives peer support.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d6-0000-7000-8000-000000000001",
    "name": "Jonas Holm",
    "email": "jonas.holm@vejle.dk",
    "phone": "+45 20 30 40 50",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "engagement": "employed",
    "hours_per_week": 20,
    "status": "active",
    "status_history": [
        {"status": "recruited", "at": "2026-03-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "in_training", "at": "2026-04-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "active", "at": "2026-07-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "completed the peer education"}
    ],
    "programme_ids": ["0193a5d4-0000-7000-8000-000000000001"],
    "municipality_codes": ["630", "607"],
    "languages": ["da", "en"],
    "capacity": 5,
    "user_id": null,
    "qualifications": [],
    "last_supervision_on": "2026-11-01",
    "supervision_due_on": "2026-12-01",
    "version": 4,
    "created_at": "2026-03-01T09:00:00Z",
    "updated_at": "2026-11-01T12:00:00Z"
}))]
pub struct PeerWorker {
    pub id: Uuid,
    #[schema(max_length = 200)]
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The organisation that employs or hosts the peer worker.
    pub organisation_id: Uuid,
    pub engagement: Engagement,
    /// Only for `employed`.
    pub hours_per_week: Option<i32>,
    /// Changes only through `POST /peer-workers/{id}/transitions`.
    pub status: PeerWorkerStatus,
    pub status_history: Vec<StatusChange>,
    pub programme_ids: Vec<Uuid>,
    /// Official 3-digit codes of the municipalities served.
    pub municipality_codes: Vec<String>,
    /// ISO 639 language codes.
    pub languages: Vec<String>,
    /// The most support courses the peer worker takes at once.
    pub capacity: i32,
    /// The user of role `peer_worker` who is this peer worker, if any.
    pub user_id: Option<Uuid>,
    pub qualifications: Vec<Qualification>,
    /// The date of the last supervision attended.
    pub last_supervision_on: Option<NaiveDate>,
    /// For an active peer worker: supervision is overdue after this day (the last supervision,
    /// or the day they became active, plus the shortest `supervision_interval_days` of their
    /// programmes).
    pub supervision_due_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a peer worker's row does not hold: its lists, qualifications, history and
/// supervision dates.
#[derive(Debug, Default)]
pub struct PeerWorkerFacts {
    pub programme_ids: Vec<ProgrammeId>,
    pub municipality_codes: Vec<String>,
    pub languages: Vec<String>,
    pub qualifications: Vec<Qualification>,
    pub status_history: Vec<StatusChange>,
    pub last_supervision_on: Option<NaiveDate>,
    pub supervision_due_on: Option<NaiveDate>,
}

impl PeerWorker {
    pub fn from_row(row: PeerWorkerRow, facts: PeerWorkerFacts) -> Self {
        Self {
            id: row.id.into(),
            organisation_id: row.organisation_id.into(),
            engagement: row.engagement,
            status: row.status,
            status_history: facts.status_history,
            programme_ids: facts.programme_ids.into_iter().map(Uuid::from).collect(),
            municipality_codes: facts.municipality_codes,
            languages: facts.languages,
            user_id: row.user_id.map(Uuid::from),
            qualifications: facts.qualifications,
            last_supervision_on: facts.last_supervision_on,
            supervision_due_on: facts.supervision_due_on,
            name: row.name,
            email: row.email,
            phone: row.phone,
            hours_per_week: row.hours_per_week,
            capacity: row.capacity,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> PeerWorkerInput {
        PeerWorkerInput {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            organisation_id: self.organisation_id,
            engagement: self.engagement,
            hours_per_week: self.hours_per_week,
            programme_ids: self.programme_ids.clone(),
            municipality_codes: self
                .municipality_codes
                .iter()
                .cloned()
                .map(MunicipalityCodeText)
                .collect(),
            languages: self.languages.iter().cloned().map(LanguageCode).collect(),
            capacity: self.capacity,
            user_id: self.user_id,
        }
    }
}

/// What a client writes: a new peer worker, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Jonas Holm",
    "email": "jonas.holm@vejle.dk",
    "phone": "+45 20 30 40 50",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "engagement": "employed",
    "hours_per_week": 20,
    "programme_ids": ["0193a5d4-0000-7000-8000-000000000001"],
    "municipality_codes": ["630", "607"],
    "languages": ["da", "en"],
    "capacity": 5
}))]
pub struct PeerWorkerInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    /// The organisation that employs or hosts the peer worker.
    pub organisation_id: Uuid,
    pub engagement: Engagement,
    /// Required for `employed`, not allowed otherwise.
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<i32>,
    /// Programmes the peer worker works in; each must be one you manage.
    #[serde(default)]
    pub programme_ids: Vec<Uuid>,
    /// Official 3-digit municipality codes.
    #[serde(default)]
    pub municipality_codes: Vec<MunicipalityCodeText>,
    /// ISO 639 language codes, e.g. `da`, `en`, `ar`.
    #[serde(default)]
    pub languages: Vec<LanguageCode>,
    /// The most support courses at once.
    #[schema(minimum = 0, maximum = 100)]
    pub capacity: i32,
    /// A user of role `peer_worker` who is this peer worker (sees its own record).
    pub user_id: Option<Uuid>,
}

/// An official 3-digit municipality code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[schema(value_type = String, pattern = "^[0-9]{3}$", example = "630")]
#[serde(transparent)]
pub struct MunicipalityCodeText(pub String);

/// An ISO 639 language code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[schema(value_type = String, pattern = "^[a-z]{2,3}$", example = "da")]
#[serde(transparent)]
pub struct LanguageCode(pub String);

impl FieldRules for PeerWorkerInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        if let Some(codes) = body.get("municipality_codes").and_then(Value::as_array) {
            for (i, code) in codes.iter().enumerate() {
                if let Some(code) = code.as_str() {
                    errors.check(
                        &format!("municipality_codes.{i}"),
                        MunicipalityCode::parse(code),
                    );
                }
            }
        }
    }
}

impl PeerWorkerInput {
    /// The stored row of this input.
    pub fn row(
        &self,
        id: PeerWorkerId,
        status: PeerWorkerStatus,
        version: i64,
        created_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> PeerWorkerRow {
        PeerWorkerRow {
            id,
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            organisation_id: self.organisation_id.into(),
            engagement: self.engagement,
            hours_per_week: self.hours_per_week,
            status,
            capacity: self.capacity,
            user_id: self.user_id.map(UserId::from),
            version,
            created_at,
            updated_at: now,
        }
    }

    /// The stored lists of this input, each without duplicates.
    pub fn lists(&self) -> PeerWorkerLists {
        PeerWorkerLists {
            programme_ids: set(self
                .programme_ids
                .iter()
                .copied()
                .map(ProgrammeId::from)
                .collect()),
            municipality_codes: set(self
                .municipality_codes
                .iter()
                .map(|c| c.0.clone())
                .collect()),
            languages: set(self.languages.iter().map(|l| l.0.clone()).collect()),
        }
    }
}

/// A JSON merge patch of a peer worker.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 6, "languages": ["da", "en", "de"]}))]
pub struct PeerWorkerPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub engagement: Option<Engagement>,
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<i32>,
    pub programme_ids: Option<Vec<Uuid>>,
    pub municipality_codes: Option<Vec<MunicipalityCodeText>>,
    pub languages: Option<Vec<LanguageCode>>,
    #[schema(minimum = 0, maximum = 100)]
    pub capacity: Option<i32>,
    pub user_id: Option<Uuid>,
}

pub const WRITABLE: &[&str] = &[
    "name",
    "email",
    "phone",
    "organisation_id",
    "engagement",
    "hours_per_week",
    "programme_ids",
    "municipality_codes",
    "languages",
    "capacity",
    "user_id",
];

/// A move to another status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "active", "reason": "Completed the peer education"}))]
pub struct PeerWorkerTransition {
    pub to: PeerWorkerStatus,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for PeerWorkerTransition {}

/// A qualification recorded by a coordinator, with evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "peer_trainer",
    "evidence": "Trained as peer trainer at Recovery College Vejle, certificate on file",
    "earned_on": "2025-05-20"
}))]
pub struct RecordedQualificationInput {
    pub kind: QualificationKind,
    /// Accepted so that a client may send back what it read: only `recorded` may be sent here.
    /// A qualification earned via a training cohort is granted when its enrolment completes
    /// (`training_cohort` is a `422`).
    #[serde(default)]
    pub earned_via: Option<EarnedVia>,
    /// Accepted when absent or `null` only, as for `earned_via`.
    #[serde(default)]
    pub training_cohort_id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 10000)]
    pub evidence: String,
    pub earned_on: NaiveDate,
}

impl FieldRules for RecordedQualificationInput {
    fn check_fields(body: &serde_json::Map<String, serde_json::Value>, errors: &mut FieldErrors) {
        if body.get("earned_via").and_then(|v| v.as_str()) == Some("training_cohort") {
            errors.push(
                "earned_via",
                "reserved",
                "only `recorded` may be sent here: a qualification is earned via a training cohort \
                 when the enrolment completes (POST /training-cohorts/{id}/enrolments)",
            );
        }
        if body.get("training_cohort_id").is_some_and(|v| !v.is_null()) {
            errors.push(
                "training_cohort_id",
                "reserved",
                "set by the server when a cohort grants the qualification; send null or nothing",
            );
        }
    }
}

/// Filters of the peer worker list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeerWorkerFilters {
    pub programme_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub status: Option<PeerWorkerStatus>,
    /// Peer workers holding this qualification.
    pub qualification: Option<QualificationKind>,
    /// Peer workers serving this municipality.
    #[param(example = "630")]
    pub municipality_code: Option<String>,
    /// `true`: active peer workers whose last supervision (or, lacking one, the day they
    /// became active) is older than the shortest `supervision_interval_days` of their
    /// programmes (30 without one); `false`: everyone else.
    pub supervision_overdue: Option<bool>,
}
