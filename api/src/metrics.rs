//! Prometheus metrics: requests by route and status, their durations, the connection pool, the
//! batches of read audit records (records per batch: `audit_batch_records_total /
//! audit_batches_total`).
//! Served to a scraper holding `BROBYGGER_METRICS_TOKEN`, or without one to loopback only.

use crate::audit_commit::BatchCounts;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, get, http::header, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::time::Instant;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
}

impl Metrics {
    pub fn new(audit_batches: &BatchCounts) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("brobygger".to_owned()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served"),
            &["method", "route", "status"],
        )?;
        let durations = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to serve a request").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["method", "route"],
        )?;
        let pool_connections = IntGauge::new("db_pool_connections", "Open database connections")?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(durations.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(audit_batches.batches.clone()))?;
        registry.register(Box::new(audit_batches.records.clone()))?;
        Ok(Self {
            registry,
            requests,
            durations,
            pool_connections,
            pool_idle,
        })
    }
}

/// Counts and times every request, labelled by its route pattern (not its path, so ids do not
/// explode the label set).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        let status = response.status().as_u16().to_string();
        metrics
            .requests
            .with_label_values(&[method.as_str(), route.as_str(), status.as_str()])
            .inc();
        metrics
            .durations
            .with_label_values(&[method.as_str(), route.as_str()])
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(response)
}

/// Prometheus metrics
///
/// The text exposition format: requests by route and status, their durations, the database
/// connection pool, and the batches in which the audit records of reads are committed. Not an API resource and not for integrators: it is for the
/// operator's scraper. When the server is configured with `BROBYGGER_METRICS_TOKEN`, the
/// scraper sends `Authorization: Bearer <that token>` (any other answer is `401`); without
/// it, only clients on the loopback interface are answered (`403` for others; behind a
/// trusted proxy the forwarded client address counts, see `BROBYGGER_TRUSTED_PROXIES`).
#[utoipa::path(
    tag = "health",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Metrics", content_type = "text/plain; version=0.0.4", body = String,
            example = "brobygger_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 3"),
        (status = 401, description = "A metrics token is configured and the request does not carry it", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No metrics token is configured and the client is not on the loopback interface", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn serve_metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    allowed(&req, &state)?;
    let pool = state.db.pool().state();
    metrics.pool_connections.set(i64::from(pool.connections));
    metrics.pool_idle.set(i64::from(pool.idle_connections));
    let mut buffer = Vec::new();
    TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut buffer)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(buffer))
}

/// The configured token, compared in constant time; or else a loopback client.
fn allowed(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    match &state.settings.metrics_token {
        Some(token) => {
            let sent = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            if same_secret(sent, token.expose_secret()) {
                Ok(())
            } else {
                Err(ApiError::Unauthorized(
                    "/metrics needs the metrics token as a bearer token",
                ))
            }
        }
        None if req.peer_addr().is_some_and(|a| a.ip().is_loopback()) => Ok(()),
        None => Err(ApiError::Forbidden(
            "/metrics answers only on the loopback interface unless BROBYGGER_METRICS_TOKEN is set"
                .to_owned(),
        )),
    }
}

/// Equal secrets, in time that does not depend on where they differ (nor on their lengths:
/// their digests are compared).
fn same_secret(sent: &str, expected: &str) -> bool {
    let (a, b) = (
        Sha256::digest(sent.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        assert!(!same_secret("s3cret-toke", "s3cret-token"));
        assert!(!same_secret("", "s3cret-token"));
        assert!(!same_secret("S3cret-token", "s3cret-token"));
    }
}
