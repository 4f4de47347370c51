//! `/peer-workers`: the peer workforce, its status workflow and qualifications, and who is
//! overdue for supervision. Who sees and manages which peer worker: see `access`.

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
    PeerWorker, PeerWorkerFilters, PeerWorkerInput, PeerWorkerPatch, PeerWorkerTransition,
    Qualification, RecordedQualificationInput,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/peer-workers`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(transition)
        .service(list_qualifications)
        .service(record_qualification);
}

/// List peer workers
///
/// The peer workers the user sees (see the scope rules). With `supervision_overdue=true`, the
/// active ones overdue for supervision, each with `last_supervision_on`.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "list_peer_workers",
    security(("bearer" = [])),
    params(PageParams, PeerWorkerFilters),
    responses((status = 200, description = "A page of peer workers", body = Page<PeerWorker>))
)]
#[get("/peer-workers")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<PeerWorkerFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a peer worker
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "get_peer_worker",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id")),
    responses((status = 200, description = "The peer worker", body = PeerWorker,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/peer-workers/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let worker = state
        .db
        .read(move |conn| service::read(conn, &actor, &id))
        .await?;
    Ok(http::ok(&worker))
}

/// Register a peer worker
///
/// Admins and coordinators. The host organisation is the coordinator's own or a partner of one
/// of its programmes; programmes must be ones the coordinator manages. Starts `recruited`.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "create_peer_worker",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = PeerWorkerInput,
    responses((status = 201, description = "Registered", body = PeerWorker,
        headers(("Location" = String, description = "The new peer worker's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/peer-workers")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<PeerWorkerInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change a peer worker
///
/// A JSON merge patch with `If-Match`, by a coordinator who manages the peer worker. The status
/// changes only through transitions; qualifications through their own endpoint.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "update_peer_worker",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The peer worker's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = PeerWorkerPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = PeerWorker,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/peer-workers/{id}")]
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

/// Move a peer worker to another status
///
/// `recruited → in_training → active ⇄ on_leave`, and `ended` from any other status (final).
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "transition_peer_worker",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The peer worker's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    request_body = PeerWorkerTransition,
    responses(
        (status = 200, description = "Moved", body = PeerWorker,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`: the current status does not allow this move; `allowed` names the moves that are", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from recruited to active; allowed: in_training, ended", "instance": "/api/v1/peer-workers/0193a5d6-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["in_training", "ended"]}))
    )
)]
#[post("/peer-workers/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<PeerWorkerTransition>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::transition(conn, &writer, &id, move_to)
    })
    .await
}

/// List a peer worker's qualifications
///
/// At most one of each kind, so always one page.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "list_peer_worker_qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id")),
    responses((status = 200, description = "The qualifications", body = Page<Qualification>))
)]
#[get("/peer-workers/{id}/qualifications")]
pub async fn list_qualifications(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = state
        .db
        .read(move |conn| service::list_qualifications(conn, &actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Record a qualification
///
/// A coordinator who manages the peer worker records a qualification earned elsewhere, with
/// evidence and date. Holding it already is `409 conflict`; qualifications from training
/// cohorts are granted by completing the cohort.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "record_peer_worker_qualification",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = RecordedQualificationInput,
    responses((status = 201, description = "Recorded", body = Qualification,
        headers(("Location" = String, description = "The peer worker's qualifications"), ("ETag" = String, description = "Its version"))))
)]
#[post("/peer-workers/{id}/qualifications")]
pub async fn record_qualification(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<RecordedQualificationInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.value);
    let recorder = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::record_qualification(conn, &recorder, &id, input)
    })
    .await
}
