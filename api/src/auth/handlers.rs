//! `POST /auth/token`, `POST /auth/revoke`, `GET /me`.

use super::password;
use super::tokens::{Claims, refresh_token_hash};
use super::user::CurrentUser;
use crate::body;
use crate::error::ApiError;
use crate::organisation::dto::Organisation;
use crate::state::AppState;
use crate::user::User;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::user::Role;
use brobygger_persistence::auth::{self, RefreshTokenRow, SessionRow};
use brobygger_persistence::user::UserRow;
use brobygger_persistence::{DbConnection, organisation, user};
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Failed sign-ins allowed per username and per address within [`THROTTLE_WINDOW_MINUTES`].
const MAX_FAILURES: usize = 5;
const THROTTLE_WINDOW_MINUTES: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    Password,
    RefreshToken,
    ClientCredentials,
}

/// An OAuth 2.0 token request, as JSON or as a form. Which fields are needed depends on
/// `grant_type`: `username` and `password`; `refresh_token`; or `client_id` and `client_secret`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "password", "username": "admin", "password": "s3cret-passphrase"}))]
pub struct TokenRequest {
    pub grant_type: GrantType,
    #[schema(max_length = 200)]
    pub username: Option<String>,
    #[schema(max_length = 1000)]
    pub password: Option<String>,
    #[schema(max_length = 200)]
    pub refresh_token: Option<String>,
    #[schema(max_length = 200)]
    pub client_id: Option<String>,
    #[schema(max_length = 200)]
    pub client_secret: Option<String>,
}

impl crate::body::FieldRules for TokenRequest {}
impl crate::body::FieldRules for RevokeRequest {}

/// Tokens for the API.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "q7m1Yv0tM4o8u0p4cJb8dPpHn6k2wWq1p3sU5eXyZr0"
}))]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque; exchanges once for new tokens (`grant_type=refresh_token`). Not issued to
    /// integration clients, which sign in again with their secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// A token to revoke: a refresh token or an access token. Revoking either ends its sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q7m1Yv0tM4o8u0p4cJb8dPpHn6k2wWq1p3sU5eXyZr0"}))]
pub struct RevokeRequest {
    #[schema(min_length = 1, max_length = 4000)]
    pub token: String,
    /// Accepted for OAuth 2.0 compatibility (RFC 7009); ignored.
    pub token_type_hint: Option<String>,
}

/// The signed-in user, its organisation and role.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "user": {
        "id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "username": "mette.k", "display_name": "Mette Kristensen",
        "email": "mette.k@vejle.dk", "role": "coordinator", "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
        "active": true, "client_id": null, "version": 1,
        "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z"
    },
    "organisation": {
        "id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21", "name": "Vejle Kommune", "kind": "municipality",
        "municipality_code": "630", "region_code": "1083", "cvr": null, "parent_id": null, "version": 1,
        "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z"
    },
    "role": "coordinator"
}))]
pub struct Me {
    pub user: User,
    pub organisation: Organisation,
    pub role: Role,
}

fn required<'a>(errors: &mut FieldErrors, field: &str, value: &'a Option<String>) -> &'a str {
    match value.as_deref() {
        Some(v) if !v.is_empty() => v,
        _ => {
            errors.push(field, "required", "is required for this grant_type");
            ""
        }
    }
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
    let mut errors = FieldErrors::new();
    let now = state.clock.now_naive();
    let address = client_address(&req);
    let response = match request.grant_type {
        GrantType::Password => {
            let username = required(&mut errors, "username", &request.username).to_owned();
            let password = required(&mut errors, "password", &request.password).to_owned();
            errors.into_result(|| ())?;
            sign_in(&state, username, address, now, move |conn, username| {
                let found = user::find_by_username(conn, username)?
                    .filter(|u| !Role::parse(&u.role).is_some_and(Role::is_machine));
                let ok = password::verify(
                    &password,
                    found.as_ref().and_then(|u| u.password_hash.as_deref()),
                );
                Ok(found.filter(|_| ok))
            })
            .await?
        }
        GrantType::ClientCredentials => {
            let client_id = required(&mut errors, "client_id", &request.client_id).to_owned();
            let secret = required(&mut errors, "client_secret", &request.client_secret).to_owned();
            errors.into_result(|| ())?;
            sign_in(&state, client_id, address, now, move |conn, client_id| {
                let found = user::find_by_client_id(conn, client_id)?;
                let ok = password::verify(
                    &secret,
                    found.as_ref().and_then(|u| u.client_secret_hash.as_deref()),
                );
                Ok(found.filter(|_| ok))
            })
            .await?
        }
        GrantType::RefreshToken => {
            let token = required(&mut errors, "refresh_token", &request.refresh_token).to_owned();
            errors.into_result(|| ())?;
            refresh(&state, &token, now).await?
        }
    };
    Ok(HttpResponse::Ok().json(response))
}

/// Checks credentials with `verify` (which finds the user, or `None` when they are wrong),
/// throttling by the name tried and by the client's address.
async fn sign_in<F>(
    state: &web::Data<AppState>,
    name: String,
    address: String,
    now: NaiveDateTime,
    verify: F,
) -> Result<TokenResponse, ApiError>
where
    F: FnOnce(&mut DbConnection, &str) -> Result<Option<UserRow>, ApiError> + Send + 'static,
{
    let since = now - TimeDelta::minutes(THROTTLE_WINDOW_MINUTES);
    let (throttle_name, throttle_address) = (name.clone(), address.clone());
    let (by_name, by_address) = state
        .db
        .read(move |conn| {
            Ok(auth::recent_login_failures(
                conn,
                &throttle_name,
                &throttle_address,
                since,
                MAX_FAILURES as i64,
            )?)
        })
        .await?;
    // Blocked until the oldest of the last five failures leaves the window.
    let blocked_until = [by_name, by_address]
        .iter()
        .filter(|failures| failures.len() >= MAX_FAILURES)
        .filter_map(|failures| failures.get(MAX_FAILURES - 1))
        .map(|fifth| *fifth + TimeDelta::minutes(THROTTLE_WINDOW_MINUTES))
        .max();
    if let Some(until) = blocked_until {
        let retry_after = (until - now).num_seconds().max(1);
        return Err(ApiError::RateLimited {
            retry_after: retry_after.unsigned_abs(),
        });
    }
    let (verify_name, failure_name) = (name.clone(), name);
    let found = state
        .db
        .read(move |conn| verify(conn, &verify_name))
        .await?;
    match found {
        Some(user) if user.active => open_session(state, user, now, true).await,
        _ => {
            state
                .db
                .write(move |conn| {
                    auth::prune_login_failures(conn, now - TimeDelta::days(1))?;
                    let id = uuid::Uuid::now_v7().to_string();
                    Ok(auth::record_login_failure(
                        conn,
                        &id,
                        &failure_name,
                        &address,
                        now,
                    )?)
                })
                .await?;
            Err(ApiError::Unauthorized(
                "the credentials are wrong or the account is disabled",
            ))
        }
    }
}

fn access_token(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal("stored role unknown"))?;
    let ttl = i64::try_from(state.settings.access_token_ttl.as_secs()).unwrap_or(900);
    let iat = now.and_utc().timestamp();
    state.keys.sign(&Claims {
        sub: user.id.clone(),
        org: user.organisation_id.clone(),
        role,
        iat,
        exp: iat + ttl,
        iss: state.keys.issuer.clone(),
        aud: state.keys.audience.clone(),
        jti: uuid::Uuid::now_v7().to_string(),
        sid: session_id.to_owned(),
    })
}

fn token_response(
    state: &AppState,
    access_token: String,
    refresh_token: Option<String>,
) -> TokenResponse {
    TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: i64::try_from(state.settings.access_token_ttl.as_secs()).unwrap_or(900),
        refresh_token,
    }
}

/// Opens a sign-in session for `user` with its first tokens.
async fn open_session(
    state: &web::Data<AppState>,
    user: UserRow,
    now: NaiveDateTime,
    with_refresh: bool,
) -> Result<TokenResponse, ApiError> {
    let machine = Role::parse(&user.role).is_some_and(Role::is_machine);
    let ttl = TimeDelta::from_std(state.settings.refresh_token_ttl).unwrap_or(TimeDelta::days(30));
    let session = SessionRow {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user.id.clone(),
        created_at: now,
        // A client's session lasts as long as its one access token.
        expires_at: if machine {
            now + TimeDelta::seconds(900)
        } else {
            now + ttl
        },
        revoked_at: None,
    };
    let refresh = (with_refresh && !machine).then(password::random_secret);
    let access = access_token(state, &user, &session.id, now)?;
    let refresh_row = refresh.as_ref().map(|token| RefreshTokenRow {
        token_hash: refresh_token_hash(token),
        session_id: session.id.clone(),
        created_at: now,
        used_at: None,
    });
    state
        .db
        .write(move |conn| {
            auth::insert_session(conn, &session)?;
            if let Some(row) = &refresh_row {
                auth::insert_refresh_token(conn, row)?;
            }
            Ok(())
        })
        .await?;
    Ok(token_response(state, access, refresh))
}

/// Exchanges a refresh token once. A second use of the same token means it leaked: the whole
/// session is revoked.
async fn refresh(
    state: &web::Data<AppState>,
    token: &str,
    now: NaiveDateTime,
) -> Result<TokenResponse, ApiError> {
    const REJECTED: ApiError =
        ApiError::Unauthorized("the refresh token is invalid, used or revoked");
    let hash = refresh_token_hash(token);
    let new_refresh = password::random_secret();
    let new_hash = refresh_token_hash(&new_refresh);
    enum Outcome {
        Rotated(Box<UserRow>, String),
        Reused,
        Rejected,
    }
    let outcome = state
        .db
        .write(move |conn| {
            let Some((row, session)) = auth::find_refresh_token(conn, &hash)? else {
                return Ok(Outcome::Rejected);
            };
            if session.revoked_at.is_some() || session.expires_at <= now {
                return Ok(Outcome::Rejected);
            }
            if !auth::use_refresh_token(conn, &row.token_hash, now)? {
                auth::revoke_session(conn, &session.id, now)?;
                return Ok(Outcome::Reused);
            }
            let Some(user) = user::find(conn, &session.user_id)?.filter(|u| u.active) else {
                return Ok(Outcome::Rejected);
            };
            auth::insert_refresh_token(
                conn,
                &RefreshTokenRow {
                    token_hash: new_hash,
                    session_id: session.id.clone(),
                    created_at: now,
                    used_at: None,
                },
            )?;
            Ok(Outcome::Rotated(Box::new(user), session.id))
        })
        .await?;
    match outcome {
        Outcome::Rotated(user, session_id) => {
            let access = access_token(state, &user, &session_id, now)?;
            Ok(token_response(state, access, Some(new_refresh)))
        }
        Outcome::Reused => {
            log::warn!("a rotated refresh token was used again; its session is revoked");
            Err(REJECTED)
        }
        Outcome::Rejected => Err(REJECTED),
    }
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
    let now = state.clock.now_naive();
    let session_of_access = state
        .keys
        .verify(&request.token)
        .ok()
        .map(|claims| claims.sid);
    let hash = refresh_token_hash(&request.token);
    state
        .db
        .write(move |conn| {
            let session = match session_of_access {
                Some(sid) => Some(sid),
                None => auth::find_refresh_token(conn, &hash)?.map(|(_, session)| session.id),
            };
            if let Some(sid) = session {
                auth::revoke_session(conn, &sid, now)?;
            }
            Ok(())
        })
        .await?;
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
        .read(move |conn| {
            let user = user::find(conn, &current.id)?.ok_or(ApiError::NotFound)?;
            let organisation =
                organisation::find(conn, &user.organisation_id)?.ok_or(ApiError::NotFound)?;
            Ok(Me {
                role: current.role,
                user: User::from_row(user)?,
                organisation: Organisation::from_row(organisation)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}
