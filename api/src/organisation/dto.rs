//! What `/organisations` reads and writes.

use crate::clock::to_utc;
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::OrganisationKind;
use brobygger_persistence::organisation::OrganisationRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An organisation: a municipality, region, user organisation, jobcentre, employer, …
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "name": "Vejle Kommune",
    "kind": "municipality",
    "municipality_code": "630",
    "region_code": "1083",
    "cvr": "29189919",
    "parent_id": null,
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub kind: OrganisationKind,
    pub municipality_code: Option<String>,
    pub region_code: Option<String>,
    pub cvr: Option<String>,
    pub parent_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Organisation);

impl Organisation {
    pub fn from_row(row: OrganisationRow) -> Self {
        Self {
            id: row.id.into(),
            kind: row.kind,
            name: row.name,
            municipality_code: row.municipality_code,
            region_code: row.region_code,
            cvr: row.cvr,
            parent_id: row.parent_id.map(Uuid::from),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            kind: self.kind,
            municipality_code: self.municipality_code.clone(),
            region_code: self.region_code.clone(),
            cvr: self.cvr.clone(),
            parent_id: self.parent_id,
        }
    }
}

/// What a client writes: a new organisation, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Jobcenter Vejle",
    "kind": "jobcentre",
    "municipality_code": "630",
    "parent_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21"
}))]
pub struct OrganisationInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: OrganisationKind,
    /// The official 3-digit municipality code; required for a municipality.
    #[schema(pattern = "^[0-9]{3}$", example = "630")]
    pub municipality_code: Option<String>,
    /// The official 4-digit region code; required for a region.
    #[schema(pattern = "^[0-9]{4}$", example = "1083")]
    pub region_code: Option<String>,
    /// 8 digits passing the modulus-11 check.
    #[schema(pattern = "^[0-9]{8}$", example = "29189919")]
    pub cvr: Option<String>,
    /// The organisation this one belongs to (Jobcenter Vejle belongs to Vejle Kommune).
    pub parent_id: Option<Uuid>,
}

/// A JSON merge patch of an organisation: the fields to change, `null` to clear one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Vejle Kommune, Social og Sundhed", "parent_id": null}))]
pub struct OrganisationPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub kind: Option<OrganisationKind>,
    pub municipality_code: Option<String>,
    pub region_code: Option<String>,
    pub cvr: Option<String>,
    pub parent_id: Option<Uuid>,
}

impl crate::body::FieldRules for OrganisationInput {
    fn check_fields(body: &serde_json::Map<String, serde_json::Value>, errors: &mut FieldErrors) {
        use brobygger_domain::organisation::{Cvr, MunicipalityCode, RegionCode};
        let text = |name: &str| body.get(name).and_then(serde_json::Value::as_str);
        if let Some(code) = text("municipality_code") {
            errors.check("municipality_code", MunicipalityCode::parse(code));
        }
        if let Some(code) = text("region_code") {
            errors.check("region_code", RegionCode::parse(code));
        }
        if let Some(cvr) = text("cvr") {
            errors.check("cvr", Cvr::parse(cvr));
        }
    }
}

pub const WRITABLE: &[&str] = &[
    "name",
    "kind",
    "municipality_code",
    "region_code",
    "cvr",
    "parent_id",
];

/// Filters of the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilters {
    pub kind: Option<OrganisationKind>,
    #[param(example = "630")]
    pub municipality_code: Option<String>,
    pub parent_id: Option<Uuid>,
}

/// An organisation as the directory shows it: what is public about it (name, kind, official
/// codes, parent), to find partners by; nothing about its users or data.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e22",
    "name": "Jobcenter Vejle",
    "kind": "jobcentre",
    "municipality_code": null,
    "region_code": null,
    "parent_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21"
}))]
pub struct DirectoryEntry {
    pub id: Uuid,
    pub name: String,
    pub kind: OrganisationKind,
    pub municipality_code: Option<String>,
    pub region_code: Option<String>,
    pub parent_id: Option<Uuid>,
}

impl DirectoryEntry {
    pub fn from_row(row: OrganisationRow) -> Self {
        Self {
            id: row.id.into(),
            name: row.name,
            kind: row.kind,
            municipality_code: row.municipality_code,
            region_code: row.region_code,
            parent_id: row.parent_id.map(Into::into),
        }
    }
}
