//! `/organisations`: the tenants. Admins manage them; everyone else sees their own.

use crate::auth::CurrentUser;
use crate::body::{Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::uuid;
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::{OrganisationDraft, OrganisationKind, closes_cycle};
use brobygger_persistence::DbConnection;
use brobygger_persistence::organisation::{self as store, OrganisationFilter, OrganisationRow};
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

impl Versioned for Organisation {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Organisation {
    pub fn from_row(row: OrganisationRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            kind: OrganisationKind::parse(&row.kind)
                .ok_or_else(|| ApiError::internal("stored kind unknown"))?,
            name: row.name,
            municipality_code: row.municipality_code,
            region_code: row.region_code,
            cvr: row.cvr,
            parent_id: row.parent_id.as_deref().map(uuid).transpose()?,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }

    fn input(&self) -> OrganisationInput {
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

const WRITABLE: &[&str] = &[
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

/// Checks the input against the domain rules and the stored organisations (the parent exists
/// and no cycle is closed), reporting every bad field.
fn check(
    conn: &mut DbConnection,
    id: &str,
    input: &OrganisationInput,
) -> Result<OrganisationDraft, ApiError> {
    let draft = OrganisationDraft::parse(
        &input.name,
        input.kind,
        input.municipality_code.as_deref(),
        input.region_code.as_deref(),
        input.cvr.as_deref(),
    );
    let mut errors = draft.as_ref().err().cloned().unwrap_or_default();
    if let Some(parent) = input.parent_id.map(|p| p.to_string()) {
        if store::find(conn, &parent)?.is_none() {
            errors.push("parent_id", "unknown", "no such organisation");
        } else if closes_cycle(&id.to_owned(), &parent, &store::ancestors(conn, &parent)?) {
            errors.push(
                "parent_id",
                "cycle",
                "an organisation cannot sit below itself",
            );
        }
    }
    match draft {
        Ok(draft) if errors.is_empty() => Ok(draft),
        _ => Err(ApiError::Validation(errors)),
    }
}

fn row(
    id: String,
    draft: OrganisationDraft,
    parent_id: Option<Uuid>,
    version: i64,
    created_at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> OrganisationRow {
    OrganisationRow {
        id,
        name: draft.name,
        kind: draft.kind.as_str().to_owned(),
        municipality_code: draft.municipality_code.map(|c| c.as_ref().to_owned()),
        region_code: draft.region_code.map(|c| c.as_ref().to_owned()),
        cvr: draft.cvr.map(|c| c.as_ref().to_owned()),
        parent_id: parent_id.map(|p| p.to_string()),
        version,
        created_at,
        updated_at: now,
    }
}

/// The organisation `id` if `user` may see it: admins see all, others their own.
fn visible(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<OrganisationRow, ApiError> {
    let id = id.to_string();
    if !user.is_admin() && id != user.organisation_id {
        return Err(ApiError::NotFound);
    }
    store::find(conn, &id)?.ok_or(ApiError::NotFound)
}

fn admin_only(user: &CurrentUser) -> Result<(), ApiError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only an admin manages organisations".to_owned(),
        ))
    }
}

/// List organisations
///
/// Admins see every organisation; other users see their own.
#[utoipa::path(
    tag = "organisations",
    operation_id = "list_organisations",
    security(("bearer" = [])),
    params(PageParams, OrganisationFilters),
    responses((status = 200, description = "A page of organisations", body = Page<Organisation>))
)]
#[get("/organisations")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<OrganisationFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let mut errors = FieldErrors::new();
    if let Some(code) = &filters.municipality_code {
        errors.check(
            "municipality_code",
            brobygger_domain::organisation::MunicipalityCode::parse(code),
        );
    }
    errors.into_result(|| ())?;
    let filter = OrganisationFilter {
        only_id: (!user.is_admin()).then(|| user.organisation_id.clone()),
        kind: filters.kind.map(|k| k.as_str().to_owned()),
        municipality_code: filters.municipality_code.clone(),
        parent_id: filters.parent_id.map(|p| p.to_string()),
    };
    let rows = {
        let request = request.clone();
        state
            .db
            .read(move |conn| Ok(store::list(conn, &filter, &request)?))
            .await?
    };
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        Organisation::from_row,
    )?))
}

/// Get an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "get_organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation", body = Organisation,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/organisations/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state.db.read(move |conn| visible(conn, &user, &id)).await?;
    Ok(http::ok(&Organisation::from_row(row)?))
}

/// Create an organisation
///
/// Admins only. Municipality and region codes are checked against the official lists, a CVR
/// number by modulus 11; a municipality needs its code, a region its code.
#[utoipa::path(
    tag = "organisations",
    operation_id = "create_organisation",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = OrganisationInput,
    responses((status = 201, description = "Created", body = Organisation,
        headers(("Location" = String, description = "The new organisation's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/organisations")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<OrganisationInput>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&user)?;
    let now = state.clock.now_naive();
    let input = body.value;
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let id = Uuid::now_v7().to_string();
        let draft = check(conn, &id, &input)?;
        let row = row(id, draft, input.parent_id, 1, now, now);
        store::insert(conn, &row)?;
        let location = format!("/api/v1/organisations/{}", row.id);
        Ok((Organisation::from_row(row)?, location))
    })
    .await
}

/// Change an organisation
///
/// Admins only. A JSON merge patch with `If-Match` (the `ETag` of the version you change).
#[utoipa::path(
    tag = "organisations",
    operation_id = "update_organisation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The organisation's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = OrganisationPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Organisation,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/organisations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let current = Organisation::from_row(visible(conn, &user, &id)?)?;
            admin_only(&user)?;
            if_match.check(current.version)?;
            let input = patch.apply(&current.input(), WRITABLE)?;
            let draft = check(conn, &current.id.to_string(), &input)?;
            let row = row(
                current.id.to_string(),
                draft,
                input.parent_id,
                current.version + 1,
                current.created_at.naive_utc(),
                now,
            );
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            Organisation::from_row(row)
        })
        .await?;
    Ok(http::ok(&updated))
}
