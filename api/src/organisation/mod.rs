//! `/organisations`: the tenants. Admins manage them; everyone else sees their own.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::{Json, MergePatch};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page, PageParams};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use dto::{
    DirectoryEntry, Organisation, OrganisationFilters, OrganisationInput, OrganisationPatch,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of `/organisations`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(directory)
        .service(create)
        .service(read)
        .service(update);
}

/// List organisations
///
/// Admins see every organisation; other users see their own.
#[utoipa::path(
    tag = "organisations",
    operation_id = "list_organisations",
    security(("bearer" = [])),
    params(PageParams, OrganisationFilters),
    responses((status = 200, description = "A page of organisations", body = Page<Organisation>))
)]
#[get("/organisations")]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<OrganisationFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::list(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The directory of organisations
///
/// Every organisation's public facts (name, kind, official codes, parent) and nothing else, so
/// that a coordinator can find the organisation to offer a programme's partnership to. Who
/// may: admins and coordinators; other roles get `403`.
#[utoipa::path(
    tag = "organisations",
    operation_id = "list_organisation_directory",
    security(("bearer" = [])),
    params(PageParams, OrganisationFilters),
    responses((status = 200, description = "A page of the directory", body = Page<DirectoryEntry>))
)]
#[get("/organisation-directory")]
pub async fn directory(
    state: web::Data<AppState>,
    actor: Actor,
    page: web::Query<PageParams>,
    filters: web::Query<OrganisationFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let page = state
        .db
        .read(move |conn| service::directory(conn, &actor, &filters, &request))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an organisation
#[utoipa::path(
    tag = "organisations",
    operation_id = "get_organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The organisation's id")),
    responses((status = 200, description = "The organisation", body = Organisation,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/organisations/{id}")]
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

/// Create an organisation
///
/// Admins only. Municipality and region codes are checked against the official lists, a CVR
/// number by modulus 11; a municipality needs its code, a region its code.
#[utoipa::path(
    tag = "organisations",
    operation_id = "create_organisation",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = OrganisationInput,
    responses((status = 201, description = "Created", body = Organisation,
        headers(("Location" = String, description = "The new organisation's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/organisations")]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    body: Json<OrganisationInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let creator = actor.clone();
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &creator, input)
    })
    .await
}

/// Change an organisation
///
/// Admins only. A JSON merge patch with `If-Match` (the `ETag` of the version you change).
#[utoipa::path(
    tag = "organisations",
    operation_id = "update_organisation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The organisation's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = OrganisationPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Organisation,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/organisations/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, if_match) = (id.into_inner(), IfMatch::of(&req));
    let updated = state
        .db
        .write(move |conn| service::update(conn, &actor, &id, &if_match, patch))
        .await?;
    Ok(http::ok(&updated))
}
