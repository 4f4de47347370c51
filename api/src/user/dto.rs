//! What `/users` reads and writes.

use crate::clock::to_utc;
use brobygger_domain::user::Role;
use brobygger_persistence::user::UserRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A user of Brobygger: a person who signs in with a password, or an integration client
/// (role `integration`) that signs in with its `client_id` and secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "username": "mette.k",
    "display_name": "Mette Kristensen",
    "email": "mette.k@vejle.dk",
    "role": "coordinator",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "active": true,
    "client_id": null,
    "scopes": [],
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub organisation_id: Uuid,
    pub active: bool,
    /// An integration client's id, for `grant_type=client_credentials`.
    pub client_id: Option<String>,
    /// An integration client's secret: shown once, in the response that creates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// An integration client's OAuth scopes (see the `oauth2` security scheme); empty for
    /// people, whose role decides what they may do.
    #[schema(example = json!(["citizens:read"]))]
    pub scopes: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(User);

impl User {
    pub fn from_row(row: UserRow) -> Self {
        Self {
            id: row.id.into(),
            organisation_id: row.organisation_id.into(),
            role: row.role,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            active: row.active,
            client_id: row.client_id,
            client_secret: None,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// What a client writes: a new user, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "mette.k",
    "display_name": "Mette Kristensen",
    "email": "mette.k@vejle.dk",
    "role": "coordinator",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "password": "a long and private passphrase"
}))]
pub struct UserInput {
    #[schema(min_length = 1, max_length = 100, pattern = "^[^\\s]+$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub role: Role,
    pub organisation_id: Uuid,
    /// Whether the user may sign in; `true` when left out. (Said here rather than as a schema
    /// `default`, which client generators such as openapi-typescript turn into a required
    /// property of the request.)
    #[serde(default = "yes")]
    pub active: bool,
    /// Write only; 12 to 200 characters. Required for every role but `integration`.
    #[serde(default)]
    #[schema(min_length = 12, max_length = 200, write_only)]
    pub password: Option<String>,
    /// Integration clients only: the OAuth scopes the client may use (see the `oauth2`
    /// security scheme); none when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["citizens:read", "citizens:write"]))]
    pub scopes: Option<Vec<String>>,
}

impl crate::body::FieldRules for UserInput {}

fn yes() -> bool {
    true
}

/// A JSON merge patch of a user. Which fields a caller may set depends on who it is: a user
/// sets its own `display_name`, `email` and `password`; a coordinator also `role` and
/// `active` of its organisation's users; an admin everything.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Mette K. Kristensen", "active": false}))]
pub struct UserPatch {
    #[schema(min_length = 1, max_length = 100)]
    pub username: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub role: Option<Role>,
    pub organisation_id: Option<Uuid>,
    pub active: Option<bool>,
    #[schema(min_length = 12, max_length = 200, write_only)]
    pub password: Option<String>,
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    pub organisation_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}
