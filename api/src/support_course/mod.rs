//! `/support-courses`: one citizen's one-to-one support by a peer guide, with its workflow and
//! the ranking of candidate peer guides (goals and contacts are the `goal` and `contact`
//! resources). Citizen data: every read and write is audited.

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
    CandidateView, SupportCourse, SupportCourseFilters, SupportCourseInput, SupportCoursePatch,
    SupportCourseTransition,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/support-courses`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(transition)
        .service(candidates);
}

/// List support courses
///
/// The courses the caller sees, with their status history. Each course listed is an audited
/// read of its citizen's data.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_support_courses",
    security(("bearer" = [])),
    params(PageParams, SupportCourseFilters),
    responses((status = 200, description = "A page of support courses", body = Page<SupportCourse>))
)]
#[get("/support-courses")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<SupportCourseFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = actor
        .audited_read(&state, move |conn, actor| {
            service::list(conn, actor, &filters, &request)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a support course
#[utoipa::path(
    tag = "support-courses",
    operation_id = "get_support_course",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The support course", body = SupportCourse,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/support-courses/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = actor
        .audited_read(&state, move |conn, actor| service::read(conn, actor, &id))
        .await?;
    Ok(http::ok(&found))
}

/// Request a support course
///
/// A coordinator of the programme (or an admin) opens a course for a citizen, with or without
/// a peer worker. The programme must offer the model; a citizen has at most one open course
/// per model (`409 conflict`); a peer worker set here must be active, hold `peer_guide`
/// (`409 qualification_missing`) and have a free place (`409 capacity_exceeded`). Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_support_course",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = SupportCourseInput,
    responses((status = 201, description = "Requested", body = SupportCourse,
        headers(("Location" = String, description = "The course's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<SupportCourseInput>,
) -> Result<HttpResponse, ApiError> {
    let (input, creator) = (body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change a support course
///
/// A JSON merge patch with `If-Match`: the peer worker (checked as on creation), the
/// coordinator, the context and the planned end. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "update_support_course",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = SupportCoursePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = SupportCourse,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/support-courses/{id}")]
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

/// Move a support course to another status
///
/// `requested → matched → active ⇄ paused → completed | ended_early`, and `requested | matched
/// → cancelled`; ending early and cancelling need a reason, matching needs a peer worker who
/// still qualifies. Each move is kept in `status_history`. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "transition_support_course",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    request_body = SupportCourseTransition,
    responses(
        (status = 200, description = "Moved", body = SupportCourse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition` (with the `allowed` moves), `qualification_missing` or `capacity_exceeded`", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from requested to completed; allowed: matched, cancelled", "instance": "/api/v1/support-courses/0193a5d7-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["matched", "cancelled"]}))
    )
)]
#[post("/support-courses/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<SupportCourseTransition>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::transition(conn, &writer, &id, move_to)
    })
    .await
}

/// Rank candidate peer guides
///
/// For a course, the active peer workers holding `peer_guide` with a free place, among those
/// working in the programme or hosted by one of its partners, ranked by serving the citizen's
/// municipality, sharing the citizen's preferred language, and current load, each with the
/// reasons for its place. Audited (it reads the citizen's municipality and language).
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_support_course_candidates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The ranked candidates", body = Page<CandidateView>))
)]
#[get("/support-courses/{id}/candidates")]
pub async fn candidates(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let ranked = actor
        .audited_read(&state, move |conn, actor| {
            service::candidates(conn, actor, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(ranked)))
}
