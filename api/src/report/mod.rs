//! `GET /programmes/{id}/report`: the programme report for a period and optionally one
//! municipality — aggregates only, read by admins and the coordinators and evaluators of the
//! programme's partners (see `access`).

pub mod dto;
pub mod html;
pub mod service;
mod suppress;

use crate::actor::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
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
/// Admins and coordinators read exact figures; for evaluators (and integration clients)
/// every count of citizens or of facts about citizens below 5 is suppressed
/// (`{"value": null, "suppressed": true}`), with enough further counts that no suppressed one
/// can be recovered by subtraction from a shown total, and rates, medians and shares over them
/// too (see `Count` and `Amount`). With `Accept: text/html` the same report is a
/// self-contained printable HTML page (inline CSS and SVG charts: citizens reached against
/// target, support courses by status, the referral funnel, retention at 3/6/12 months;
/// suppressed counts read "< 5", suppressed rates "–"); otherwise JSON.
/// Role: `admin`, or `coordinator` or `evaluator` of a partner of the programme; others `404`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_programme_report",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), ReportParams),
    responses((status = 200, description = "The report: JSON, or with `Accept: text/html` a self-contained printable page",
        content((ProgrammeReport = "application/json"), (String = "text/html", example = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Programme report</title><style>…</style></head><body><h1>Programme report</h1>…</body></html>"))))
)]
#[get("/programmes/{id}/report")]
pub async fn programme_report(
    req: HttpRequest,
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
    if html::wants_html(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html::page(&report)));
    }
    Ok(HttpResponse::Ok().json(report))
}
