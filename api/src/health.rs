//! Liveness and readiness.

use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "up"}))]
pub struct Health {
    /// `live`, `ready` or `unavailable`.
    pub status: &'static str,
    /// `up` or `down`; absent for liveness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness
///
/// `200` while the process serves requests, whatever the database does.
#[utoipa::path(
    tag = "health",
    operation_id = "health_live",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "live",
        database: None,
    })
}

/// Readiness
///
/// `200` when the database answers, `503` when it does not (the process stays up and
/// recovers by itself once the database is back).
#[utoipa::path(
    tag = "health",
    operation_id = "health_ready",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable", body = Health,
            example = json!({"status": "unavailable", "database": "down"}))
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.db.ready().await {
        HttpResponse::Ok().json(Health {
            status: "ready",
            database: Some("up"),
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
            database: Some("down"),
        })
    }
}
