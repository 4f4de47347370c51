//! `Idempotency-Key` on creates and on other actions that change state: a retry gets the
//! first response again and does nothing.

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

/// What a request with a key came to.
enum Outcome {
    Done(Answer),
    Replayed(IdempotencyRow),
}

/// A response as it is stored for a retry: its body, `Location` (for a create) and version.
struct Answer {
    body: String,
    location: Option<String>,
    version: i64,
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

fn respond(status: StatusCode, answer: Answer, replayed: bool) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if let Some(location) = &answer.location {
        response.insert_header((header::LOCATION, location.clone()));
    }
    response.content_type("application/json");
    response.insert_header((header::ETAG, etag(answer.version)));
    if replayed {
        response.insert_header((REPLAYED, "true"));
    }
    response.body(answer.body)
}

fn answer<T: Serialize + Versioned>(
    resource: &T,
    location: Option<String>,
) -> Result<Answer, ApiError> {
    Ok(Answer {
        body: serde_json::to_string(resource).map_err(ApiError::internal)?,
        location,
        version: resource.version(),
    })
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
    keyed(
        state,
        user,
        req,
        body_digest,
        StatusCode::CREATED,
        move |conn| {
            let (resource, location) = make(conn)?;
            answer(&resource, Some(location))
        },
    )
    .await
}

/// An action on a resource that is not a create — a workflow transition, a withdrawal, an
/// anonymisation — done by `work` (inside the request's one transaction), answering `200`
/// with the resource and its `ETag`. `Idempotency-Key` works as for [`create`]: a retry with
/// the same key and body gets the first answer again (`Idempotent-Replayed: true`) and does
/// nothing.
pub async fn act<T, F>(
    state: &AppState,
    user: &CurrentUser,
    req: &HttpRequest,
    body_digest: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Versioned + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    keyed(state, user, req, body_digest, StatusCode::OK, move |conn| {
        answer(&work(conn)?, None)
    })
    .await
}

/// Runs `work` once per `Idempotency-Key` (see [`create`]) and answers `status`.
async fn keyed<F>(
    state: &AppState,
    user: &CurrentUser,
    req: &HttpRequest,
    body_digest: &str,
    status: StatusCode,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<Answer, ApiError> + Send + 'static,
{
    let Some(key) = key(req)? else {
        let done = state.db.write(work).await?;
        return Ok(respond(status, done, false));
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
            let done = work(conn)?;
            idempotency::insert(
                conn,
                &IdempotencyRow {
                    user_id,
                    key,
                    request_hash,
                    state: idempotency::KeyState::Completed,
                    response_status: Some(i32::from(status.as_u16())),
                    response_body: Some(done.body.clone()),
                    response_location: done.location.clone(),
                    created_at: now,
                },
            )?;
            Ok(Outcome::Done(done))
        })
        .await?;
    Ok(match outcome {
        Outcome::Done(done) => respond(status, done, false),
        Outcome::Replayed(found) => replay(found),
    })
}

/// The stored first response, again.
fn replay(found: IdempotencyRow) -> HttpResponse {
    let status = found
        .response_status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::CREATED);
    let body = found.response_body.unwrap_or_default();
    let version = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("version").and_then(serde_json::Value::as_i64))
        .unwrap_or_default();
    let answer = Answer {
        body,
        location: found.response_location,
        version,
    };
    respond(status, answer, true)
}
