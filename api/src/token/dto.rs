//! What the token endpoint, revocation and `/me` read and write.

use crate::organisation::dto::Organisation;
use crate::user::dto::User;
use brobygger_domain::user::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// `client_credentials` only: the scopes asked for, space-separated, each one the client
    /// was granted; all it was granted when left out (RFC 6749 §3.3).
    #[schema(max_length = 1000, example = "citizens:read")]
    pub scope: Option<String>,
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
    /// An integration client's scopes, space-separated (RFC 6749 §5.1); not for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
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
        "active": true, "client_id": null, "scopes": [], "version": 1,
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
