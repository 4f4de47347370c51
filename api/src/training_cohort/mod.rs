//! `/training-cohorts`: the peer education. Cohorts belong to a programme and are seen and
//! managed as their programme is (see `access`). Completing an enrolment grants the cohort's
//! qualifications.

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
    Enrolment, EnrolmentFilters, EnrolmentInput, EnrolmentOutcomeInput, Trainer, TrainerInput,
    TrainingCohort, TrainingCohortFilters, TrainingCohortInput, TrainingCohortPatch,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/training-cohorts`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update)
        .service(list_trainers)
        .service(create_trainer)
        .service(list_enrolments)
        .service(create_enrolment)
        .service(update_enrolment);
}

/// List training cohorts
///
/// The cohorts of the programmes the user sees.
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "list_training_cohorts",
    security(("bearer" = [])),
    params(PageParams, TrainingCohortFilters),
    responses((status = 200, description = "A page of training cohorts", body = Page<TrainingCohort>))
)]
#[get("/training-cohorts")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<TrainingCohortFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a training cohort
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "get_training_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    responses((status = 200, description = "The cohort", body = TrainingCohort,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/training-cohorts/{id}")]
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

/// Create a training cohort
///
/// By a coordinator who manages the programme (or an admin).
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "create_training_cohort",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TrainingCohortInput,
    responses((status = 201, description = "Created", body = TrainingCohort,
        headers(("Location" = String, description = "The new cohort's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/training-cohorts")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<TrainingCohortInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change a training cohort
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "update_training_cohort",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cohort's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = TrainingCohortPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = TrainingCohort,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/training-cohorts/{id}")]
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

// --- Trainers -----------------------------------------------------------------------------------

/// List a cohort's trainers
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "list_training_cohort_trainers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"), PageParams),
    responses((status = 200, description = "A page of trainers", body = Page<Trainer>))
)]
#[get("/training-cohorts/{id}/trainers")]
pub async fn list_trainers(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_trainers(conn, &actor, &id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a trainer to a cohort
///
/// A peer trainer must be active and hold `peer_trainer`, else `409 qualification_missing`.
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "create_training_cohort_trainer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TrainerInput,
    responses(
        (status = 201, description = "Added", body = Trainer,
            headers(("Location" = String, description = "The cohort's trainers"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "`qualification_missing`: the peer worker is not an active peer trainer; `conflict`: already a trainer", body = crate::error::Problem,
            example = json!({"type": "/problems/qualification_missing", "code": "qualification_missing", "title": "Qualification missing", "status": 409,
                "detail": "a peer trainer must be active and hold peer_trainer", "instance": "/api/v1/training-cohorts/0193a5d7-0000-7000-8000-000000000001/trainers",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/training-cohorts/{id}/trainers")]
pub async fn create_trainer(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<TrainerInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.value);
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_trainer(conn, &creator, &id, input)
    })
    .await
}

// --- Enrolments ---------------------------------------------------------------------------------

/// List a cohort's enrolments
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "list_training_cohort_enrolments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"), PageParams, EnrolmentFilters),
    responses((status = 200, description = "A page of enrolments", body = Page<Enrolment>))
)]
#[get("/training-cohorts/{id}/enrolments")]
pub async fn list_enrolments(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    filters: web::Query<EnrolmentFilters>,
) -> Result<HttpResponse, ApiError> {
    let (id, request) = (id.into_inner(), page.request()?);
    let page = state
        .db
        .read(move |conn| service::list_enrolments(conn, &actor, &id, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Enrol a peer worker in a cohort
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "create_training_cohort_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = EnrolmentInput,
    responses((status = 201, description = "Enrolled", body = Enrolment,
        headers(("Location" = String, description = "The enrolment's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/training-cohorts/{id}/enrolments")]
pub async fn create_enrolment(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<EnrolmentInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.value);
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create_enrolment(conn, &creator, &id, input)
    })
    .await
}

/// Record an enrolment's outcome
///
/// `completed` (with `completed_on`) grants the cohort's qualifications to the peer worker;
/// `dropped_out` grants nothing. Both are final: another move is `409 invalid_transition`.
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "update_training_cohort_enrolment",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cohort's id"),
        ("enrolment_id" = Uuid, Path, description = "The enrolment's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = EnrolmentOutcomeInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Enrolment,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`: the outcome is final", body = crate::error::Problem)
    )
)]
#[patch("/training-cohorts/{id}/enrolments/{enrolment_id}")]
pub async fn update_enrolment(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let ((id, enrolment_id), if_match) = (path.into_inner(), IfMatch::of(&req));
    let updated = state
        .db
        .write(move |conn| {
            service::update_enrolment(conn, &actor, (&id, &enrolment_id), &if_match, patch)
        })
        .await?;
    Ok(http::ok(&updated))
}
