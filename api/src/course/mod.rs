//! `/courses`: the teaching model. Courses belong to a programme offering `peer_teaching`;
//! coordinators of the programme's partners manage them, a peer worker sees those it teaches
//! (see `access`). A course opens only when taught together: at least one active peer teacher
//! and one professional. Enrolments and attendance are in `course_enrolment`.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use dto::{
    Course, CourseFilters, CourseInput, CoursePatch, CourseTransition, Session, SessionInput,
    Teacher, TeacherInput,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/courses` (courses, transitions, teachers, sessions).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(transition)
        .service(list_teachers)
        .service(create_teacher)
        .service(delete_teacher)
        .service(list_sessions)
        .service(create_session);
}

/// List courses
///
/// Admins see all; coordinators and integrations the courses of the programmes their
/// organisation is a partner of; a peer worker the courses it teaches; others none.
/// Role: any signed-in user (the list is scoped).
#[utoipa::path(
    tag = "courses",
    operation_id = "list_courses",
    security(("bearer" = [])),
    params(PageParams, CourseFilters),
    responses((status = 200, description = "A page of courses", body = Page<Course>))
)]
#[get("/courses")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<CourseFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a course
///
/// With its status history, places taken, waitlist length, sessions held and attendance rate.
/// `404` for a course the user does not see.
#[utoipa::path(
    tag = "courses",
    operation_id = "get_course",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id")),
    responses((status = 200, description = "The course", body = Course,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/courses/{id}")]
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

/// Create a course
///
/// A `planned` course of a programme offering `peer_teaching`, by a coordinator of a partner
/// of the programme (or an admin). Capacity at least 1.
#[utoipa::path(
    tag = "courses",
    operation_id = "create_course",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = CourseInput,
    responses((status = 201, description = "Created, `planned`", body = Course,
        headers(("Location" = String, description = "The new course's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/courses")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<CourseInput>,
) -> Result<HttpResponse, ApiError> {
    let (input, creator) = (body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change a course
///
/// By its coordinators. Lowering `capacity` below the participants enrolled is `409`;
/// raising it moves the first waitlisted up, in order, in the same transaction.
#[utoipa::path(
    tag = "courses",
    operation_id = "update_course",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The course's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = CoursePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Course, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`conflict`: the capacity is below the participants enrolled", body = crate::error::Problem,
            example = json!({"type": "/problems/conflict", "code": "conflict", "title": "Conflict", "status": 409,
                "detail": "capacity 8 is below the 10 participants enrolled", "instance": "/api/v1/courses/0193a5da-0000-7000-8000-000000000001",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[patch("/courses/{id}")]
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

/// Move a course to another status
///
/// `planned → open_for_enrolment → running → completed`; `cancelled` from any open status.
/// Opening needs at least one active peer teacher holding `peer_teacher` and one professional
/// teacher (`409 qualification_missing` naming what is missing). Kept in `status_history`.
/// By the course's coordinators.
#[utoipa::path(
    tag = "courses",
    operation_id = "transition_course",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The course's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    request_body = CourseTransition,
    responses(
        (status = 200, description = "Moved", body = Course, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition` (with the `allowed` moves) or `qualification_missing`", body = crate::error::Problem,
            example = json!({"type": "/problems/qualification_missing", "code": "qualification_missing", "title": "Qualification missing", "status": 409,
                "detail": "a course opens only when taught together: it lacks an active peer teacher holding peer_teacher",
                "instance": "/api/v1/courses/0193a5da-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/courses/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<CourseTransition>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::transition(conn, &writer, &id, move_to)
    })
    .await
}

// --- Teachers -----------------------------------------------------------------------------------

/// List a course's teachers
#[utoipa::path(
    tag = "courses",
    operation_id = "list_course_teachers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"), PageParams),
    responses((status = 200, description = "A page of teachers", body = Page<Teacher>))
)]
#[get("/courses/{id}/teachers")]
pub async fn list_teachers(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_teachers(conn, &actor, &id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a teacher to a course
///
/// A peer worker as `peer_teacher` (active and holding `peer_teacher`, else
/// `409 qualification_missing`) or a user of a partner organisation as `professional`. By the
/// course's coordinators; the same teacher twice is `409 conflict`.
#[utoipa::path(
    tag = "courses",
    operation_id = "create_course_teacher",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TeacherInput,
    responses(
        (status = 201, description = "Added", body = Teacher,
            headers(("Location" = String, description = "The teacher's URL"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "`qualification_missing`: not an active peer teacher; `conflict`: already a teacher", body = crate::error::Problem,
            example = json!({"type": "/problems/qualification_missing", "code": "qualification_missing", "title": "Qualification missing", "status": 409,
                "detail": "a peer teacher must be active and hold peer_teacher", "instance": "/api/v1/courses/0193a5da-0000-7000-8000-000000000001/teachers",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/courses/{id}/teachers")]
pub async fn create_teacher(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<TeacherInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, creator) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_teacher(conn, &creator, &id, input)
    })
    .await
}

/// Remove a teacher from a course
///
/// By the course's coordinators. A course already open keeps its status.
#[utoipa::path(
    tag = "courses",
    operation_id = "delete_course_teacher",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"), ("teacher_id" = Uuid, Path, description = "The teacher's id")),
    responses((status = 204, description = "Removed"))
)]
#[delete("/courses/{id}/teachers/{teacher_id}")]
pub async fn delete_teacher(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, teacher_id) = path.into_inner();
    state
        .db
        .write(move |conn| service::delete_teacher(conn, &actor, (&id, &teacher_id)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

// --- Sessions -----------------------------------------------------------------------------------

/// List a course's sessions
#[utoipa::path(
    tag = "courses",
    operation_id = "list_course_sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"), PageParams),
    responses((status = 200, description = "A page of sessions", body = Page<Session>))
)]
#[get("/courses/{id}/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_sessions(conn, &actor, &id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a session to a course
///
/// `ends_at` after `starts_at` (else `422`). By the course's coordinators.
#[utoipa::path(
    tag = "courses",
    operation_id = "create_course_session",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = SessionInput,
    responses((status = 201, description = "Added", body = Session,
        headers(("Location" = String, description = "The session's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/courses/{id}/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<SessionInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, creator) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_session(conn, &creator, &id, input)
    })
    .await
}
