//! The use cases of signing in: issuing tokens by grant, refreshing them once, revoking a
//! sign-in, and who the signed-in user is. Sign-ins are throttled by name and by address.

use super::dto::{GrantType, Me, TokenRequest, TokenResponse};
use super::oauth::INVALID_SCOPE;
use crate::auth::CurrentUser;
use crate::auth::password;
use crate::auth::scope::{self, Scope};
use crate::error::ApiError;
use crate::organisation::dto::Organisation;
use crate::state::AppState;
use crate::tokens::{Claims, refresh_token_hash};
use crate::user::dto::User;
use actix_web::web;
use brobygger_domain::FieldErrors;
use brobygger_persistence::auth::{self, Invalidation, RefreshTokenRow, SessionRow};
use brobygger_persistence::ids::{LoginFailureId, SessionId};
use brobygger_persistence::user::UserRow;
use brobygger_persistence::{DbConnection, organisation, user};
use chrono::{NaiveDateTime, TimeDelta};

/// Failed sign-ins allowed per username and per address within [`THROTTLE_WINDOW_MINUTES`].
const MAX_FAILURES: usize = 5;
const THROTTLE_WINDOW_MINUTES: i64 = 15;

fn required<'a>(errors: &mut FieldErrors, field: &str, value: &'a Option<String>) -> &'a str {
    match value.as_deref() {
        Some(v) if !v.is_empty() => v,
        _ => {
            errors.push(field, "required", "is required for this grant_type");
            ""
        }
    }
}

/// Tokens for `request`, a sign-in from `address`.
pub async fn issue(
    state: &web::Data<AppState>,
    request: TokenRequest,
    address: String,
) -> Result<TokenResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let now = state.clock.now_naive();
    let response = match request.grant_type {
        GrantType::Password => {
            let username = required(&mut errors, "username", &request.username).to_owned();
            let password = required(&mut errors, "password", &request.password).to_owned();
            errors.into_result(|| ())?;
            sign_in(
                state,
                (username, None),
                address,
                now,
                (password, |u: &UserRow| u.password_hash.clone()),
                move |conn, username| {
                    Ok(user::find_by_username(conn, username)?.filter(|u| !u.role.is_machine()))
                },
            )
            .await?
        }
        GrantType::ClientCredentials => {
            let client_id = required(&mut errors, "client_id", &request.client_id).to_owned();
            let secret = required(&mut errors, "client_secret", &request.client_secret).to_owned();
            errors.into_result(|| ())?;
            let asked = request.scope.clone();
            sign_in(
                state,
                (client_id, asked),
                address,
                now,
                (secret, |u: &UserRow| u.client_secret_hash.clone()),
                move |conn, client_id| Ok(user::find_by_client_id(conn, client_id)?),
            )
            .await?
        }
        GrantType::RefreshToken => {
            let token = required(&mut errors, "refresh_token", &request.refresh_token).to_owned();
            errors.into_result(|| ())?;
            refresh(state, &token, now).await?
        }
    };
    Ok(response)
}

/// Checks credentials: `find` finds the user by name, then the secret given is checked against
/// the hash `stored` takes from it (off the connection, one hash per core at a time; an
/// unknown name costs the same hash). Throttled by the name tried and by the client's address.
async fn sign_in<F>(
    state: &web::Data<AppState>,
    (name, asked): (String, Option<String>),
    address: String,
    now: NaiveDateTime,
    (secret, stored): (String, fn(&UserRow) -> Option<String>),
    find: F,
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
    let found = state.db.read(move |conn| find(conn, &verify_name)).await?;
    let ok = password::verify_bounded(secret, found.as_ref().and_then(stored)).await?;
    let found = found.filter(|_| ok);
    match found {
        Some(user) if user.active => {
            let scopes = granted(&user, asked.as_deref())?;
            open_session(state, user, now, scopes).await
        }
        _ => {
            state
                .db
                .write(move |conn| {
                    auth::prune_login_failures(conn, now - TimeDelta::days(1))?;
                    Ok(auth::record_login_failure(
                        conn,
                        LoginFailureId::new(),
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

/// The scopes a client's token gets: those asked for (`scope`), each one the client holds, or
/// all it holds when it asks for none (RFC 6749 §3.3). `None` for people.
fn granted(user: &UserRow, asked: Option<&str>) -> Result<Option<Vec<Scope>>, ApiError> {
    if !user.role.is_machine() {
        return Ok(None);
    }
    let held = scope::parse_stored(&user.scopes);
    let Some(asked) = asked.filter(|a| !a.trim().is_empty()) else {
        return Ok(Some(held));
    };
    let refused = |message: String| ApiError::field("scope", INVALID_SCOPE, message);
    let asked = scope::parse_all(asked.split_whitespace())
        .map_err(|unknown| refused(format!("unknown scope {unknown:?}")))?;
    match asked.iter().find(|s| !held.contains(s)) {
        Some(more) => Err(refused(format!("the client was not granted {more}"))),
        None => Ok(Some(asked)),
    }
}

fn access_token(
    state: &AppState,
    user: &UserRow,
    session_id: SessionId,
    now: NaiveDateTime,
    scopes: Option<&[Scope]>,
) -> Result<String, ApiError> {
    let role = user.role;
    let ttl = i64::try_from(state.settings.access_token_ttl.as_secs()).unwrap_or(900);
    let iat = now.and_utc().timestamp();
    state.keys.sign(&Claims {
        sub: user.id.to_string(),
        org: user.organisation_id.to_string(),
        role,
        iat,
        exp: iat + ttl,
        iss: state.keys.issuer.clone(),
        aud: state.keys.audience.clone(),
        jti: uuid::Uuid::now_v7().to_string(),
        sid: session_id.to_string(),
        scope: scopes.filter(|s| !s.is_empty()).map(scope::join),
    })
}

fn token_response(
    state: &AppState,
    access_token: String,
    refresh_token: Option<String>,
    scopes: Option<&[Scope]>,
) -> TokenResponse {
    TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: i64::try_from(state.settings.access_token_ttl.as_secs()).unwrap_or(900),
        refresh_token,
        scope: scopes.filter(|s| !s.is_empty()).map(scope::join),
    }
}

/// Opens a sign-in session for `user` with its first tokens.
async fn open_session(
    state: &web::Data<AppState>,
    user: UserRow,
    now: NaiveDateTime,
    scopes: Option<Vec<Scope>>,
) -> Result<TokenResponse, ApiError> {
    let machine = user.role.is_machine();
    let ttl = TimeDelta::from_std(state.settings.refresh_token_ttl).unwrap_or(TimeDelta::days(30));
    let session = SessionRow {
        id: SessionId::new(),
        user_id: user.id,
        created_at: now,
        // A client's session lasts as long as its one access token.
        expires_at: if machine {
            now + TimeDelta::seconds(900)
        } else {
            now + ttl
        },
        revoked_at: None,
    };
    let refresh = (!machine).then(password::random_secret);
    let access = access_token(state, &user, session.id, now, scopes.as_deref())?;
    let refresh_row = refresh.as_ref().map(|token| RefreshTokenRow {
        token_hash: refresh_token_hash(token),
        session_id: session.id,
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
    Ok(token_response(state, access, refresh, scopes.as_deref()))
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
        Rotated(Box<UserRow>, SessionId),
        Reused(SessionId),
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
                auth::revoke_session(conn, session.id, now)?;
                auth::announce(conn, Invalidation::Session(session.id))?;
                return Ok(Outcome::Reused(session.id));
            }
            let Some(user) = user::find(conn, session.user_id)?.filter(|u| u.active) else {
                return Ok(Outcome::Rejected);
            };
            auth::insert_refresh_token(
                conn,
                &RefreshTokenRow {
                    token_hash: new_hash,
                    session_id: session.id,
                    created_at: now,
                    used_at: None,
                },
            )?;
            Ok(Outcome::Rotated(Box::new(user), session.id))
        })
        .await?;
    match outcome {
        Outcome::Rotated(user, session_id) => {
            let access = access_token(state, &user, session_id, now, None)?;
            Ok(token_response(state, access, Some(new_refresh), None))
        }
        Outcome::Reused(session_id) => {
            state.sessions.forget(Invalidation::Session(session_id));
            log::warn!("a rotated refresh token was used again; its session is revoked");
            Err(REJECTED)
        }
        Outcome::Rejected => Err(REJECTED),
    }
}

/// Ends the sign-in `token` (a refresh or access token) belongs to; unknown tokens are
/// accepted silently.
pub async fn revoke(state: &web::Data<AppState>, token: &str) -> Result<(), ApiError> {
    let request_token = token;
    let now = state.clock.now_naive();
    let session_of_access = state
        .keys
        .verify(request_token)
        .ok()
        .and_then(|claims| claims.sid.parse::<SessionId>().ok());
    let hash = refresh_token_hash(request_token);
    let revoked = state
        .db
        .write(move |conn| {
            let session = match session_of_access {
                Some(sid) => Some(sid),
                None => auth::find_refresh_token(conn, &hash)?.map(|(_, session)| session.id),
            };
            if let Some(sid) = session {
                auth::revoke_session(conn, sid, now)?;
                auth::announce(conn, Invalidation::Session(sid))?;
            }
            Ok(session)
        })
        .await?;
    // After the commit: this process refuses the session from its next request on.
    if let Some(sid) = revoked {
        state.sessions.forget(Invalidation::Session(sid));
    }
    Ok(())
}

/// The signed-in user with its organisation and role.
pub fn me(conn: &mut DbConnection, current: &CurrentUser) -> Result<Me, ApiError> {
    let user = user::find(conn, current.id)?.ok_or(ApiError::NotFound)?;
    let organisation = organisation::find(conn, user.organisation_id)?.ok_or(ApiError::NotFound)?;
    Ok(Me {
        role: current.role,
        user: User::from_row(user),
        organisation: Organisation::from_row(organisation),
    })
}
