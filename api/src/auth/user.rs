//! `CurrentUser`: the authenticated user, as an extractor. A handler without one is public.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use brobygger_domain::user::{Actor, Role};
use brobygger_persistence::auth;
use brobygger_persistence::ids::{OrganisationId, SessionId, UserId};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub organisation_id: OrganisationId,
    pub role: Role,
    pub session_id: SessionId,
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

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("application state missing"))?
                .clone();
            let claims = state.keys.verify(&bearer(&req)?)?;
            let now = state.clock.now_naive();
            const REVOKED: ApiError = ApiError::Unauthorized("the access token has been revoked");
            let (Ok(sub), Ok(sid)) = (
                claims.sub.parse::<UserId>(),
                claims.sid.parse::<SessionId>(),
            ) else {
                return Err(REVOKED);
            };
            // The token's signature is not enough: its session must be open and its user
            // active, so revocation and deactivation take effect at once.
            let user = state
                .db
                .read(move |conn| Ok(auth::active_user_of_session(conn, sub, sid, now)?))
                .await?
                .ok_or(REVOKED)?;
            Ok(CurrentUser {
                id: user.id,
                organisation_id: user.organisation_id,
                role: user.role,
                session_id: sid,
            })
        })
    }
}
