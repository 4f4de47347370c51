//! `/citizens`: the people who receive peer support. The most sensitive data in the system:
//! every read and write is audited, the CPR number is encrypted and shown in full only to
//! admins and coordinators, and a citizen outside a user's scope does not exist for them.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dto::{Citizen, CitizenDataExport, CitizenFilters, CitizenInput, CitizenLookup, CitizenPatch};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/citizens` (consents are the `consent` resource).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(lookup)
        .service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(data_export)
        .service(anonymise);
}

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
    actor: Actor,
    req: HttpRequest,
    page: web::Query<PageParams>,
    filters: web::Query<CitizenFilters>,
) -> Result<HttpResponse, ApiError> {
    dto::refuse_cpr_in_url(req.query_string())?;
    let request = page.request()?;
    let state2 = state.clone();
    let page = actor
        .audited_read(&state, move |conn, actor| {
            service::list(conn, actor, &state2.vault, &filters, &request)
        })
        .await?;
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
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (id, state2) = (id.into_inner(), state.clone());
    let found = actor
        .audited_read(&state, move |conn, actor| {
            service::read(conn, actor, &state2.vault, &id)
        })
        .await?;
    Ok(http::ok(&found))
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
    actor: Actor,
    req: HttpRequest,
    body: Json<CitizenInput>,
) -> Result<HttpResponse, ApiError> {
    let (input, creator, state2) = (body.value, actor.clone(), state.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, &state2.vault, input)
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
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (target, state2) = ((id.into_inner(), IfMatch::of(&req)), state.clone());
    let updated = state
        .db
        .write(move |conn| service::update(conn, &actor, &state2.vault, target, patch))
        .await?;
    Ok(http::ok(&updated))
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
    actor: Actor,
    body: Json<CitizenLookup>,
) -> Result<HttpResponse, ApiError> {
    let (cpr, state2) = (body.value.cpr, state.clone());
    let items = actor
        .audited_read(&state, move |conn, actor| {
            service::lookup(conn, actor, &state2.vault, &cpr)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
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
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (id, state2) = (id.into_inner(), state.clone());
    let export = state
        .db
        .write(move |conn| service::data_export(conn, &actor, &state2.vault, &id))
        .await?;
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
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    responses((status = 200, description = "Anonymised", body = Citizen))
)]
#[post("/citizens/{id}/anonymise")]
pub async fn anonymise(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (id, state2, writer) = (id.into_inner(), state.clone(), actor.clone());
    let answer = idempotency::act(&state, &actor, &req, "", move |conn| {
        service::anonymise(conn, &writer, &state2.vault, &id)
    })
    .await?;
    // Outside the transaction: it must have committed for the old pages to be overwritten.
    state.db.read(service::settle_erasure).await?;
    Ok(answer)
}
