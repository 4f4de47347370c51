//! `GET /programmes/{id}/report`: the programme report for a period and optionally one
//! municipality — aggregates only, read by admins and the coordinators and evaluators of the
//! programme's partners (see `access`).

pub mod dto;
pub mod service;
mod suppress;

use crate::actor::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use dto::{ProgrammeReport, ReportParams};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The route of the programme report.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(programme_report);
}

/// The programme report
///
/// For the period `[from, to]` (both days included; default: the programme's period) and,
/// with `municipality_code`, only that municipality's facts: peers recruited, trained and
/// active; supervision coverage; citizens reached; support courses by model and status;
/// contacts and hours; goals by status; courses, sessions, participants by format and the
/// attendance rate; referrals by target kind and status with the median days from sent to
/// accepted; moves into employment and retention at 3, 6 and 12 months; and every target
/// beside its measured value. Each figure's description says which facts it counts and which
/// date places them in the period. Aggregates only: no citizen is named.
/// `from` after `to`, or an unknown municipality code, is `422`.
/// Role: `admin`, or `coordinator` or `evaluator` of a partner of the programme; others `404`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_programme_report",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), ReportParams),
    responses((status = 200, description = "The report", body = ProgrammeReport))
)]
#[get("/programmes/{id}/report")]
pub async fn programme_report(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let report = state
        .db
        .read(move |conn| service::programme_report(conn, &actor, &id, &params))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
