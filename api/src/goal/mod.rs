//! `/support-courses/{id}/goals`: the citizen's own goals on a support course, in their words,
//! with progress notes. Citizen data: every read and write is audited.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dto::{Goal, GoalInput, GoalPatch, ProgressInput};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of a support course's goals.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_goals)
        .service(create_goal)
        .service(update_goal)
        .service(create_progress);
}

/// List a course's goals
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_goals",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The goals with their progress", body = Page<Goal>))
)]
#[get("/support-courses/{id}/goals")]
pub async fn list_goals(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = actor
        .audited_read(&state, move |conn, actor| service::list(conn, actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
}

/// Add a goal
///
/// The citizen's own wish or goal, in their words. The course's peer worker or a coordinator
/// of the programme. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_goal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = GoalInput,
    responses((status = 201, description = "Added", body = Goal,
        headers(("Location" = String, description = "The goal's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses/{id}/goals")]
pub async fn create_goal(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &writer, &id, input)
    })
    .await
}

/// Change a goal
///
/// A JSON merge patch with `If-Match`: the text, domain or status. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "update_goal",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("gid" = Uuid, Path, description = "The goal's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed")
    ),
    request_body(content = GoalPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Goal, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/support-courses/{id}/goals/{gid}")]
pub async fn update_goal(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (ids, if_match) = (path.into_inner(), IfMatch::of(&req));
    let goal = state
        .db
        .write(move |conn| service::update(conn, &actor, ids, &if_match, patch))
        .await?;
    Ok(http::ok(&goal))
}

/// Add a progress note to a goal
///
/// A dated note with an optional self-rating 1–10. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_goal_progress",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("gid" = Uuid, Path, description = "The goal's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ProgressInput,
    responses((status = 201, description = "Added; the goal with all its progress", body = Goal,
        headers(("Location" = String, description = "The goal's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses/{id}/goals/{gid}/progress")]
pub async fn create_progress(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ProgressInput>,
) -> Result<HttpResponse, ApiError> {
    let (ids, input, writer) = (path.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::add_progress(conn, &writer, ids, input)
    })
    .await
}
