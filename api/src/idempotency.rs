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
use brobygger_persistence::idempotency::{self, Claim, IdempotencyRow};
use chrono::TimeDelta;
use serde::Serialize;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// How long a key is remembered.
const KEEP_HOURS: i64 = 24;
/// An in-flight key older than this belongs to a request that died; it may be claimed again.
const ABANDONED_AFTER_SECONDS: i64 = 120;

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
/// same transaction and replayed for a retry with the same body.
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
    let key = key(req)?;
    let user_id = user.id;
    if let Some(key) = &key {
        let now = state.clock.now_naive();
        let row = IdempotencyRow {
            user_id,
            key: key.clone(),
            request_hash: digest(
                format!("{} {}\n{body_digest}", req.method(), req.path()).as_bytes(),
            ),
            state: idempotency::KeyState::InFlight,
            response_status: None,
            response_body: None,
            response_location: None,
            created_at: now,
        };
        let request_hash = row.request_hash.clone();
        let expired = now - TimeDelta::hours(KEEP_HOURS);
        let abandoned = now - TimeDelta::seconds(ABANDONED_AFTER_SECONDS);
        let claim = state
            .db
            .write(move |conn| {
                idempotency::prune(conn, expired)?;
                Ok(idempotency::claim(conn, &row, expired, abandoned)?)
            })
            .await?;
        if let Claim::Existing(found) = claim {
            if found.request_hash != request_hash {
                return Err(ApiError::IdempotencyKeyReuse);
            }
            if found.state == idempotency::KeyState::InFlight {
                return Err(ApiError::IdempotencyConflict);
            }
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
            return Ok(response);
        }
    }
    let stored_key = key.clone();
    let stored_user = user_id;
    let result = state
        .db
        .write(move |conn| {
            let (resource, location) = make(conn)?;
            let body = serde_json::to_string(&resource).map_err(ApiError::internal)?;
            if let Some(key) = &stored_key {
                idempotency::complete(conn, stored_user, key, 201, &body, Some(&location))?;
            }
            Ok((body, location, resource.version()))
        })
        .await;
    match result {
        Ok((body, location, version)) => Ok(created(body, &location, Some(version), false)),
        Err(error) => {
            if let Some(key) = key {
                // Let a retry try again; if this fails too, the key is reclaimed once abandoned.
                let _ = state
                    .db
                    .write(move |conn| Ok(idempotency::release(conn, user_id, &key)?))
                    .await;
            }
            Err(error)
        }
    }
}
