//! `/users`: people and integration clients. Admins manage everyone; a coordinator the users
//! of its own organisation (never making an admin, never its own role); others see themselves.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dto::{User, UserFilters, UserInput, UserPatch};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/users`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(read)
        .service(update);
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
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<UserFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
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
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = state
        .db
        .read(move |conn| service::read(conn, &actor, &id))
        .await?;
    Ok(http::ok(&found))
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
    actor: Actor,
    req: HttpRequest,
    body: Json<UserInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let secrets = service::prepare(&actor, &input).await?;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input, secrets)
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
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), IfMatch::of(&req));
    let new_password = service::new_password(&patch).await?;
    let updated = state
        .db
        .write(move |conn| service::update(conn, &actor, target, patch, new_password))
        .await?;
    // After the commit: the user's sessions are checked afresh from the next request on.
    let changed = brobygger_persistence::auth::Invalidation::User(updated.id.into());
    state.sessions.forget(changed);
    Ok(http::ok(&updated))
}
