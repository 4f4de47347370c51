//! `POST /auth/token`, `POST /auth/revoke`, `GET /me`: signing in and out, and who is signed
//! in. The `CurrentUser` extractor, passwords and token keys are `auth`'s.

pub mod dto;
pub mod oauth;
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
/// secret for an access token (15 minutes) and, except for clients, a refresh token: a
/// standard OAuth 2.0 token endpoint (RFC 6749). A client authenticates by HTTP Basic
/// (`Authorization: Basic base64(client_id:client_secret)`, each form-urlencoded) or with
/// `client_id` and `client_secret` in the body. Every failure is a problem document that also
/// carries the RFC 6749 `error` member, and no answer is cached (`Cache-Control: no-store`).
/// An integration client may ask for some of its scopes (`scope`); its tokens carry them
/// (`scope` in the response and in the token). After 5
/// failed attempts in 15 minutes for one username or from one address, answers `429` with
/// `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "issue_token",
    request_body(
        content = TokenRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "A form, as RFC 6749 has it; the same fields as JSON (`application/json`) are accepted too"
    ),
    responses(
        (status = 200, description = "Tokens issued", body = TokenResponse),
        (status = 400, description = "RFC 6749 §5.2: `error` (and the problem's `code`) is `invalid_request` (missing or invalid fields, listed in `errors`), `invalid_grant` (wrong username or password, or a refresh token that is invalid, used or revoked), `unsupported_grant_type` or `invalid_scope` (a scope the client was not granted, or any scope asked for by a person)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client`: wrong client credentials (with `WWW-Authenticate: Basic` when the client authenticated by HTTP Basic)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; `error` as for `401`", body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let basic = oauth::basic_credentials(&req);
    let used_basic = matches!(basic, Ok(Some(_)));
    let result: oauth::Issued = async {
        let basic = basic?;
        let (mut value, _) = body::json_or_form(&req, &mut payload.into_inner()).await?;
        let grant_type = oauth::prepare(&mut value, basic)?;
        let request: TokenRequest = body::from_value(value)?;
        service::issue(&state, request, client_address(&req))
            .await
            .map(Some)
            .map_err(|e| oauth::Failure::of_grant(e, &grant_type))
    }
    .await;
    oauth::respond(result, used_basic)
}

/// Revoke a token
///
/// Ends the sign-in a refresh token or access token belongs to: its refresh tokens stop
/// exchanging and its access tokens stop working at once. Unknown tokens are accepted
/// silently (RFC 7009), so the answer tells nothing about a token.
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_token",
    request_body(
        content = RevokeRequest,
        content_type = "application/x-www-form-urlencoded",
        description = "A form, as RFC 6749 has it; the same fields as JSON (`application/json`) are accepted too"
    ),
    responses((status = 204, description = "Revoked (or unknown)"))
)]
#[post("/auth/revoke")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let result: Result<Option<()>, oauth::Failure> = async {
        let (value, _) = body::json_or_form(&req, &mut payload.into_inner()).await?;
        let request: RevokeRequest = body::from_value(value)?;
        service::revoke(&state, &request.token).await?;
        Ok(None)
    }
    .await;
    oauth::respond(result, false)
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
