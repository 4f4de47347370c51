//! Creates with `Idempotency-Key`: a retry gets the first response again and creates nothing.

use crate::auth::CurrentUser;
use crate::body::digest;
use crate::error::ApiError;
use crate::http::{Versioned, etag};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName};
use actix_web::{HttpRequest, HttpResponse};
use brobygger_persistence::DbConnection;
use brobygger_persistence::idempotency::{self, IdempotencyRow};
use chrono::TimeDelta;
use serde::Serialize;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// How long a key is remembered.
const KEEP_HOURS: i64 = 24;

/// What a create with a key came to.
enum Outcome {
    Created(String, String, i64),
    Replayed(IdempotencyRow),
}

fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(&IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(|k| Some(k.to_owned()))
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                "invalid_format",
                "must be 1–255 visible ASCII characters",
            )
        })
}

fn created(body: String, location: &str, version: Option<i64>, replayed: bool) -> HttpResponse {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location.to_owned()));
    response.content_type("application/json");
    if let Some(version) = version {
        response.insert_header((header::ETAG, etag(version)));
    }
    if replayed {
        response.insert_header((REPLAYED, "true"));
    }
    response.body(body)
}

/// Creates a resource with `make` (inside the request's one transaction) and answers `201`
/// with `Location` and `ETag`. With an `Idempotency-Key`, the response is stored in that
/// same transaction and replayed for a retry with the same body; a duplicate that arrives
/// while the first is under way is `409 idempotency_conflict`. Nothing of a request that
/// failed or died is kept, so its retry runs again.
pub async fn create<T, F>(
    state: &AppState,
    user: &CurrentUser,
    req: &HttpRequest,
    body_digest: &str,
    make: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Versioned + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<(T, String), ApiError> + Send + 'static,
{
    let Some(key) = key(req)? else {
        let (body, location, version) = state
            .db
            .write(move |conn| {
                let (resource, location) = make(conn)?;
                let body = serde_json::to_string(&resource).map_err(ApiError::internal)?;
                Ok((body, location, resource.version()))
            })
            .await?;
        return Ok(created(body, &location, Some(version), false));
    };
    let user_id = user.id;
    let _held = state
        .in_flight
        .hold(&user_id.to_string(), &key)
        .ok_or(ApiError::IdempotencyConflict)?;
    let request_hash = digest(format!("{} {}\n{body_digest}", req.method(), req.path()).as_bytes());
    let now = state.clock.now_naive();
    let expired = now - TimeDelta::hours(KEEP_HOURS);
    let outcome = state
        .db
        .write(move |conn| {
            if !idempotency::lock(conn, user_id, &key)? {
                return Err(ApiError::IdempotencyConflict);
            }
            if let Some(found) = idempotency::find(conn, user_id, &key, expired)? {
                if found.request_hash != request_hash {
                    return Err(ApiError::IdempotencyKeyReuse);
                }
                return Ok(Outcome::Replayed(found));
            }
            idempotency::prune(conn, expired)?;
            let (resource, location) = make(conn)?;
            let body = serde_json::to_string(&resource).map_err(ApiError::internal)?;
            idempotency::insert(
                conn,
                &IdempotencyRow {
                    user_id,
                    key,
                    request_hash,
                    state: idempotency::KeyState::Completed,
                    response_status: Some(201),
                    response_body: Some(body.clone()),
                    response_location: Some(location.clone()),
                    created_at: now,
                },
            )?;
            Ok(Outcome::Created(body, location, resource.version()))
        })
        .await?;
    Ok(match outcome {
        Outcome::Created(body, location, version) => created(body, &location, Some(version), false),
        Outcome::Replayed(found) => replay(found),
    })
}

/// The stored first response, again.
fn replay(found: IdempotencyRow) -> HttpResponse {
    let status = found
        .response_status
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(201);
    let body = found.response_body.unwrap_or_default();
    let version = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("version").and_then(serde_json::Value::as_i64));
    let mut response = created(
        body,
        found.response_location.as_deref().unwrap_or_default(),
        version,
        true,
    );
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    response
}
