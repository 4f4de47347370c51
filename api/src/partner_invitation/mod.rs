//! `/partner-invitations`: partnerships offered to organisations of other tenants, which grant
//! nothing until a coordinator of the invited organisation accepts them.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::error::ApiError;
use crate::http::Page;
use crate::programme::dto::Partner;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use dto::{InvitationFilters, PartnerInvitation};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/partner-invitations`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(read)
        .service(accept)
        .service(decline);
}

/// List partnership invitations
///
/// Those addressed to the user's organisation, and those made by programmes its organisation
/// is a partner of. Who may: admins (all) and coordinators; other roles get an empty list.
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_partner_invitations",
    security(("bearer" = [])),
    params(InvitationFilters),
    responses((status = 200, description = "The invitations, oldest first", body = Page<PartnerInvitation>))
)]
#[get("/partner-invitations")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    filters: web::Query<InvitationFilters>,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters))
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
}

/// Get a partnership invitation
///
/// Who may: admins, coordinators of the invited organisation and of the programme's partners;
/// `404` for everyone else.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_partner_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invitation's id")),
    responses((status = 200, description = "The invitation", body = PartnerInvitation))
)]
#[get("/partner-invitations/{id}")]
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
    Ok(HttpResponse::Ok().json(found))
}

/// Accept a partnership
///
/// The invited organisation becomes a partner of the programme with the offered role: from now
/// on its coordinators see the programme's data. Who may: a coordinator of the invited
/// organisation (or an admin); the inviting side gets `403`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "accept_partner_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invitation's id")),
    responses((status = 200, description = "The partner, accepted", body = Partner))
)]
#[post("/partner-invitations/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let partner = state
        .db
        .write(move |conn| service::accept(conn, &actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(partner))
}

/// Decline or withdraw a partnership invitation
///
/// Removes the invitation; nothing of it is left. Who may: a coordinator of the invited
/// organisation (declining) or of a partner of the programme (withdrawing), or an admin.
#[utoipa::path(
    tag = "programmes",
    operation_id = "decline_partner_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invitation's id")),
    responses((status = 204, description = "Declined; the invitation is gone"))
)]
#[post("/partner-invitations/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db
        .write(move |conn| service::decline(conn, &actor, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
