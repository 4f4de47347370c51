//! `/programmes`: funded peer-support efforts run by a partnership, with phases, partners and
//! targets. Visible to the users of partner organisations; managed by their coordinators (see
//! `access`).

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dto::{
    Partner, PartnerInput, PartnerPatch, Programme, ProgrammeFilters, ProgrammeInput,
    ProgrammePatch, ProgrammeTransition, Target, TargetFilters, TargetInput, TargetPatch,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/programmes`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(transition)
        .service(list_partners)
        .service(create_partner)
        .service(update_partner)
        .service(list_targets)
        .service(create_target)
        .service(update_target);
}

/// List programmes
///
/// The programmes the user's organisation is a partner of (admins: all).
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_programmes",
    security(("bearer" = [])),
    params(PageParams, ProgrammeFilters),
    responses((status = 200, description = "A page of programmes", body = Page<Programme>))
)]
#[get("/programmes")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<ProgrammeFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a programme
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_programme",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id")),
    responses((status = 200, description = "The programme", body = Programme,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/programmes/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = state
        .db
        .read(move |conn| service::read(conn, &actor, &id))
        .await?;
    Ok(http::ok(&found))
}

/// Create a programme
///
/// Admins and coordinators. A coordinator's own organisation becomes the lead; an admin names
/// the lead. The lead becomes a partner with role `lead`, and the programme starts in phase
/// `development`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_programme",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = ProgrammeInput,
    responses((status = 201, description = "Created", body = Programme,
        headers(("Location" = String, description = "The new programme's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/programmes")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<ProgrammeInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change a programme
///
/// A JSON merge patch with `If-Match`, by a coordinator of a partner (or an admin). The phase
/// changes only through transitions; the lead is set once.
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_programme",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = ProgrammePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Programme,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/programmes/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, if_match) = (id.into_inner(), IfMatch::of(&req));
    let updated = state
        .db
        .write(move |conn| service::update(conn, &actor, &id, &if_match, patch))
        .await?;
    Ok(http::ok(&updated))
}

/// Move a programme to another phase
///
/// Phases move forwards only (`development → implementation → pilot → trial → operation →
/// closed`), a step may be skipped; `closed` is final. Each move is kept in `status_history`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "transition_programme",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    request_body = ProgrammeTransition,
    responses(
        (status = 200, description = "Moved", body = Programme,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`: the current phase does not allow this move; `allowed` names the moves that are", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from pilot to development; allowed: trial, operation, closed", "instance": "/api/v1/programmes/0193a5d4-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["trial", "operation", "closed"]}))
    )
)]
#[post("/programmes/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ProgrammeTransition>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::transition(conn, &writer, &id, move_to)
    })
    .await
}

// --- Partners -----------------------------------------------------------------------------------

/// List a programme's partners
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_programme_partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), PageParams),
    responses((status = 200, description = "A page of partners", body = Page<Partner>))
)]
#[get("/programmes/{id}/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_partners(conn, &actor, &id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a partner to a programme
///
/// By a coordinator of a partner (or an admin). An organisation has one role per programme: a
/// second is `409 conflict`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_programme_partner",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = PartnerInput,
    responses((status = 201, description = "Added", body = Partner,
        headers(("Location" = String, description = "The partner's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/programmes/{id}/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<PartnerInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.value);
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_partner(conn, &creator, &id, input)
    })
    .await
}

/// Change a partner's role
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_programme_partner",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("partner_id" = Uuid, Path, description = "The partner's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = PartnerPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Partner,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/programmes/{id}/partners/{partner_id}")]
pub async fn update_partner(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let ((id, partner_id), if_match) = (path.into_inner(), IfMatch::of(&req));
    let updated = state
        .db
        .write(move |conn| {
            service::update_partner(conn, &actor, (&id, &partner_id), &if_match, patch)
        })
        .await?;
    Ok(http::ok(&updated))
}

// --- Targets ------------------------------------------------------------------------------------

/// List a programme's targets
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_programme_targets",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), PageParams, TargetFilters),
    responses((status = 200, description = "A page of targets", body = Page<Target>))
)]
#[get("/programmes/{id}/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    filters: web::Query<TargetFilters>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_targets(conn, &actor, &id, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a target to a programme
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_programme_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TargetInput,
    responses((status = 201, description = "Added", body = Target,
        headers(("Location" = String, description = "The target's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/programmes/{id}/targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<TargetInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.value);
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_target(conn, &creator, &id, input)
    })
    .await
}

/// Change a target
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_programme_target",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("target_id" = Uuid, Path, description = "The target's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = TargetPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Target,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/programmes/{id}/targets/{target_id}")]
pub async fn update_target(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let ((id, target_id), if_match) = (path.into_inner(), IfMatch::of(&req));
    let updated = state
        .db
        .write(move |conn| {
            service::update_target(conn, &actor, (&id, &target_id), &if_match, patch)
        })
        .await?;
    Ok(http::ok(&updated))
}
