//! `CurrentUser`: the authenticated user, as an extractor. A handler without one is public.

use super::scope::{self, Scope};
use crate::error::ApiError;
use crate::sessions::Session;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use brobygger_domain::user::{Actor, Role};
use brobygger_persistence::auth;
use brobygger_persistence::ids::{OrganisationId, SessionId, UserId};
use std::time::Instant;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub session_id: SessionId,
    /// An integration client's scopes: those its token carries that it still holds; empty
    /// for people, whose role decides.
    pub scopes: Vec<Scope>,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor<Uuid> {
        Actor {
            user_id: self.id.into(),
            organisation_id: self.organisation_id.into(),
            role: self.role,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(
            "send an access token: Authorization: Bearer <token>",
        ))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is malformed"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(ApiError::Unauthorized(
            "the Authorization header is malformed",
        )),
    }
}

impl CurrentUser {
    /// Verifies the request's bearer token: its signature (every time), its session (open) and
    /// its user (active), so revocation and deactivation take effect at once. The session and
    /// user come from memory when cached (`sessions`), from one query otherwise.
    pub async fn authenticate(req: &HttpRequest) -> Result<Self, ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::internal("application state missing"))?
            .clone();
        let claims = state.keys.verify(&bearer(req)?)?;
        let now = state.clock.now_naive();
        const REVOKED: ApiError = ApiError::Unauthorized("the access token has been revoked");
        let (Ok(sub), Ok(sid)) = (
            claims.sub.parse::<UserId>(),
            claims.sid.parse::<SessionId>(),
        ) else {
            return Err(REVOKED);
        };
        let user = match state.sessions.get(sid, now, Instant::now()) {
            Some(cached) if cached.user_id == sub => cached,
            Some(_) => return Err(REVOKED),
            None => {
                let ticket = state.sessions.ticket();
                let (row, expires_at) = state
                    .db
                    .read(move |conn| Ok(auth::active_user_of_session(conn, sub, sid, now)?))
                    .await?
                    .ok_or(REVOKED)?;
                let session = Session::of(&row, expires_at);
                state
                    .sessions
                    .put(ticket, sid, session.clone(), Instant::now());
                session
            }
        };
        // The token's scopes, as far as the client still holds them.
        let held = scope::parse_stored(&user.scopes);
        let scopes = scope::parse_stored(claims.scope.as_deref().unwrap_or_default())
            .into_iter()
            .filter(|s| user.role.is_machine() && held.contains(s))
            .collect();
        Ok(CurrentUser {
            id: user.user_id,
            organisation_id: user.organisation_id,
            role: user.role,
            session_id: sid,
            scopes,
        })
    }
}

/// The user the access guard (`access::guard`) authenticated and let through, as the
/// operations table allows. A route the guard did not decide on has no row in that table: it
/// is refused.
impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<CurrentUser>()
                .cloned()
                .ok_or_else(|| ApiError::Forbidden("this operation has no access rule".to_owned())),
        )
    }
}
