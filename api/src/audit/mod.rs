//! `/audit-events`: the append-only record of every read and write of citizen data (admins).

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::error::ApiError;
use crate::http::{Page, PageParams};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use dto::{AuditEvent, AuditFilters};
use utoipa_actix_web::service_config::ServiceConfig;

/// The routes of `/audit-events`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

/// List audit events
///
/// The append-only record of every read and write of citizen data: who, in which role and
/// organisation, did what to which resource of which citizen, when, in which request. Admins
/// only. `updated_since` filters by the event's time (events never change).
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    security(("bearer" = [])),
    params(PageParams, AuditFilters),
    responses((status = 200, description = "A page of audit events, oldest first", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<AuditFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
