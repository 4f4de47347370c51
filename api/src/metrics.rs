//! Prometheus metrics: requests by route and status, their durations, the connection pool.

use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, get, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
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
    pub fn new() -> Result<Self, prometheus::Error> {
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
/// The text exposition format.
#[utoipa::path(
    tag = "health",
    operation_id = "metrics",
    responses((status = 200, description = "Metrics", content_type = "text/plain; version=0.0.4", body = String,
        example = "brobygger_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 3"))
)]
#[get("/metrics")]
pub async fn serve_metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> HttpResponse {
    let pool = state.db.pool().state();
    metrics.pool_connections.set(i64::from(pool.connections));
    metrics.pool_idle.set(i64::from(pool.idle_connections));
    let mut buffer = Vec::new();
    if TextEncoder::new()
        .encode(&metrics.registry.gather(), &mut buffer)
        .is_err()
    {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(buffer)
}
