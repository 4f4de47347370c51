//! `/users`: people and integration clients. Admins manage everyone; a coordinator the users
//! of its own organisation (never making an admin, never its own role); others see themselves.

use crate::auth::CurrentUser;
use crate::auth::password;
use crate::body::{Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::uuid;
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::user::{Role, Subject, UserRuleError};
use brobygger_persistence::user::{self as store, UserFilter, UserRow};
use brobygger_persistence::{DbConnection, organisation};
use chrono::{DateTime, NaiveDateTime, Utc};
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
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for User {
    fn version(&self) -> i64 {
        self.version
    }
}

impl User {
    pub fn from_row(row: UserRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            organisation_id: uuid(&row.organisation_id)?,
            role: Role::parse(&row.role)
                .ok_or_else(|| ApiError::internal("stored role unknown"))?,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            active: row.active,
            client_id: row.client_id,
            client_secret: None,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
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
    /// Defaults to `true`.
    #[serde(default = "yes")]
    #[schema(default = true)]
    pub active: bool,
    /// Write only; 12 to 200 characters. Required for every role but `integration`.
    #[serde(default)]
    #[schema(min_length = 12, max_length = 200, write_only)]
    pub password: Option<String>,
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

fn subject(row: &UserRow) -> Result<Subject<&str>, ApiError> {
    Ok(Subject {
        user_id: &row.id,
        organisation_id: &row.organisation_id,
        role: Role::parse(&row.role).ok_or_else(|| ApiError::internal("stored role unknown"))?,
    })
}

fn rule(error: UserRuleError) -> ApiError {
    match error {
        UserRuleError::Invisible => ApiError::NotFound,
        UserRuleError::Forbidden(why) => ApiError::Forbidden(why.to_owned()),
    }
}

/// The checks that need the database or span fields: the organisation exists; people have a
/// password, clients do not.
fn check(conn: &mut DbConnection, input: &UserInput, creating: bool) -> Result<(), ApiError> {
    let mut errors = brobygger_domain::FieldErrors::new();
    if organisation::find(conn, &input.organisation_id.to_string())?.is_none() {
        errors.push("organisation_id", "unknown", "no such organisation");
    }
    if input.role.is_machine() && input.password.is_some() {
        errors.push(
            "password",
            "not_allowed",
            "integration clients sign in with a client secret",
        );
    }
    if creating && !input.role.is_machine() && input.password.is_none() {
        errors.push("password", "required", "is required");
    }
    if input.display_name.trim().is_empty() {
        errors.push("display_name", "required", "must not be blank");
    }
    Ok(errors.into_result(|| ())?)
}

fn hash(secret: &str) -> Result<String, ApiError> {
    password::hash(secret).map_err(ApiError::internal)
}

fn visible(conn: &mut DbConnection, user: &CurrentUser, id: &Uuid) -> Result<UserRow, ApiError> {
    let row = store::find(conn, &id.to_string())?.ok_or(ApiError::NotFound)?;
    if user.actor().can_see(&subject(&row)?) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// List users
///
/// Admins see all users, coordinators those of their organisation, everyone else only
/// themselves.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    security(("bearer" = [])),
    params(PageParams, UserFilters),
    responses((status = 200, description = "A page of users", body = Page<User>))
)]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<UserFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let mut filter = UserFilter {
        only_id: None,
        organisation_id: filters.organisation_id.map(|o| o.to_string()),
        role: filters.role.map(|r| r.as_str().to_owned()),
        active: filters.active,
    };
    match user.role {
        Role::Admin => {}
        Role::Coordinator => {
            if filter
                .organisation_id
                .as_ref()
                .is_some_and(|o| *o != user.organisation_id)
            {
                return Ok(HttpResponse::Ok().json(Page::<User> {
                    items: Vec::new(),
                    next_cursor: None,
                }));
            }
            filter.organisation_id = Some(user.organisation_id.clone());
        }
        _ => filter.only_id = Some(user.id.clone()),
    }
    let rows = {
        let request = request.clone();
        state
            .db
            .read(move |conn| Ok(store::list(conn, &filter, &request)?))
            .await?
    };
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, &request, |r| &r.id, User::from_row)?))
}

/// Get a user
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user", body = User,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/users/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = state.db.read(move |conn| visible(conn, &user, &id)).await?;
    Ok(http::ok(&User::from_row(row)?))
}

/// Create a user or integration client
///
/// Admins create any user; a coordinator creates users of its own organisation, never an
/// admin. For role `integration` the response carries a generated `client_id` and
/// `client_secret`; the secret is shown this once.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = UserInput,
    responses((status = 201, description = "Created", body = User,
        headers(("Location" = String, description = "The new user's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<UserInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    user.actor()
        .may_create(input.organisation_id.to_string().as_str(), input.role)
        .map_err(rule)?;
    let now = state.clock.now_naive();
    // Hashing is slow by design: done before the transaction, on the blocking pool.
    let password_hash = match input.password.clone() {
        Some(p) => Some(web::block(move || hash(&p)).await??),
        None => None,
    };
    let client_secret = input.role.is_machine().then(password::random_secret);
    let client_secret_hash = match client_secret.clone() {
        Some(s) => Some(web::block(move || hash(&s)).await??),
        None => None,
    };
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        check(conn, &input, true)?;
        if store::find_by_username(conn, &input.username)?.is_some() {
            return Err(ApiError::Conflict("this username is taken".to_owned()));
        }
        let row = UserRow {
            id: Uuid::now_v7().to_string(),
            username: input.username,
            display_name: input.display_name,
            email: input.email,
            role: input.role.as_str().to_owned(),
            organisation_id: input.organisation_id.to_string(),
            active: input.active,
            password_hash,
            client_id: client_secret
                .as_ref()
                .map(|_| format!("bbc_{}", Uuid::now_v7().simple())),
            client_secret_hash,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, &row)?;
        let location = format!("/api/v1/users/{}", row.id);
        let mut created = User::from_row(row)?;
        created.client_secret = client_secret;
        Ok((created, location))
    })
    .await
}

/// Change a user
///
/// A JSON merge patch with `If-Match`. Fields the caller may not set (see `UserPatch`) are
/// refused with `422`; a coordinator asking to make an admin gets `403`. Setting `active` to
/// `false` stops the user's tokens at once.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The user's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = User,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let new_password = match patch
        .0
        .get("password")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
    {
        Some(p) if p.chars().count() >= 12 && p.chars().count() <= 200 => {
            Some(web::block(move || hash(&p)).await??)
        }
        _ => None,
    };
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let current = visible(conn, &user, &id)?;
            let writable = user.actor().writable_user_fields(&subject(&current)?);
            let before = User::from_row(current.clone())?;
            if_match.check(before.version)?;
            let input = patch.apply(
                &UserInput {
                    username: before.username.clone(),
                    display_name: before.display_name.clone(),
                    email: before.email.clone(),
                    role: before.role,
                    organisation_id: before.organisation_id,
                    active: before.active,
                    password: None,
                },
                writable,
            )?;
            if input.role != before.role
                || input.active != before.active
                || input.organisation_id != before.organisation_id
            {
                user.actor()
                    .may_manage(&subject(&current)?, input.role)
                    .map_err(rule)?;
            }
            if input.role.is_machine() != before.role.is_machine() {
                return Err(ApiError::field(
                    "role",
                    "not_allowed",
                    "a person cannot become an integration client, nor the reverse",
                ));
            }
            check(conn, &input, false)?;
            if input.username != before.username
                && store::find_by_username(conn, &input.username)?.is_some()
            {
                return Err(ApiError::Conflict("this username is taken".to_owned()));
            }
            let row = UserRow {
                username: input.username,
                display_name: input.display_name,
                email: input.email,
                role: input.role.as_str().to_owned(),
                organisation_id: input.organisation_id.to_string(),
                active: input.active,
                password_hash: new_password.or(current.password_hash.clone()),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            User::from_row(row)
        })
        .await?;
    Ok(http::ok(&updated))
}

/// Creates a user from the command line or at first start (no actor: the operator).
pub fn create_unchecked(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    role: Role,
    organisation_id: &str,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let row = UserRow {
        id: Uuid::now_v7().to_string(),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        email: None,
        role: role.as_str().to_owned(),
        organisation_id: organisation_id.to_owned(),
        active: true,
        password_hash: Some(password_hash),
        client_id: None,
        client_secret_hash: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(conn, &row)?;
    Ok(row)
}
