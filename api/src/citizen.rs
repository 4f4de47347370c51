//! `/citizens`: the people who receive peer support. The most sensitive data in the system:
//! every read and write is audited, the CPR number is encrypted and shown in full only to
//! admins and coordinators, and a citizen outside a user's scope does not exist for them.

use crate::audit::{AuditEvent, Auditor};
use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json, MergePatch};
use crate::clock::to_utc;
use crate::consent::Consent;
use crate::convert::uuid;
use crate::cpr_vault::CprVault;
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::Cpr;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::user::Role;
use brobygger_persistence::citizen::{self as store, CitizenFilter, CitizenRow, CitizenScope};
use brobygger_persistence::{DbConnection, audit as audit_store, consent as consent_store};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What a citizen's name becomes when the citizen is anonymised.
pub const ANONYMISED_NAME: &str = "Anonymiseret borger";
/// What free text (goals, progress notes) becomes when its citizen is anonymised.
pub const ERASED_TEXT: &str = "(slettet)";

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

impl Versioned for Citizen {
    fn version(&self) -> i64 {
        self.version
    }
}

/// Whether a role may ever see a full CPR number.
fn sees_cpr(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Coordinator)
}

impl Citizen {
    /// The citizen as `user` may see it; `with_cpr` for single-citizen responses.
    pub fn from_row(
        row: CitizenRow,
        vault: &CprVault,
        user: &CurrentUser,
        with_cpr: bool,
    ) -> Result<Self, ApiError> {
        let cpr = match (&row.cpr_ciphertext, with_cpr && sees_cpr(user.role)) {
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
            id: uuid(&row.id)?,
            organisation_id: uuid(&row.organisation_id)?,
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

const WRITABLE: &[&str] = &[
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
    "access_log": []
}))]
pub struct CitizenDataExport {
    pub exported_at: DateTime<Utc>,
    pub citizen: Citizen,
    pub consents: Vec<Consent>,
    /// Every support course with its goals, progress and contacts.
    pub support_courses: Vec<crate::support_course::SupportCourseExport>,
    /// Every recorded read and write of the citizen's data, oldest first, this export included.
    pub access_log: Vec<AuditEvent>,
}

/// The citizens `user` may see (`spec/domain.md`, "Who may do what"): admins all;
/// coordinators (and their organisation's integrations) those their organisation registered
/// and those with a support course in a programme their organisation is a partner of; a peer
/// worker those of the support courses it guides; professionals and evaluators none.
pub fn scope(conn: &mut DbConnection, user: &CurrentUser) -> Result<CitizenScope, ApiError> {
    Ok(match user.role {
        Role::Admin => CitizenScope::All,
        Role::Coordinator | Role::Integration => CitizenScope::Limited {
            organisation_id: Some(user.organisation_id.clone()),
            courses: crate::support_course::scope(conn, user)?,
        },
        Role::PeerWorker => CitizenScope::Limited {
            organisation_id: None,
            courses: crate::support_course::scope(conn, user)?,
        },
        Role::Professional | Role::Evaluator => CitizenScope::None,
    })
}

/// The citizen `id` if `user` may see it; `404` otherwise, whether or not it exists.
pub fn visible(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<CitizenRow, ApiError> {
    let scope = scope(conn, user)?;
    store::find_in(conn, &scope, &id.to_string())?.ok_or(ApiError::NotFound)
}

fn may_manage(user: &CurrentUser) -> Result<(), ApiError> {
    match user.role {
        Role::Admin | Role::Coordinator | Role::Integration => Ok(()),
        _ => Err(ApiError::Forbidden(
            "only admins, coordinators and integrations manage citizens".to_owned(),
        )),
    }
}

/// The CPR columns for `cpr`: its ciphertext and blind index.
fn seal(vault: &CprVault, cpr: Option<&str>) -> Result<(Option<String>, Option<String>), ApiError> {
    let Some(cpr) = cpr else {
        return Ok((None, None));
    };
    let cpr = Cpr::parse(cpr).map_err(|e| {
        ApiError::field(
            "cpr",
            brobygger_domain::error::HasCode::code(&e),
            e.to_string(),
        )
    })?;
    Ok((
        Some(vault.encrypt(&cpr).map_err(ApiError::internal)?),
        Some(vault.blind_index(&cpr)),
    ))
}

const CPR_TAKEN: &str = "a citizen with this CPR number is already registered by this organisation";

/// List citizens
///
/// The citizens the caller may see, without CPR numbers. Each citizen listed is an audited
/// read. There is no CPR filter: find a citizen by CPR with `POST /citizens/lookup`.
#[utoipa::path(
    tag = "citizens",
    operation_id = "list_citizens",
    security(("bearer" = [])),
    params(PageParams, CitizenFilters),
    responses((status = 200, description = "A page of citizens", body = Page<Citizen>))
)]
#[get("/citizens")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    page: web::Query<PageParams>,
    filters: web::Query<CitizenFilters>,
) -> Result<HttpResponse, ApiError> {
    if web::Query::<Map<String, Value>>::from_query(req.query_string())
        .is_ok_and(|q| q.contains_key("cpr"))
    {
        return Err(ApiError::field(
            "cpr",
            "not_a_filter",
            "CPR numbers never go in a URL: use POST /api/v1/citizens/lookup",
        ));
    }
    let request = page.request()?;
    let mut errors = FieldErrors::new();
    if let Some(code) = &filters.municipality_code {
        errors.check("municipality_code", MunicipalityCode::parse(code));
    }
    errors.into_result(|| ())?;
    let filter = CitizenFilter {
        municipality_code: filters.municipality_code.clone(),
        organisation_id: filters.organisation_id.map(|o| o.to_string()),
    };
    let auditor = Auditor::new(&user, &state.clock);
    let lister = user.clone();
    let rows = {
        let request = request.clone();
        state
            .db
            .write(move |conn| {
                let scope = scope(conn, &lister)?;
                let rows = store::list(conn, &scope, &filter, &request)?;
                // The extra row that tells whether a page follows is not shown, so not audited.
                let shown = rows
                    .iter()
                    .take(usize::try_from(request.limit - 1).unwrap_or(0));
                auditor.record_each(
                    conn,
                    "list",
                    "citizen",
                    shown.map(|r| (r.id.as_str(), r.id.as_str())),
                )?;
                Ok(rows)
            })
            .await?
    };
    let page = Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        |row| Citizen::from_row(row, &state.vault, &user, false),
    )?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a citizen
///
/// Admins and coordinators see the full CPR number; other roles see none of it. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "get_citizen",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The citizen's id")),
    responses((status = 200, description = "The citizen", body = Citizen,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/citizens/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let reader = user.clone();
    let row = state
        .db
        .write(move |conn| {
            let row = visible(conn, &reader, &id)?;
            auditor.record(conn, "read", "citizen", Some(&row.id), Some(&row.id))?;
            Ok(row)
        })
        .await?;
    Ok(http::ok(&Citizen::from_row(
        row,
        &state.vault,
        &user,
        true,
    )?))
}

/// Register a citizen
///
/// Admins, coordinators and integrations. The CPR number is optional; registered twice in one
/// organisation it is `409 conflict`. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "create_citizen",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = CitizenInput,
    responses((status = 201, description = "Registered", body = Citizen,
        headers(("Location" = String, description = "The citizen's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/citizens")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<CitizenInput>,
) -> Result<HttpResponse, ApiError> {
    may_manage(&user)?;
    let input = body.value;
    let organisation_id = input
        .organisation_id
        .map_or_else(|| user.organisation_id.clone(), |o| o.to_string());
    if !user.is_admin() && organisation_id != user.organisation_id {
        return Err(ApiError::Forbidden(
            "citizens are registered in your own organisation".to_owned(),
        ));
    }
    let (cpr_ciphertext, cpr_index) = seal(&state.vault, input.cpr.as_deref())?;
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let vault = state.clone();
    let creator = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        if brobygger_persistence::organisation::find(conn, &organisation_id)?.is_none() {
            return Err(ApiError::field(
                "organisation_id",
                "unknown",
                "no such organisation",
            ));
        }
        let id = Uuid::now_v7().to_string();
        if let Some(index) = &cpr_index
            && store::cpr_taken(conn, &organisation_id, index, &id)?
        {
            return Err(ApiError::Conflict(CPR_TAKEN.to_owned()));
        }
        let row = CitizenRow {
            id,
            name: input.name,
            cpr_ciphertext,
            cpr_index,
            email: input.email,
            phone: input.phone,
            municipality_code: input.municipality_code,
            preferred_language: input.preferred_language,
            organisation_id,
            anonymised_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, &row)?;
        auditor.record(conn, "create", "citizen", Some(&row.id), Some(&row.id))?;
        let location = format!("/api/v1/citizens/{}", row.id);
        Ok((
            Citizen::from_row(row, &vault.vault, &creator, true)?,
            location,
        ))
    })
    .await
}

/// Change a citizen
///
/// A JSON merge patch with `If-Match`. An anonymised citizen cannot be changed. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "update_citizen",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = CitizenPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Citizen,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/citizens/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let if_match = http::IfMatch::of(&req);
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let cpr_in_patch = patch.0.get("cpr").cloned();
    let new_cpr = match &cpr_in_patch {
        Some(Value::String(cpr)) => Some(seal(&state.vault, Some(cpr)).unwrap_or((None, None))),
        Some(Value::Null) => Some((None, None)),
        _ => None,
    };
    let editor = user.clone();
    let row = state
        .db
        .write(move |conn| {
            let current = visible(conn, &editor, &id)?;
            may_manage(&editor)?;
            if current.anonymised_at.is_some() {
                return Err(ApiError::Conflict(
                    "the citizen is anonymised and cannot be changed".to_owned(),
                ));
            }
            if_match.check(current.version)?;
            let input = patch.apply(
                &CitizenInput {
                    name: current.name.clone(),
                    cpr: None,
                    email: current.email.clone(),
                    phone: current.phone.clone(),
                    municipality_code: current.municipality_code.clone(),
                    preferred_language: current.preferred_language.clone(),
                    organisation_id: None,
                },
                WRITABLE,
            )?;
            let (cpr_ciphertext, cpr_index) =
                new_cpr.unwrap_or((current.cpr_ciphertext.clone(), current.cpr_index.clone()));
            if let Some(index) = &cpr_index
                && store::cpr_taken(conn, &current.organisation_id, index, &current.id)?
            {
                return Err(ApiError::Conflict(CPR_TAKEN.to_owned()));
            }
            let row = CitizenRow {
                name: input.name,
                cpr_ciphertext,
                cpr_index,
                email: input.email,
                phone: input.phone,
                municipality_code: input.municipality_code,
                preferred_language: input.preferred_language,
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            auditor.record(conn, "update", "citizen", Some(&row.id), Some(&row.id))?;
            Ok(row)
        })
        .await?;
    Ok(http::ok(&Citizen::from_row(
        row,
        &state.vault,
        &user,
        true,
    )?))
}

/// Find citizens by CPR number
///
/// Exact match through a keyed hash; the CPR number travels in the body, never in a URL.
/// Returns the matching citizens the caller may see (one per registering organisation at
/// most), without their CPR numbers. Audited, also when nothing is found.
#[utoipa::path(
    tag = "citizens",
    operation_id = "lookup_citizens",
    security(("bearer" = [])),
    request_body = CitizenLookup,
    responses((status = 200, description = "The matching citizens", body = Page<Citizen>))
)]
#[post("/citizens/lookup")]
pub async fn lookup(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<CitizenLookup>,
) -> Result<HttpResponse, ApiError> {
    let cpr = Cpr::parse(&body.value.cpr)
        .map_err(|_| ApiError::field("cpr", "invalid_format", "is not a CPR number"))?;
    let index = state.vault.blind_index(&cpr);
    let auditor = Auditor::new(&user, &state.clock);
    let searcher = user.clone();
    let rows = state
        .db
        .write(move |conn| {
            let scope = scope(conn, &searcher)?;
            let rows = store::find_by_cpr_index(conn, &scope, &index)?;
            if rows.is_empty() {
                auditor.record(conn, "lookup", "citizen", None, None)?;
            }
            auditor.record_each(
                conn,
                "lookup",
                "citizen",
                rows.iter().map(|r| (r.id.as_str(), r.id.as_str())),
            )?;
            Ok(rows)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|row| Citizen::from_row(row, &state.vault, &user, false))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Export everything held about a citizen
///
/// The citizen's right of access (GDPR art. 15): the citizen, consents, and the log of who
/// read or changed the data and when. Admins and coordinators. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "export_citizen_data",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The citizen's id")),
    responses((status = 200, description = "Everything held about the citizen", body = CitizenDataExport))
)]
#[get("/citizens/{id}/data-export")]
pub async fn data_export(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let reader = user.clone();
    let today = state.clock.now().date_naive();
    let (row, consents, courses, trail) = state
        .db
        .write(move |conn| {
            let row = visible(conn, &reader, &id)?;
            if !sees_cpr(reader.role) {
                return Err(ApiError::Forbidden(
                    "only admins and coordinators export a citizen's data".to_owned(),
                ));
            }
            auditor.record(conn, "export", "citizen", Some(&row.id), Some(&row.id))?;
            let consents = consent_store::of_citizen(conn, &row.id)?;
            let courses = crate::support_course::export_of(conn, &row.id)?;
            let trail = audit_store::of_citizen(conn, &row.id)?;
            Ok((row, consents, courses, trail))
        })
        .await?;
    let export = CitizenDataExport {
        exported_at: state.clock.now(),
        citizen: Citizen::from_row(row, &state.vault, &user, true)?,
        consents: consents
            .into_iter()
            .map(|c| Consent::from_row(c, today))
            .collect::<Result<_, _>>()?,
        support_courses: courses,
        access_log: trail
            .into_iter()
            .map(AuditEvent::from_row)
            .collect::<Result<_, _>>()?,
    };
    Ok(HttpResponse::Ok().json(export))
}

/// Anonymise a citizen
///
/// Irreversibly removes the name, CPR number, contact details and free text, keeping the
/// pseudonymous facts (municipality, consents' dates, support courses) so that counts still
/// add up. Admins and coordinators. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "anonymise_citizen",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The citizen's id")),
    responses((status = 200, description = "Anonymised", body = Citizen))
)]
#[post("/citizens/{id}/anonymise")]
pub async fn anonymise(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let now = state.clock.now_naive();
    let actor = user.clone();
    let row = state
        .db
        .write(move |conn| {
            let row = visible(conn, &actor, &id)?;
            if !sees_cpr(actor.role) {
                return Err(ApiError::Forbidden(
                    "only admins and coordinators anonymise citizens".to_owned(),
                ));
            }
            if row.anonymised_at.is_some() {
                return Err(ApiError::Conflict(
                    "the citizen is already anonymised".to_owned(),
                ));
            }
            let row = anonymise_row(conn, row, now)?;
            auditor.record(conn, "anonymise", "citizen", Some(&row.id), Some(&row.id))?;
            Ok(row)
        })
        .await?;
    // Outside the transaction: it must have committed for the old pages to be overwritten.
    state
        .db
        .read(|conn| Ok(brobygger_persistence::connection::settle_erasure(conn)?))
        .await?;
    Ok(http::ok(&Citizen::from_row(
        row,
        &state.vault,
        &user,
        true,
    )?))
}

/// Removes what identifies the citizen; used by the API and by the retention job.
pub fn anonymise_row(
    conn: &mut DbConnection,
    current: CitizenRow,
    now: NaiveDateTime,
) -> Result<CitizenRow, ApiError> {
    let row = CitizenRow {
        name: ANONYMISED_NAME.to_owned(),
        cpr_ciphertext: None,
        cpr_index: None,
        email: None,
        phone: None,
        preferred_language: None,
        anonymised_at: Some(now),
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    };
    if !store::update(conn, &row, current.version)? {
        return Err(ApiError::VersionMismatch {
            current: current.version + 1,
        });
    }
    crate::support_course::erase_free_text(conn, &row.id, now)?;
    Ok(row)
}
