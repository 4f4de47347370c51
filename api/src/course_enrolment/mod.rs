//! `/courses/{id}/enrolments` and `/courses/{id}/sessions/{sid}/attendance`: participants'
//! places on a course, the ordered waitlist, and attendance. A citizen's enrolment is citizen
//! data (scoped as the citizen, every access audited, enrolling under an active
//! `data_processing` consent); an outside participant is not.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::Json;
use crate::error::ApiError;
use crate::http::{self, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use dto::{Attendance, Enrolment, EnrolmentFilters, EnrolmentInput};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of course enrolments and attendance.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(withdraw)
        .service(record_attendance);
}

/// List a course's enrolments
///
/// Those with a place, the waitlist (by `waitlist_position`) and the withdrawn, each with its
/// attendance rate. A citizen's enrolment is listed only to users who may see the citizen,
/// and each one listed is an audited read. Role: the course's coordinators, its peer teachers,
/// admins.
#[utoipa::path(
    tag = "courses",
    operation_id = "list_course_enrolments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"), PageParams, EnrolmentFilters),
    responses((status = 200, description = "A page of enrolments", body = Page<Enrolment>))
)]
#[get("/courses/{id}/enrolments")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    filters: web::Query<EnrolmentFilters>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = actor
        .audited_read(&state, move |conn, actor| {
            service::list(conn, actor, &id, &filters, &request)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Enrol a participant on a course
///
/// A registered citizen (`citizen_id`: one you may see, with an active `data_processing`
/// consent, else `409 consent_required`; the same citizen twice is `409 conflict`; audited) or
/// an outside participant (`participant_name` and `participant_type`). Beyond capacity the
/// enrolment is `waitlisted` at the end of the waitlist. Only while the course is
/// `open_for_enrolment` or `running` (else `409 conflict`). Correct under concurrency: the
/// course is locked while places are counted. Role: the course's coordinators, admins.
#[utoipa::path(
    tag = "courses",
    operation_id = "create_course_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = EnrolmentInput,
    responses(
        (status = 201, description = "Enrolled or waitlisted", body = Enrolment,
            headers(("Location" = String, description = "The enrolment's URL"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "`conflict` (not taking enrolments, already enrolled) or `consent_required`", body = crate::error::Problem,
            example = json!({"type": "/problems/consent_required", "code": "consent_required", "title": "Consent required", "status": 409,
                "detail": "the citizen has no active data_processing consent today: record it first",
                "instance": "/api/v1/courses/0193a5da-0000-7000-8000-000000000001/enrolments",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/courses/{id}/enrolments")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<EnrolmentInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, creator) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, &id, input)
    })
    .await
}

/// Withdraw an enrolment
///
/// The enrolment stays, as `withdrawn`. A freed place goes to the first waitlisted, and the
/// waitlist is renumbered from 1, in the same transaction. Withdrawing twice is `409`.
/// Audited for a citizen. Role: the course's coordinators, admins.
#[utoipa::path(
    tag = "courses",
    operation_id = "withdraw_course_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"), ("enrolment_id" = Uuid, Path, description = "The enrolment's id")),
    responses((status = 200, description = "Withdrawn", body = Enrolment,
        headers(("ETag" = String, description = "The new version"))))
)]
#[delete("/courses/{id}/enrolments/{enrolment_id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let withdrawn = state
        .db
        .write(move |conn| service::withdraw(conn, &actor, (&id, &enrolment_id)))
        .await?;
    Ok(http::ok(&withdrawn))
}

/// Record a session's attendance
///
/// The whole session's attendance in one call: `present`, `absent` or `excused` for each
/// enrolment named; the attendance of the enrolments you see is replaced by the body. An
/// unknown, waitlisted or withdrawn enrolment, or one named twice, is `422` and nothing is
/// stored. Each citizen's attendance is an audited write. Role: the course's coordinators and
/// its peer teachers, admins.
#[utoipa::path(
    tag = "courses",
    operation_id = "record_course_attendance",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The course's id"), ("session_id" = Uuid, Path, description = "The session's id")),
    request_body = Attendance,
    responses(
        (status = 200, description = "Recorded: the session's attendance as stored", body = Attendance),
        (status = 422, description = "An item names an enrolment that is unknown, not enrolled or named twice", body = crate::error::Problem,
            example = json!({"type": "/problems/validation", "code": "validation", "title": "Invalid input", "status": 422,
                "detail": "1 field(s) are invalid",
                "instance": "/api/v1/courses/0193a5da-0000-7000-8000-000000000001/sessions/0193a5da-0000-7000-8000-000000000003/attendance",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001",
                "errors": [{"field": "items/1/enrolment_id", "code": "not_enrolled", "message": "only enrolled participants attend (not waitlisted or withdrawn)"}]}))
    )
)]
#[put("/courses/{id}/sessions/{session_id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<Attendance>,
) -> Result<HttpResponse, ApiError> {
    let ((id, session_id), input) = (path.into_inner(), body.value);
    let recorded = state
        .db
        .write(move |conn| service::record_attendance(conn, &actor, (&id, &session_id), input))
        .await?;
    Ok(HttpResponse::Ok().json(recorded))
}
