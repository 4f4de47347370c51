//! `/exports/{dataset}`: streamed, pseudonymised exports for evaluators and municipal data
//! warehouses; `brobygger export` (`crate::export_cli`) runs the same producer into a file.

pub mod body;
pub mod dto;
pub mod encode;
pub mod service;
pub mod stream;

use crate::actor::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use dto::{ExportParams, ExportRow};
use utoipa_actix_web::service_config::ServiceConfig;

/// The export route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export);
}

/// Export a dataset
///
/// Streams every row of `dataset` the caller may export, in id order, as CSV (a header row,
/// then one record a row) or NDJSON (one object a line), in constant memory from one
/// consistent snapshot. Datasets: `support_courses`, `contacts`, `goals`, `referrals`,
/// `employment_statuses`, `retention_checks`, `courses`, `enrolments`, `attendance`; their
/// columns are the `Export…Row` schemas. Roles: `admin` (every programme) and `coordinator`
/// (its organisation's partner programmes) receive citizen ids and free text, never CPR;
/// `evaluator` and `integration` receive their organisation's partner programmes
/// pseudonymised: a citizen only as `citizen_pseudonym`, no free text; `peer_worker` and
/// `professional` get `403`. Bad input (unknown dataset, bad format or dates, `from` after
/// `to`, a programme the caller does not see) is a `422` before any byte of the body. A failure
/// while streaming ends NDJSON with a line `{"error": {problem}, "request_id": …}` and CSV
/// without the terminating chunk. One audit event per export, with the row count.
#[utoipa::path(
    tag = "exports",
    operation_id = "export_dataset",
    security(("bearer" = [])),
    params(
        ("dataset" = String, Path, description = "support_courses, contacts, goals, referrals, employment_statuses, retention_checks, courses, enrolments or attendance", example = "contacts"),
        ExportParams,
        ("Accept" = Option<String>, Header, description = "text/csv or application/x-ndjson, when `format` is absent"),
    ),
    responses((status = 200, description = "The rows, streamed (chunked)", content(
        (String = "text/csv", example = json!("id,support_course_id,citizen_pseudonym,programme_id,date,minutes,mode,peer_worker_id,created_at,updated_at\r\n")),
        (ExportRow = "application/x-ndjson"),
    )))
)]
#[get("/exports/{dataset}")]
pub async fn export(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    dataset: web::Path<String>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let request = service::request(&dataset, &params, accept)?;
    let request_id = crate::request_context::current().request_id;
    let planner = state.clone();
    let plan = state
        .db
        .read(move |conn| {
            let auditor = actor.audit.clone();
            service::plan(conn, &actor, auditor, &planner.vault, &request, request_id)
        })
        .await?;
    body::respond(&state.db, plan).await
}
