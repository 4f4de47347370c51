//! `/support-courses/{id}/contacts`: meetings, calls and accompaniments between peer and
//! citizen. Citizen data: every read and write is audited.

pub mod dto;
pub mod service;

use crate::actor::Actor;
use crate::body::Json;
use crate::error::ApiError;
use crate::http::Page;
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use dto::{Contact, ContactInput};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The routes of a support course's contacts.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_contacts).service(create_contact);
}

/// List a course's contacts
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_contacts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The contacts, by date", body = Page<Contact>))
)]
#[get("/support-courses/{id}/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = actor
        .audited_read(&state, move |conn, actor| service::list(conn, actor, &id))
        .await?;
    Ok(HttpResponse::Ok().json(Page::all(items)))
}

/// Log a contact
///
/// Only on an `active` or `paused` course (`409 conflict` otherwise). The course's peer worker
/// or a coordinator of the programme. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_contact",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = ContactInput,
    responses((status = 201, description = "Logged", body = Contact,
        headers(("Location" = String, description = "The contact's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses/{id}/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, writer) = (id.into_inner(), body.value, actor.clone());
    idempotency::create(&state, &actor, &req, &body.digest, move |conn| {
        service::create(conn, &writer, &id, input)
    })
    .await
}
