//! The request id and path of the request being served, for logs and problem documents.
//!
//! Set by the request-id middleware around each request; read where an error is rendered.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub request_id: String,
    pub path: String,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// The context of the request being served (empty outside one).
pub fn current() -> RequestContext {
    CONTEXT.try_with(Clone::clone).unwrap_or_default()
}

/// The request's own id: taken from `X-Request-Id` when it is a sane token, else a new UUIDv7.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// Gives each request its id, echoes it as `X-Request-Id`, and marks authenticated and token
/// responses `Cache-Control: no-store`.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let context = RequestContext {
        request_id: request_id(&req),
        path: req.path().to_owned(),
    };
    let id = context.request_id.clone();
    let private = req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
        || req.path().starts_with("/api/v1/auth/");
    req.extensions_mut().insert(context.clone());
    let mut response = CONTEXT.scope(context, next.call(req)).await?;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    if private {
        headers.insert(
            actix_web::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}
