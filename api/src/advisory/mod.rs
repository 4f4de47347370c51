//! `/advisory-processes`: an agency's advice to one municipality on using peers, with its
//! drivers and barriers (findings); and `/programmes/{id}/experience-summary`, the programme's
//! cross-cutting summary of them. Coordinators of the programme's partners (and admins)
//! manage processes; evaluators read only the summary (see `access`).

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
    AdvisoryFilters, AdvisoryProcess, AdvisoryProcessInput, AdvisoryProcessPatch,
    AdvisoryTransition, ExperienceSummary, Finding, FindingInput,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/advisory-processes` and the experience summary.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(transition)
        .service(list_findings)
        .service(create_finding)
        .service(experience_summary);
}

const IDEMPOTENCY: &str =
    "Makes a retry safe: the same key and body within 24 h returns the first response";

/// List advisory processes
///
/// The advisory processes of the programmes whose partner you coordinate (admins: all); any
/// other role gets an empty list. Filters: `programme_id`, `municipality_code`, `status`.
/// Role: `admin` or `coordinator`.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "list_advisory_processes",
    security(("bearer" = [])),
    params(PageParams, AdvisoryFilters),
    responses((status = 200, description = "A page of advisory processes", body = Page<AdvisoryProcess>))
)]
#[get("/advisory-processes")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<AdvisoryFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an advisory process
///
/// With its status history. Role: `admin`, or `coordinator` of a partner of its programme.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "get_advisory_process",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The advisory process's id")),
    responses((status = 200, description = "The advisory process", body = AdvisoryProcess,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/advisory-processes/{id}")]
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

/// Create an advisory process
///
/// Starts `planned`. The municipality is one of the 98 official codes; the end is not before
/// the start; the programme is one you manage (else `422` on `programme_id`); the advising
/// organisation one you see (else `422` on `advising_organisation_id`).
/// Role: `admin`, or `coordinator` of a partner of the programme.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "create_advisory_process",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    request_body = AdvisoryProcessInput,
    responses((status = 201, description = "Created", body = AdvisoryProcess,
        headers(("Location" = String, description = "The new process's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/advisory-processes")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<AdvisoryProcessInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change an advisory process
///
/// Municipality, advising organisation and period; the programme stays.
/// Role: `admin`, or `coordinator` of a partner of its programme.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "update_advisory_process",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The advisory process's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = AdvisoryProcessPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = AdvisoryProcess,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/advisory-processes/{id}")]
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

/// Move an advisory process to another status
///
/// `planned → running → completed`; any other move is `409 invalid_transition` naming the
/// allowed ones. Every move is kept in `status_history` (status, when, who, reason).
/// Role: `admin`, or `coordinator` of a partner of its programme.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "transition_advisory_process",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The advisory process's id"),
        ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)
    ),
    request_body = AdvisoryTransition,
    responses(
        (status = 200, description = "Moved", body = AdvisoryProcess, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`, with the `allowed` moves", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from planned to completed; allowed: running",
                "instance": "/api/v1/advisory-processes/0193a5e0-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/advisory-processes/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<AdvisoryTransition>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::transition(conn, &writer, &id, move_to)
    })
    .await
}

/// List an advisory process's findings
///
/// Its drivers and barriers, oldest first by id.
/// Role: `admin`, or `coordinator` of a partner of its programme.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "list_advisory_findings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The advisory process's id"), PageParams),
    responses((status = 200, description = "A page of findings", body = Page<Finding>))
)]
#[get("/advisory-processes/{id}/findings")]
pub async fn list_findings(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_findings(conn, &actor, &id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Record a finding
///
/// A driver or a barrier with a theme and a short text (at most 500 characters); a bad kind,
/// theme or text is `422` listing the field. Findings are never changed.
/// Role: `admin`, or `coordinator` of a partner of the process's programme.
#[utoipa::path(
    tag = "advisory-processes",
    operation_id = "create_advisory_finding",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The advisory process's id"),
        ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    request_body = FindingInput,
    responses((status = 201, description = "Recorded", body = Finding,
        headers(("Location" = String, description = "The process's findings"), ("ETag" = String, description = "Its version (always 1)"))))
)]
#[post("/advisory-processes/{id}/findings")]
pub async fn create_finding(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<FindingInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.value);
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_finding(conn, &creator, &id, input)
    })
    .await
}

/// The programme's experience summary
///
/// Every driver and barrier of the programme's advisory processes, grouped by theme (in the
/// domain's theme order; themes nobody named are left out), with how many distinct
/// municipalities named each theme and each text with its municipality's code and name.
/// Role: `admin`, or `coordinator` or `evaluator` of a partner of the programme.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_programme_experience_summary",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id")),
    responses((status = 200, description = "The experience summary", body = ExperienceSummary))
)]
#[get("/programmes/{id}/experience-summary")]
pub async fn experience_summary(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let summary = state
        .db
        .read(move |conn| service::experience_summary(conn, &actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}
