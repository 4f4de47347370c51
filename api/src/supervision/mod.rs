//! `/supervision-sessions`: supervision of peer workers. A session is seen by its supervising
//! user and by whoever sees one of its attending (or its supervising) peer workers; see
//! `access`. The overdue list lives on `/peer-workers?supervision_overdue=true`.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dto::{SupervisionFilters, SupervisionInput, SupervisionPatch, SupervisionSession};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/supervision-sessions`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update);
}

/// List supervision sessions
#[utoipa::path(
    tag = "supervision",
    operation_id = "list_supervision_sessions",
    security(("bearer" = [])),
    params(PageParams, SupervisionFilters),
    responses((status = 200, description = "A page of sessions", body = Page<SupervisionSession>))
)]
#[get("/supervision-sessions")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<SupervisionFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a supervision session
#[utoipa::path(
    tag = "supervision",
    operation_id = "get_supervision_session",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 200, description = "The session", body = SupervisionSession,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/supervision-sessions/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let session = state
        .db
        .read(move |conn| service::read(conn, &actor, &id))
        .await?;
    Ok(http::ok(&session))
}

/// Record a supervision session
///
/// By a coordinator who manages at least one attending peer worker (or an admin).
#[utoipa::path(
    tag = "supervision",
    operation_id = "create_supervision_session",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = SupervisionInput,
    responses((status = 201, description = "Recorded", body = SupervisionSession,
        headers(("Location" = String, description = "The new session's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/supervision-sessions")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<SupervisionInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change a supervision session
#[utoipa::path(
    tag = "supervision",
    operation_id = "update_supervision_session",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The session's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = SupervisionPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = SupervisionSession,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/supervision-sessions/{id}")]
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
