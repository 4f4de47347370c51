//! `/citizens/{id}/employment-statuses` and `/retention-checks`: a citizen's labour-market
//! timeline, and the follow-ups 3, 6 and 12 months after each job start. Citizen data: every
//! read and write is audited.
//!
//! Who may: read — whoever sees the citizen (admins; coordinators and integrations of the
//! organisation that registered it or of a partner of a programme with its support course;
//! the peer worker guiding one of its courses); write — the same but only those who manage
//! the citizen and its guiding peer worker. Professionals and evaluators see none of it.

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
    EmploymentStatus, EmploymentStatusInput, RetentionCheck, RetentionCheckFilters,
    RetentionRecording,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of employment statuses and retention checks.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(timeline)
        .service(create)
        .service(read_status)
        .service(list_checks)
        .service(read_check)
        .service(record_check);
}

/// List a citizen's employment statuses
///
/// The timeline, by effective date, each entry with the retention checks it created. One
/// audited read. Who may: whoever sees the citizen (admins, its coordinators and
/// integrations, its guiding peer worker).
#[utoipa::path(
    tag = "employment",
    operation_id = "list_employment_statuses",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The citizen's id")),
    responses((status = 200, description = "The timeline", body = Page<EmploymentStatus>))
)]
#[get("/citizens/{id}/employment-statuses")]
pub async fn timeline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = actor
        .audited_read(&state, move |conn, actor| {
            service::timeline(conn, actor, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
}

/// Record an employment status
///
/// A new entry of the timeline, effective after the latest one. A move into employment
/// (`employed_ordinary`, `employed_flexjob`, `employed_subsidised`) from a status that is not
/// employment, or as the first status, is a job start: it creates retention checks due 3, 6
/// and 12 calendar months later, in the same transaction (31 January → 30 April, 31 July,
/// 31 January). `employer_organisation_id` names an organisation of kind `employer`;
/// `hours_per_week` is 0–80. An anonymised citizen gets nothing new (`409`). Audited.
/// Who may: admins, the citizen's coordinators and integrations, its guiding peer worker.
#[utoipa::path(
    tag = "employment",
    operation_id = "create_employment_status",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")
    ),
    request_body = EmploymentStatusInput,
    responses((status = 201, description = "Recorded", body = EmploymentStatus,
        headers(("Location" = String, description = "The status's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/citizens/{id}/employment-statuses")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<EmploymentStatusInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, recorder) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &recorder, &id, input)
    })
    .await
}

/// Get one employment status
///
/// One entry of a citizen's timeline. Audited. Who may: whoever sees the citizen.
#[utoipa::path(
    tag = "employment",
    operation_id = "get_employment_status",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("sid" = Uuid, Path, description = "The employment status's id")
    ),
    responses((status = 200, description = "The employment status", body = EmploymentStatus,
        headers(("ETag" = String, description = "The version"))))
)]
#[get("/citizens/{id}/employment-statuses/{sid}")]
pub async fn read_status(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let ids = path.into_inner();
    let found = actor
        .audited_read(&state, move |conn, actor| {
            service::read_status(conn, actor, ids)
        })
        .await?;
    Ok(http::ok(&found))
}

/// List retention checks
///
/// The checks of the citizens the caller sees, by id, each with its citizen's status on the
/// due date. Filters: `due_before` (strictly before that day), `status` (`pending` or an
/// outcome), `citizen_id`, `updated_since`. Each check listed is an audited read of its
/// citizen's data. Who may: whoever sees the citizens; professionals and evaluators list none.
#[utoipa::path(
    tag = "employment",
    operation_id = "list_retention_checks",
    security(("bearer" = [])),
    params(PageParams, RetentionCheckFilters),
    responses((status = 200, description = "A page of retention checks", body = Page<RetentionCheck>))
)]
#[get("/retention-checks")]
pub async fn list_checks(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<RetentionCheckFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = actor
        .audited_read(&state, move |conn, actor| {
            service::list_checks(conn, actor, &filters, &request)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a retention check
///
/// With `status_on_due_date`, the citizen's employment status on the due date, to help the
/// person recording it. Audited. Who may: whoever sees the citizen.
#[utoipa::path(
    tag = "employment",
    operation_id = "get_retention_check",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The retention check's id")),
    responses((status = 200, description = "The retention check", body = RetentionCheck,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/retention-checks/{id}")]
pub async fn read_check(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = actor
        .audited_read(&state, move |conn, actor| {
            service::read_check(conn, actor, &id)
        })
        .await?;
    Ok(http::ok(&found))
}

/// Record a retention check
///
/// A JSON merge patch with `If-Match`: `outcome` (required) and `recorded_on` (default today;
/// not in the future, not before the job start). A check is recorded once: a second time is
/// `409 conflict`. Audited. Who may: admins, the citizen's coordinators and integrations, its
/// guiding peer worker.
#[utoipa::path(
    tag = "employment",
    operation_id = "record_retention_check",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The retention check's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"1\"")
    ),
    request_body(content = RetentionRecording, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Recorded", body = RetentionCheck,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`conflict`: the check is already recorded, or its citizen is anonymised", body = crate::error::Problem,
            example = json!({"type": "/problems/conflict", "code": "conflict", "title": "Conflict", "status": 409,
                "detail": "the retention check is already recorded", "instance": "/api/v1/retention-checks/0193a5db-0000-7000-8000-000000000001",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[patch("/retention-checks/{id}")]
pub async fn record_check(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, if_match) = (id.into_inner(), IfMatch::of(&req));
    let recorded = state
        .db
        .write(move |conn| service::record(conn, &actor, (id, if_match), patch))
        .await?;
    Ok(http::ok(&recorded))
}
