//! What `/citizens` reads and writes.

use crate::access;
use crate::audit::dto::AuditEvent;
use crate::auth::CurrentUser;
use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::consent::dto::Consent;
use crate::cpr_vault::CprVault;
use crate::employment::dto::{EmploymentStatus, RetentionCheck};
use crate::error::ApiError;
use crate::support_course::dto::SupportCourseExport;
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::Cpr;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_persistence::citizen::CitizenRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A citizen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d5-0000-7000-8000-000000000002",
    "name": "Jonas Holm",
    "cpr": "0707614286",
    "email": "jonas@example.dk",
    "phone": "+45 20 30 40 50",
    "municipality_code": "630",
    "preferred_language": "da",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "anonymised_at": null,
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Citizen {
    pub id: Uuid,
    pub name: String,
    /// The full CPR number (10 digits): only for admins and coordinators, only on a single
    /// citizen, never in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpr: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The official code of the municipality the citizen lives in.
    pub municipality_code: String,
    pub preferred_language: Option<String>,
    /// The organisation that registered the citizen.
    pub organisation_id: Uuid,
    /// When the citizen was anonymised (irreversibly), if so.
    pub anonymised_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Citizen);

impl Citizen {
    /// The citizen as `user` may see it; `with_cpr` for single-citizen responses.
    pub fn from_row(
        row: CitizenRow,
        vault: &CprVault,
        user: &CurrentUser,
        with_cpr: bool,
    ) -> Result<Self, ApiError> {
        let cpr = match (&row.cpr_ciphertext, with_cpr && access::sees_cpr(user)) {
            (Some(sealed), true) => Some(
                vault
                    .decrypt(sealed)
                    .map_err(ApiError::internal)?
                    .digits()
                    .to_owned(),
            ),
            _ => None,
        };
        Ok(Self {
            id: row.id.into(),
            organisation_id: row.organisation_id.into(),
            name: row.name,
            cpr,
            email: row.email,
            phone: row.phone,
            municipality_code: row.municipality_code,
            preferred_language: row.preferred_language,
            anonymised_at: row.anonymised_at.map(to_utc),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A new citizen, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Jonas Holm",
    "cpr": "070761-4286",
    "email": "jonas@example.dk",
    "phone": "+45 20 30 40 50",
    "municipality_code": "630",
    "preferred_language": "da"
}))]
pub struct CitizenInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// `DDMMYY-SSSS` or `DDMMYYSSSS` with a real date (no modulus-11 check). Write only;
    /// encrypted at rest; never in a URL.
    #[schema(max_length = 11, write_only)]
    pub cpr: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[schema(pattern = "^[0-9]{3}$", example = "630")]
    pub municipality_code: String,
    /// A language tag such as `da`, `en`, `ar`.
    #[schema(max_length = 35, example = "da")]
    pub preferred_language: Option<String>,
    /// The registering organisation; defaults to the caller's own.
    pub organisation_id: Option<Uuid>,
}

impl FieldRules for CitizenInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        if let Some(cpr) = body.get("cpr").and_then(Value::as_str) {
            errors.check("cpr", Cpr::parse(cpr));
        }
        if let Some(code) = body.get("municipality_code").and_then(Value::as_str) {
            errors.check("municipality_code", MunicipalityCode::parse(code));
        }
    }
}

/// A JSON merge patch of a citizen: `name`, `cpr` (`null` removes it), `email`, `phone`,
/// `municipality_code`, `preferred_language`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+45 21 31 41 51", "preferred_language": "en"}))]
pub struct CitizenPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 11, write_only)]
    pub cpr: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    pub municipality_code: Option<String>,
    #[schema(max_length = 35)]
    pub preferred_language: Option<String>,
}

pub const WRITABLE: &[&str] = &[
    "name",
    "cpr",
    "email",
    "phone",
    "municipality_code",
    "preferred_language",
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitizenFilters {
    #[param(example = "630")]
    pub municipality_code: Option<String>,
    pub organisation_id: Option<Uuid>,
}

/// A CPR number to look up (in the body, never in a URL).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cpr": "070761-4286"}))]
pub struct CitizenLookup {
    #[schema(max_length = 11)]
    pub cpr: String,
}

impl FieldRules for CitizenLookup {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        if let Some(cpr) = body.get("cpr").and_then(Value::as_str) {
            errors.check("cpr", Cpr::parse(cpr));
        }
    }
}

/// Everything Brobygger holds about one citizen (GDPR art. 15), with who accessed it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "exported_at": "2026-11-22T12:00:00Z",
    "citizen": {"id": "0193a5d5-0000-7000-8000-000000000002", "name": "Jonas Holm", "municipality_code": "630",
        "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21", "email": null, "phone": null, "preferred_language": "da",
        "anonymised_at": null, "version": 1, "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z"},
    "consents": [],
    "support_courses": [],
    "employment_statuses": [],
    "retention_checks": [],
    "referrals": [],
    "course_enrolments": [],
    "access_log": []
}))]
pub struct CitizenDataExport {
    pub exported_at: DateTime<Utc>,
    pub citizen: Citizen,
    pub consents: Vec<Consent>,
    /// Every support course with its goals, progress and contacts.
    pub support_courses: Vec<SupportCourseExport>,
    /// The employment timeline, by effective date.
    pub employment_statuses: Vec<EmploymentStatus>,
    /// The retention checks of its job starts, by due date.
    pub retention_checks: Vec<RetentionCheck>,
    /// Every referral made for the citizen, with its history.
    pub referrals: Vec<crate::referral::dto::Referral>,
    /// Every course enrolment of the citizen, with its attendance.
    pub course_enrolments: Vec<crate::course_enrolment::dto::EnrolmentExport>,
    /// Every recorded read and write of the citizen's data, oldest first, this export included.
    pub access_log: Vec<AuditEvent>,
}

/// `422` when a query string carries a CPR number: it never goes in a URL (logs, proxies).
pub fn refuse_cpr_in_url(query: &str) -> Result<(), ApiError> {
    let has_cpr = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .is_ok_and(|pairs| pairs.iter().any(|(name, _)| name == "cpr"));
    if has_cpr {
        return Err(ApiError::field(
            "cpr",
            "not_a_filter",
            "CPR numbers never go in a URL: use POST /api/v1/citizens/lookup",
        ));
    }
    Ok(())
}
