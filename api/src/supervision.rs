//! `/supervision-sessions`: supervision of peer workers. A session is seen by its supervising
//! user and by whoever sees one of its attending (or its supervising) peer workers; see
//! `scope`. The overdue list lives on `/peer-workers?supervision_overdue=true`.

use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::{self, set, uuid, uuid_opt, uuids};
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::scope::{self, Access};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::supervision::SupervisionFormat;
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::supervision::{self as store, SupervisionFilter, SupervisionSessionRow};
use brobygger_persistence::{DbConnection, user as user_store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A supervision session of peer workers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d8-0000-7000-8000-000000000001",
    "date": "2026-11-20",
    "supervisor_user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "supervisor_peer_worker_id": null,
    "format": "group",
    "peer_worker_ids": ["0193a5d6-0000-7000-8000-000000000001", "0193a5d6-0000-7000-8000-000000000002"],
    "topic": "Boundaries when accompanying citizens to the jobcentre",
    "version": 1,
    "created_at": "2026-11-20T15:00:00Z",
    "updated_at": "2026-11-20T15:00:00Z"
}))]
pub struct SupervisionSession {
    pub id: Uuid,
    pub date: NaiveDate,
    /// A professional supervisor, or…
    pub supervisor_user_id: Option<Uuid>,
    /// …an experienced peer.
    pub supervisor_peer_worker_id: Option<Uuid>,
    pub format: SupervisionFormat,
    /// The attending peer workers.
    pub peer_worker_ids: Vec<Uuid>,
    /// A non-sensitive note of the topic.
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for SupervisionSession {
    fn version(&self) -> i64 {
        self.version
    }
}

impl SupervisionSession {
    fn input(&self) -> SupervisionInput {
        SupervisionInput {
            date: self.date,
            supervisor_user_id: self.supervisor_user_id,
            supervisor_peer_worker_id: self.supervisor_peer_worker_id,
            format: self.format,
            peer_worker_ids: self.peer_worker_ids.clone(),
            topic: self.topic.clone(),
        }
    }
}

fn load(
    conn: &mut DbConnection,
    rows: Vec<SupervisionSessionRow>,
) -> Result<Vec<SupervisionSession>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let attendees = store::attendees_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let peers: Vec<String> = convert::values_of(&attendees, &row.id)
                .map(str::to_owned)
                .collect();
            Ok(SupervisionSession {
                id: uuid(&row.id)?,
                date: row.date,
                supervisor_user_id: uuid_opt(row.supervisor_user_id.as_deref())?,
                supervisor_peer_worker_id: uuid_opt(row.supervisor_peer_worker_id.as_deref())?,
                format: convert::text_enum(&row.format)?,
                peer_worker_ids: uuids(&peers)?,
                topic: row.topic,
                version: row.version,
                created_at: to_utc(row.created_at),
                updated_at: to_utc(row.updated_at),
            })
        })
        .collect()
}

fn load_one(
    conn: &mut DbConnection,
    row: SupervisionSessionRow,
) -> Result<SupervisionSession, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("session vanished"))
}

/// What a client writes: a new session, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "date": "2026-11-20",
    "supervisor_user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "format": "group",
    "peer_worker_ids": ["0193a5d6-0000-7000-8000-000000000001", "0193a5d6-0000-7000-8000-000000000002"],
    "topic": "Boundaries when accompanying citizens to the jobcentre"
}))]
pub struct SupervisionInput {
    pub date: NaiveDate,
    /// Exactly one of `supervisor_user_id` and `supervisor_peer_worker_id`.
    pub supervisor_user_id: Option<Uuid>,
    pub supervisor_peer_worker_id: Option<Uuid>,
    pub format: SupervisionFormat,
    /// One for `individual`, one or more for `group`.
    #[schema(min_items = 1)]
    pub peer_worker_ids: Vec<Uuid>,
    /// A non-sensitive note: no names or health details of citizens.
    #[schema(max_length = 10000)]
    pub topic: Option<String>,
}

impl FieldRules for SupervisionInput {}

/// A JSON merge patch of a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"topic": "Boundaries and self-care"}))]
pub struct SupervisionPatch {
    pub date: Option<NaiveDate>,
    pub format: Option<SupervisionFormat>,
    pub peer_worker_ids: Option<Vec<Uuid>>,
    #[schema(max_length = 10000)]
    pub topic: Option<String>,
}

const WRITABLE: &[&str] = &["date", "format", "peer_worker_ids", "topic"];

/// Filters of the session list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupervisionFilters {
    /// Sessions this peer worker attended.
    pub peer_worker_id: Option<Uuid>,
    /// Sessions on or after this date.
    pub date_from: Option<NaiveDate>,
    /// Sessions on or before this date.
    pub date_to: Option<NaiveDate>,
}

/// Checks a session: the supervisor and attendees are ones the user sees, and it manages at
/// least one attendee. Returns the attendees' ids.
fn check(
    conn: &mut DbConnection,
    user: &CurrentUser,
    input: &SupervisionInput,
) -> Result<Vec<String>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut manages = false;
    let peers = set(input.peer_worker_ids.clone());
    for (i, peer) in input.peer_worker_ids.iter().enumerate() {
        match scope::peer_worker_in_body(conn, user, peer)? {
            None => errors.push(
                format!("peer_worker_ids.{i}"),
                "unknown",
                "no such peer worker",
            ),
            Some((_, access)) => manages |= access == Access::Manage,
        }
    }
    if input.format == SupervisionFormat::Individual && peers.len() > 1 {
        errors.push(
            "peer_worker_ids",
            "invalid_length",
            "individual supervision has one peer worker",
        );
    }
    match (input.supervisor_user_id, input.supervisor_peer_worker_id) {
        (Some(supervisor), None) => {
            let visible = match user_store::find(conn, &supervisor.to_string())? {
                Some(found) => {
                    user.is_admin()
                        || found.organisation_id == user.organisation_id
                        || found.id == user.id
                }
                None => false,
            };
            if !visible {
                errors.push("supervisor_user_id", "unknown", "no such user");
            }
        }
        (None, Some(supervisor)) => {
            if peers.contains(&supervisor) {
                errors.push(
                    "supervisor_peer_worker_id",
                    "not_allowed",
                    "a supervisor does not attend its own session",
                );
            } else if scope::peer_worker_in_body(conn, user, &supervisor)?.is_none() {
                errors.push(
                    "supervisor_peer_worker_id",
                    "unknown",
                    "no such peer worker",
                );
            }
        }
        _ => {
            for field in ["supervisor_user_id", "supervisor_peer_worker_id"] {
                errors.push(field, "one_of", "name exactly one supervisor");
            }
        }
    }
    errors.into_result(|| ())?;
    if !manages && !user.is_admin() {
        return Err(ApiError::Forbidden(
            "only a coordinator who manages an attending peer worker records supervision"
                .to_owned(),
        ));
    }
    Ok(peers.iter().map(Uuid::to_string).collect())
}

/// List supervision sessions
#[utoipa::path(
    tag = "supervision",
    operation_id = "list_supervision_sessions",
    security(("bearer" = [])),
    params(PageParams, SupervisionFilters),
    responses((status = 200, description = "A page of sessions", body = Page<SupervisionSession>))
)]
#[get("/supervision-sessions")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<SupervisionFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let filters = filters.into_inner();
    let page = state
        .db
        .read(move |conn| {
            let filter = SupervisionFilter {
                scope: crate::access::supervision_scope(&user),
                peer_worker_id: filters.peer_worker_id.map(|p| p.to_string()),
                date_from: filters.date_from,
                date_to: filters.date_to,
            };
            let rows = store::list(conn, &filter, &request)?;
            let page = Page::from_rows(rows, &request, |r| &r.id, Ok)?;
            Ok(Page {
                items: load(conn, page.items)?,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a supervision session
#[utoipa::path(
    tag = "supervision",
    operation_id = "get_supervision_session",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session's id")),
    responses((status = 200, description = "The session", body = SupervisionSession,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/supervision-sessions/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let session = state
        .db
        .read(move |conn| {
            let (row, _) = scope::supervision_session(conn, &user, &id)?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&session))
}

/// Record a supervision session
///
/// By a coordinator who manages at least one attending peer worker (or an admin).
#[utoipa::path(
    tag = "supervision",
    operation_id = "create_supervision_session",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = SupervisionInput,
    responses((status = 201, description = "Recorded", body = SupervisionSession,
        headers(("Location" = String, description = "The new session's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/supervision-sessions")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<SupervisionInput>,
) -> Result<HttpResponse, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Coordinator) {
        return Err(ApiError::Forbidden(
            "only admins and coordinators record supervision".to_owned(),
        ));
    }
    let now = state.clock.now_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let peers = check(conn, &actor, &input)?;
        let row = SupervisionSessionRow {
            id: Uuid::now_v7().to_string(),
            date: input.date,
            supervisor_user_id: input.supervisor_user_id.map(|u| u.to_string()),
            supervisor_peer_worker_id: input.supervisor_peer_worker_id.map(|p| p.to_string()),
            format: input.format.as_str().to_owned(),
            topic: input.topic.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, &row, &peers)?;
        let location = format!("/api/v1/supervision-sessions/{}", row.id);
        Ok((load_one(conn, row)?, location))
    })
    .await
}

/// Change a supervision session
#[utoipa::path(
    tag = "supervision",
    operation_id = "update_supervision_session",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The session's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = SupervisionPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = SupervisionSession,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/supervision-sessions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let (current, access) = scope::supervision_session(conn, &user, &id)?;
            access.require_manage("a supervision session")?;
            if_match.check(current.version)?;
            let before = load_one(conn, current.clone())?;
            let input = patch.apply(&before.input(), WRITABLE)?;
            let peers = check(conn, &user, &input)?;
            let row = SupervisionSessionRow {
                date: input.date,
                format: input.format.as_str().to_owned(),
                topic: input.topic.clone(),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            store::set_attendees(conn, &row.id, &peers)?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&updated))
}
