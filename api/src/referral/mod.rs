//! `/referrals`: bridge-building. A referral goes from a support course to a target
//! organisation at the citizen's request, under an active consent the server finds; the
//! sending side and the recipient's side move it through its workflow; withdrawing the consent
//! closes it. Citizen data: every read and write is audited (a recipient's as the recipient).
//!
//! Responses come in two shapes, told apart by `view`: the sending side's `Referral` and the
//! recipient's `ReceivedReferral` (the citizen's name and shared contact details only). A
//! list holds whichever the caller may see of each item.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::Json;
use crate::error::ApiError;
use crate::http::{self, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use dto::{Referral, ReferralFilters, ReferralInput, ReferralTransition, ReferralView};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/referrals`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(transition);
}

/// List referrals
///
/// The sending side (a course's guiding peer worker, the programme's coordinators; admins and
/// integrations read) lists the referrals of the support courses it sees, as `Referral`s. The
/// recipient's side (role `professional`, and coordinators, of the target organisation) gets
/// its inbox: the referrals addressed to its organisation, never drafts and never after the
/// consent was withdrawn, as `ReceivedReferral`s. `unacknowledged=true` keeps those sent and
/// not yet acknowledged; `awaiting_acknowledgement_days=N` those sent N or more days ago and
/// still not acknowledged, so the sender can follow up. Each item listed is an audited read.
#[utoipa::path(
    tag = "referrals",
    operation_id = "list_referrals",
    security(("bearer" = [])),
    params(PageParams, ReferralFilters),
    responses((status = 200, description = "A page of referrals, each in the caller's view", body = Page<ReferralView>))
)]
#[get("/referrals")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<ReferralFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = actor
        .audited_read(&state, move |conn, actor| {
            service::list(conn, actor, &filters, &request)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a referral
///
/// In the caller's view: the sending side's `Referral`, or the recipient's `ReceivedReferral`
/// (the recipient gets `404` for a draft and after the consent was withdrawn). Audited.
#[utoipa::path(
    tag = "referrals",
    operation_id = "get_referral",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The referral's id")),
    responses((status = 200, description = "The referral", body = ReferralView,
        headers(("ETag" = String, description = "The version"))))
)]
#[get("/referrals/{id}")]
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

/// Make a referral
///
/// The course's guiding peer worker or a coordinator of its programme makes a `draft`
/// referral to any organisation, at the citizen's request (`requested_by_citizen` must be
/// `true`, else `422`). `target_kind` follows the organisation's kind; the server finds the
/// citizen's consent active today for it (`share_with_jobcentre`, `share_with_employer`,
/// `share_with_psychiatry`, else `share_with_other`) and records it as `consent_id`; without
/// one, `409 consent_required` naming the purpose. `shared_contact_details` chooses which of
/// the citizen's contact details on record the recipient sees (default none). Audited.
#[utoipa::path(
    tag = "referrals",
    operation_id = "create_referral",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = ReferralInput,
    responses(
        (status = 201, description = "Made, as a draft", body = Referral,
            headers(("Location" = String, description = "The referral's URL"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "`consent_required`: no active consent for the target's purpose (named in `detail`)", body = crate::error::Problem,
            example = json!({"type": "/problems/consent_required", "code": "consent_required", "title": "Consent required", "status": 409,
                "detail": "the citizen has no active share_with_jobcentre consent today: record it before making this referral",
                "instance": "/api/v1/referrals", "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/referrals")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<ReferralInput>,
) -> Result<HttpResponse, ApiError> {
    let (input, creator) = (body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Move a referral to another status
///
/// `draft → sent → acknowledged → accepted → completed`; `sent | acknowledged → declined`
/// (reason required); `draft | sent | accepted → cancelled`. The sending side sends and
/// cancels (sending checks the consent again: `409 consent_required`); the recipient's side
/// acknowledges, accepts, declines and completes. A move by the other side is `403`; an
/// impossible one `409 invalid_transition` naming the moves allowed. `consent_withdrawn` is
/// the system's, on withdrawal of the consent. Kept in `status_history`. Audited.
#[utoipa::path(
    tag = "referrals",
    operation_id = "transition_referral",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The referral's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: a retry with the same key and body answers the first response again (`Idempotent-Replayed: true`)")
    ),
    request_body = ReferralTransition,
    responses(
        (status = 200, description = "Moved", body = ReferralView, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition` (with the `allowed` moves) or `consent_required`", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from draft to accepted; allowed: sent, cancelled", "instance": "/api/v1/referrals/0193a5d9-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["sent", "cancelled"]}))
    )
)]
#[post("/referrals/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ReferralTransition>,
) -> Result<HttpResponse, ApiError> {
    let (id, move_to, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::act(&state, &actor, &req, &body.digest, move |conn| {
        service::transition(conn, &writer, &id, move_to)
    })
    .await
}
