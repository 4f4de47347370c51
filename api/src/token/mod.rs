//! `POST /auth/token`, `POST /auth/revoke`, `GET /me`: signing in and out, and who is signed
//! in. The `CurrentUser` extractor, passwords and token keys are `auth`'s.

pub mod dto;
pub mod service;

use crate::auth::CurrentUser;
use crate::body;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use dto::{Me, RevokeRequest, TokenRequest, TokenResponse};
use utoipa_actix_web::service_config::ServiceConfig;

/// The routes of signing in and out.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(issue_token)
        .service(revoke_token)
        .service(get_me);
}

/// The client's address as the socket sees it (a proxy's `X-Forwarded-For` can be forged).
fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// Issue tokens
///
/// Exchanges a username and password, a refresh token, or an integration client's id and
/// secret for an access token (15 minutes) and, except for clients, a refresh token. After 5
/// failed attempts in 15 minutes for one username or from one address, answers `429` with
/// `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "issue_token",
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, description = "Tokens issued", body = TokenResponse),
        (status = 401, description = "Wrong credentials or refresh token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (value, _) = body::json_or_form(&req, &mut payload.into_inner()).await?;
    let request: TokenRequest = body::from_value(value)?;
    let response = service::issue(&state, request, client_address(&req)).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Revoke a token
///
/// Ends the sign-in a refresh token or access token belongs to: its refresh tokens stop
/// exchanging and its access tokens stop working at once. Unknown tokens are accepted
/// silently (RFC 7009), so the answer tells nothing about a token.
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_token",
    request_body(content(
        (RevokeRequest = "application/json"),
        (RevokeRequest = "application/x-www-form-urlencoded")
    )),
    responses((status = 204, description = "Revoked (or unknown)"))
)]
#[post("/auth/revoke")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (value, _) = body::json_or_form(&req, &mut payload.into_inner()).await?;
    let request: RevokeRequest = body::from_value(value)?;
    service::revoke(&state, &request.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user
///
/// The user the access token belongs to, with its organisation and role.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in user", body = Me))
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let me = state
        .db
        .read(move |conn| service::me(conn, &current))
        .await?;
    Ok(HttpResponse::Ok().json(me))
}
