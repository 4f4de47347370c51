//! `/citizens/{id}/consents`: the citizen's permissions, per purpose. Withdrawal is a new
//! fact, never a delete. Citizen data: every read and write is audited.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::Json;
use crate::error::ApiError;
use crate::http::Page;
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use dto::{Consent, ConsentFilters, ConsentInput, ConsentWithdrawal};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of a citizen's consents.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(create).service(withdraw);
}

/// List a citizen's consents
///
/// Every consent, withdrawn and expired ones included, oldest first; with `active_on`, the
/// consents active that day. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "list_consents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The citizen's id"), ConsentFilters),
    responses((status = 200, description = "The consents", body = Page<Consent>))
)]
#[get("/citizens/{id}/consents")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    filters: web::Query<ConsentFilters>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = actor
        .audited_read(&state, move |conn, actor| {
            service::list(conn, actor, &id, &filters)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
}

/// Record a consent
///
/// Audited. `given_on` may not lie in the future; `expires_on` must come after it.
/// Who may: admins and the citizen's coordinators and integrations; a guiding peer worker
/// reads consents but gets `403` here (a consent has legal effect).
#[utoipa::path(
    tag = "citizens",
    operation_id = "create_consent",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ConsentInput,
    responses((status = 201, description = "Recorded", body = Consent,
        headers(("Location" = String, description = "The consent's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/citizens/{id}/consents")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ConsentInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, recorder) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &recorder, &id, input)
    })
    .await
}

/// Withdraw a consent
///
/// Records the withdrawal as a new fact; the consent stays on record. Audited.
/// Who may: admins and the citizen's coordinators and integrations; a guiding peer worker
/// gets `403` (a withdrawal has legal effect).
#[utoipa::path(
    tag = "citizens",
    operation_id = "withdraw_consent",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("cid" = Uuid, Path, description = "The consent's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    request_body = ConsentWithdrawal,
    responses((status = 200, description = "Withdrawn", body = Consent))
)]
#[post("/citizens/{id}/consents/{cid}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ConsentWithdrawal>,
) -> Result<HttpResponse, ApiError> {
    let (ids, withdrawn_on, writer) = (path.into_inner(), body.value.withdrawn_on, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::withdraw(conn, &writer, ids, withdrawn_on)
    })
    .await
}
