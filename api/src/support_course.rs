//! `/support-courses`: one citizen's one-to-one support by a peer guide, with its workflow,
//! goals, contacts and the ranking of candidate peer guides. Citizen data: every read and
//! write is audited.

use crate::audit::Auditor;
use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::{self, uuid, uuid_opt};
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::scope::{self, Access};
use crate::state::AppState;
use crate::workflow::{self, StatusChange};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::peer_worker::{PeerWorkerStatus, QualificationKind};
use brobygger_domain::support_course::{
    Candidate, ContactMode, GoalDomain, GoalStatus, SupportModel, SupportStatus, rank,
};
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::support_course::{
    self as store, ContactRow, CourseFilter, CourseScope, GoalRow, ProgressRow, SupportCourseRow,
};
use brobygger_persistence::{
    DbConnection, citizen as citizen_store, peer_worker as peer_store,
    programme as programme_store, user as user_store,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const RESOURCE: &str = "support_course";

/// One citizen's support course.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000001",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "model": "peer_guide",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "coordinator_user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "context": "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15",
    "planned_end_date": "2027-05-15",
    "status": "matched",
    "status_history": [
        {"status": "requested", "at": "2026-11-16T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "matched", "at": "2026-11-18T13:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "Anna lives nearby and speaks Arabic"}
    ],
    "version": 3,
    "created_at": "2026-11-16T09:00:00Z",
    "updated_at": "2026-11-18T13:00:00Z"
}))]
pub struct SupportCourse {
    pub id: Uuid,
    pub citizen_id: Uuid,
    pub model: SupportModel,
    pub programme_id: Uuid,
    pub peer_worker_id: Option<Uuid>,
    pub coordinator_user_id: Option<Uuid>,
    /// How the course came about (e.g. discharged from a ward on a date; referred by the jobcentre).
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
    /// Changes only through `POST /support-courses/{id}/transitions`.
    pub status: SupportStatus,
    pub status_history: Vec<StatusChange>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for SupportCourse {
    fn version(&self) -> i64 {
        self.version
    }
}

impl SupportCourse {
    fn from_row(
        row: SupportCourseRow,
        status_history: Vec<StatusChange>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            citizen_id: uuid(&row.citizen_id)?,
            model: convert::text_enum(&row.model)?,
            programme_id: uuid(&row.programme_id)?,
            peer_worker_id: uuid_opt(row.peer_worker_id.as_deref())?,
            coordinator_user_id: uuid_opt(row.coordinator_user_id.as_deref())?,
            context: row.context,
            planned_end_date: row.planned_end_date,
            status: convert::text_enum(&row.status)?,
            status_history,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// Rows to API values, each with its history, in one query for the histories.
pub fn load_many(
    conn: &mut DbConnection,
    rows: Vec<SupportCourseRow>,
) -> Result<Vec<SupportCourse>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut histories = workflow::histories(conn, RESOURCE, &ids)?;
    rows.into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            SupportCourse::from_row(row, history)
        })
        .collect()
}

fn load_one(conn: &mut DbConnection, row: SupportCourseRow) -> Result<SupportCourse, ApiError> {
    load_many(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a loaded course vanished"))
}

/// A new support course.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "model": "peer_guide",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "context": "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15",
    "planned_end_date": "2027-05-15"
}))]
pub struct SupportCourseInput {
    pub citizen_id: Uuid,
    pub model: SupportModel,
    /// Must offer `model`.
    pub programme_id: Uuid,
    /// An active peer worker holding `peer_guide`, with spare capacity.
    pub peer_worker_id: Option<Uuid>,
    /// A coordinator of one of the programme's partner organisations.
    pub coordinator_user_id: Option<Uuid>,
    #[schema(max_length = 10000)]
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
}

impl FieldRules for SupportCourseInput {}

/// A JSON merge patch of a support course: `peer_worker_id`, `coordinator_user_id`,
/// `context`, `planned_end_date`. The status changes only through transitions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d8-0000-7000-8000-000000000003", "planned_end_date": "2027-06-30"}))]
pub struct SupportCoursePatch {
    pub peer_worker_id: Option<Uuid>,
    pub coordinator_user_id: Option<Uuid>,
    #[schema(max_length = 10000)]
    pub context: Option<String>,
    pub planned_end_date: Option<NaiveDate>,
}

const WRITABLE: &[&str] = &[
    "peer_worker_id",
    "coordinator_user_id",
    "context",
    "planned_end_date",
];

/// A move to another status. Ending early and cancelling need a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "active", "reason": "First meeting held"}))]
pub struct SupportCourseTransition {
    pub to: SupportStatus,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for SupportCourseTransition {}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SupportCourseFilters {
    pub citizen_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    pub peer_worker_id: Option<Uuid>,
    pub status: Option<SupportStatus>,
    pub model: Option<SupportModel>,
}

/// A candidate peer guide and why it ranks where it does.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "rank": 1,
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "name": "Anna Nielsen",
    "serves_municipality": true,
    "shares_language": true,
    "open_courses": 1,
    "capacity": 4,
    "reasons": ["serves the citizen's municipality", "speaks the citizen's preferred language", "1 of 4 places taken"]
}))]
pub struct CandidateView {
    pub rank: usize,
    pub peer_worker_id: Uuid,
    pub name: String,
    pub serves_municipality: bool,
    pub shares_language: bool,
    pub open_courses: i64,
    pub capacity: i64,
    pub reasons: Vec<String>,
}

/// What a user may do with a course it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    Read,
    /// The peer worker guiding it: goals, progress, contacts.
    Guide,
    Manage,
}

/// Which support courses `user` sees: admins all; coordinators and integrations those in
/// programmes their organisation is a partner of; a peer worker those it guides.
pub fn scope(conn: &mut DbConnection, user: &CurrentUser) -> Result<CourseScope, ApiError> {
    Ok(match user.role {
        Role::Admin => CourseScope::All,
        Role::Coordinator | Role::Integration => {
            CourseScope::PartnerOf(user.organisation_id.clone())
        }
        Role::PeerWorker => match peer_store::find_by_user(conn, &user.id)? {
            Some(peer) => CourseScope::PeerWorker(peer.id),
            None => CourseScope::None,
        },
        Role::Professional | Role::Evaluator => CourseScope::None,
    })
}

/// Course `id` if `user` sees it (else `404`), with what it may do.
fn course(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(SupportCourseRow, Right), ApiError> {
    let scope = scope(conn, user)?;
    let row = store::find_in(conn, &scope, &id.to_string())?.ok_or(ApiError::NotFound)?;
    let right = match (&scope, user.role) {
        (CourseScope::PeerWorker(_), _) => Right::Guide,
        (_, Role::Admin) => Right::Manage,
        _ => match scope::programme_access(conn, user, &row.programme_id)? {
            Some(Access::Manage) => Right::Manage,
            _ => Right::Read,
        },
    };
    Ok((row, right))
}

fn require(right: Right, needed: Right) -> Result<(), ApiError> {
    let ok = match needed {
        Right::Read => true,
        Right::Guide => matches!(right, Right::Guide | Right::Manage),
        Right::Manage => right == Right::Manage,
    };
    if ok {
        Ok(())
    } else if needed == Right::Guide {
        Err(ApiError::Forbidden(
            "only the peer worker guiding the course and its coordinators do this".to_owned(),
        ))
    } else {
        Err(ApiError::Forbidden(
            "only a coordinator of the programme manages its support courses".to_owned(),
        ))
    }
}

/// The matching rules: the peer worker guiding `course_id` must be active, hold `peer_guide`
/// and have a free place (its open courses other than this one below its capacity).
fn check_guide(
    conn: &mut DbConnection,
    peer_worker_id: &str,
    course_id: &str,
) -> Result<(), ApiError> {
    let peer = peer_store::find(conn, peer_worker_id)?.ok_or(ApiError::NotFound)?;
    let qualified = peer_store::qualifications_of(conn, std::slice::from_ref(&peer.id))?
        .iter()
        .any(|q| q.kind == QualificationKind::PeerGuide.as_str());
    if peer.status != PeerWorkerStatus::Active.as_str() || !qualified {
        return Err(ApiError::QualificationMissing(format!(
            "a support course is guided by an active peer worker holding peer_guide; this one is {}{}",
            peer.status,
            if qualified {
                ""
            } else {
                " and does not hold peer_guide"
            }
        )));
    }
    let load = store::open_load(conn, &peer.id, course_id)?;
    if load >= i64::from(peer.capacity) {
        return Err(ApiError::CapacityExceeded(format!(
            "the peer worker already guides {load} open support course(s), its capacity"
        )));
    }
    Ok(())
}

/// The ids a course names, checked against what `user` may name: each unknown or unseen one
/// is a field error (never revealing whether it exists).
fn check_references(
    conn: &mut DbConnection,
    user: &CurrentUser,
    input: &SupportCourseInput,
    errors: &mut FieldErrors,
) -> Result<(), ApiError> {
    if let Some(peer) = &input.peer_worker_id
        && scope::peer_worker_in_body(conn, user, peer)?.is_none()
    {
        errors.push("peer_worker_id", "unknown", "no such peer worker");
    }
    if let Some(coordinator) = &input.coordinator_user_id {
        let partners =
            programme_store::partner_organisation_ids(conn, &input.programme_id.to_string())?;
        let fits = user_store::find(conn, &coordinator.to_string())?.is_some_and(|u| {
            u.role == Role::Coordinator.as_str()
                && u.active
                && partners.contains(&u.organisation_id)
        });
        if !fits {
            errors.push(
                "coordinator_user_id",
                "unknown",
                "not a coordinator of a partner organisation of the programme",
            );
        }
    }
    Ok(())
}

/// List support courses
///
/// The courses the caller sees, with their status history. Each course listed is an audited
/// read of its citizen's data.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_support_courses",
    security(("bearer" = [])),
    params(PageParams, SupportCourseFilters),
    responses((status = 200, description = "A page of support courses", body = Page<SupportCourse>))
)]
#[get("/support-courses")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<SupportCourseFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let filter = CourseFilter {
        citizen_id: filters.citizen_id.map(|v| v.to_string()),
        programme_id: filters.programme_id.map(|v| v.to_string()),
        peer_worker_id: filters.peer_worker_id.map(|v| v.to_string()),
        status: filters.status.map(|v| v.as_str().to_owned()),
        model: filters.model.map(|v| v.as_str().to_owned()),
    };
    let auditor = Auditor::new(&user, &state.clock);
    let page = state
        .db
        .write(move |conn| {
            let scope = scope(conn, &user)?;
            let rows = store::list(conn, &scope, &filter, &request)?;
            let shown = rows
                .iter()
                .take(usize::try_from(request.limit - 1).unwrap_or(0));
            auditor.record_each(
                conn,
                "list",
                RESOURCE,
                shown.map(|r| (r.id.as_str(), r.citizen_id.as_str())),
            )?;
            let page = Page::from_rows(rows, &request, |r| &r.id, Ok)?;
            Ok(Page {
                items: load_many(conn, page.items)?,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a support course
#[utoipa::path(
    tag = "support-courses",
    operation_id = "get_support_course",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The support course", body = SupportCourse,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/support-courses/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let found = state
        .db
        .write(move |conn| {
            let (row, _) = course(conn, &user, &id)?;
            auditor.record(conn, "read", RESOURCE, Some(&row.id), Some(&row.citizen_id))?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&found))
}

/// Request a support course
///
/// A coordinator of the programme (or an admin) opens a course for a citizen, with or without
/// a peer worker. The programme must offer the model; a citizen has at most one open course
/// per model (`409 conflict`); a peer worker set here must be active, hold `peer_guide`
/// (`409 qualification_missing`) and have a free place (`409 capacity_exceeded`). Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_support_course",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = SupportCourseInput,
    responses((status = 201, description = "Requested", body = SupportCourse,
        headers(("Location" = String, description = "The course's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<SupportCourseInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.value;
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let creator = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let mut errors = FieldErrors::new();
        let citizen = crate::citizen::visible(conn, &creator, &input.citizen_id).ok();
        if citizen.is_none() {
            errors.push("citizen_id", "unknown", "no such citizen");
        }
        let programme = scope::programme(conn, &creator, &input.programme_id).ok();
        match &programme {
            None => errors.push("programme_id", "unknown", "no such programme"),
            Some((row, _)) => {
                let models = programme_store::models_of(conn, std::slice::from_ref(&row.id))?;
                if !models.iter().any(|(_, m)| m == input.model.as_str()) {
                    errors.push(
                        "model",
                        "not_offered",
                        "the programme does not offer this model",
                    );
                }
            }
        }
        check_references(conn, &creator, &input, &mut errors)?;
        errors.into_result(|| ())?;
        if let Some((_, access)) = &programme {
            access.require_manage("support courses")?;
        }
        if citizen.as_ref().is_some_and(|c| c.anonymised_at.is_some()) {
            return Err(ApiError::Conflict("the citizen is anonymised".to_owned()));
        }
        let id = Uuid::now_v7().to_string();
        let citizen_id = input.citizen_id.to_string();
        if store::open_of(conn, &citizen_id, input.model.as_str(), &id)?.is_some() {
            return Err(ApiError::Conflict(
                "the citizen already has an open support course of this model".to_owned(),
            ));
        }
        if let Some(peer) = &input.peer_worker_id {
            check_guide(conn, &peer.to_string(), &id)?;
        }
        let row = SupportCourseRow {
            id,
            citizen_id,
            model: input.model.as_str().to_owned(),
            programme_id: input.programme_id.to_string(),
            peer_worker_id: input.peer_worker_id.map(|p| p.to_string()),
            coordinator_user_id: input.coordinator_user_id.map(|c| c.to_string()),
            context: input.context,
            planned_end_date: input.planned_end_date,
            status: SupportStatus::Requested.as_str().to_owned(),
            closed_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, &row)?;
        workflow::record(
            conn,
            RESOURCE,
            &row.id,
            SupportStatus::Requested.as_str(),
            now,
            &creator.id,
            None,
        )?;
        auditor.record(
            conn,
            "create",
            RESOURCE,
            Some(&row.id),
            Some(&row.citizen_id),
        )?;
        let location = format!("/api/v1/support-courses/{}", row.id);
        Ok((load_one(conn, row)?, location))
    })
    .await
}

/// Change a support course
///
/// A JSON merge patch with `If-Match`: the peer worker (checked as on creation), the
/// coordinator, the context and the planned end. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "update_support_course",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = SupportCoursePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = SupportCourse,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/support-courses/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let if_match = http::IfMatch::of(&req);
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let updated = state
        .db
        .write(move |conn| {
            let (current, right) = course(conn, &user, &id)?;
            require(right, Right::Manage)?;
            if_match.check(current.version)?;
            let before = SupportCourse::from_row(current.clone(), Vec::new())?;
            let input = patch.apply(
                &SupportCourseInput {
                    citizen_id: before.citizen_id,
                    model: before.model,
                    programme_id: before.programme_id,
                    peer_worker_id: before.peer_worker_id,
                    coordinator_user_id: before.coordinator_user_id,
                    context: before.context.clone(),
                    planned_end_date: before.planned_end_date,
                },
                WRITABLE,
            )?;
            let mut errors = FieldErrors::new();
            check_references(conn, &user, &input, &mut errors)?;
            errors.into_result(|| ())?;
            let status: SupportStatus = convert::text_enum(&current.status)?;
            if input.peer_worker_id != before.peer_worker_id {
                match &input.peer_worker_id {
                    Some(peer) => check_guide(conn, &peer.to_string(), &current.id)?,
                    None if status != SupportStatus::Requested => {
                        return Err(ApiError::field(
                            "peer_worker_id",
                            "required",
                            "a matched or running course keeps its peer worker",
                        ));
                    }
                    None => {}
                }
            }
            let row = SupportCourseRow {
                peer_worker_id: input.peer_worker_id.map(|p| p.to_string()),
                coordinator_user_id: input.coordinator_user_id.map(|c| c.to_string()),
                context: input.context,
                planned_end_date: input.planned_end_date,
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            auditor.record(
                conn,
                "update",
                RESOURCE,
                Some(&row.id),
                Some(&row.citizen_id),
            )?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&updated))
}

/// Move a support course to another status
///
/// `requested → matched → active ⇄ paused → completed | ended_early`, and `requested | matched
/// → cancelled`; ending early and cancelling need a reason, matching needs a peer worker who
/// still qualifies. Each move is kept in `status_history`. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "transition_support_course",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    request_body = SupportCourseTransition,
    responses(
        (status = 200, description = "Moved", body = SupportCourse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition` (with the `allowed` moves), `qualification_missing` or `capacity_exceeded`", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from requested to completed; allowed: matched, cancelled", "instance": "/api/v1/support-courses/0193a5d7-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["matched", "cancelled"]}))
    )
)]
#[post("/support-courses/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<SupportCourseTransition>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let move_to = body.value;
    let updated = state
        .db
        .write(move |conn| {
            let (current, right) = course(conn, &user, &id)?;
            require(right, Right::Manage)?;
            let from: SupportStatus = convert::text_enum(&current.status)?;
            workflow::check(from, move_to.to)?;
            let reason = move_to.reason.filter(|r| !r.trim().is_empty());
            if move_to.to.needs_reason() && reason.is_none() {
                return Err(ApiError::field(
                    "reason",
                    "required",
                    format!("moving to {} needs a reason", move_to.to.as_str()),
                ));
            }
            if matches!(move_to.to, SupportStatus::Matched | SupportStatus::Active) {
                let Some(peer) = &current.peer_worker_id else {
                    return Err(ApiError::field(
                        "peer_worker_id",
                        "required",
                        "set the course's peer worker first",
                    ));
                };
                if from == SupportStatus::Requested || from == SupportStatus::Paused {
                    check_guide(conn, peer, &current.id)?;
                }
            }
            let row = SupportCourseRow {
                status: move_to.to.as_str().to_owned(),
                closed_at: if move_to.to.is_open() {
                    None
                } else {
                    Some(now)
                },
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            workflow::record(
                conn,
                RESOURCE,
                &row.id,
                move_to.to.as_str(),
                now,
                &user.id,
                reason,
            )?;
            auditor.record(
                conn,
                "transition",
                RESOURCE,
                Some(&row.id),
                Some(&row.citizen_id),
            )?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&updated))
}

/// Rank candidate peer guides
///
/// For a course, the active peer workers holding `peer_guide` with a free place, among those
/// working in the programme or hosted by one of its partners, ranked by serving the citizen's
/// municipality, sharing the citizen's preferred language, and current load, each with the
/// reasons for its place. Audited (it reads the citizen's municipality and language).
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_support_course_candidates",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The ranked candidates", body = Page<CandidateView>))
)]
#[get("/support-courses/{id}/candidates")]
pub async fn candidates(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let ranked = state
        .db
        .write(move |conn| {
            let (course_row, right) = course(conn, &user, &id)?;
            require(right, Right::Manage)?;
            let citizen =
                citizen_store::find(conn, &course_row.citizen_id)?.ok_or(ApiError::NotFound)?;
            auditor.record(
                conn,
                "candidates",
                RESOURCE,
                Some(&course_row.id),
                Some(&citizen.id),
            )?;
            let mut pool = peer_store::ids_in_programme(conn, &course_row.programme_id)?;
            let partners =
                programme_store::partner_organisation_ids(conn, &course_row.programme_id)?;
            for organisation in &partners {
                let filter = peer_store::PeerWorkerFilter {
                    organisation_id: Some(organisation.clone()),
                    status: Some(PeerWorkerStatus::Active.as_str().to_owned()),
                    qualification: Some(QualificationKind::PeerGuide.as_str().to_owned()),
                    ..Default::default()
                };
                let everything = brobygger_persistence::PageRequest {
                    after: None,
                    limit: 10_000,
                    updated_since: None,
                };
                pool.extend(
                    peer_store::list(conn, &filter, &everything)?
                        .into_iter()
                        .map(|p| p.id),
                );
            }
            let pool = convert::set(pool);
            let (_, municipalities, languages) = peer_store::lists_of(conn, &pool)?;
            let qualifications = peer_store::qualifications_of(conn, &pool)?;
            let mut candidates = Vec::new();
            let loads = store::open_loads(conn, &pool, &course_row.id)?;
            for peer in peer_store::find_many(conn, &pool)? {
                let peer_id = &peer.id;
                let guide = qualifications.iter().any(|q| {
                    &q.peer_worker_id == peer_id && q.kind == QualificationKind::PeerGuide.as_str()
                });
                if peer.status != PeerWorkerStatus::Active.as_str() || !guide {
                    continue;
                }
                let serves = convert::values_of(&municipalities, peer_id)
                    .any(|m| m == citizen.municipality_code);
                let speaks = citizen.preferred_language.as_deref().is_some_and(|lang| {
                    convert::values_of(&languages, peer_id).any(|l| l.eq_ignore_ascii_case(lang))
                });
                candidates.push(Candidate {
                    peer_worker_id: peer.id.clone(),
                    name: peer.name.clone(),
                    serves_municipality: serves,
                    shares_language: speaks,
                    open_courses: loads
                        .iter()
                        .find(|(id, _)| id.as_deref() == Some(peer_id.as_str()))
                        .map_or(0, |(_, n)| *n),
                    capacity: i64::from(peer.capacity),
                });
            }
            Ok(rank(candidates))
        })
        .await?;
    let items = ranked
        .into_iter()
        .map(|r| {
            Ok(CandidateView {
                rank: r.rank,
                peer_worker_id: uuid(&r.candidate.peer_worker_id)?,
                name: r.candidate.name,
                serves_municipality: r.candidate.serves_municipality,
                shares_language: r.candidate.shares_language,
                open_courses: r.candidate.open_courses,
                capacity: r.candidate.capacity,
                reasons: r.reasons,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

// ---------------------------------------------------------------------------------------------
// Goals

/// One dated note on a goal's progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5d9-0000-7000-8000-000000000005", "date": "2026-12-01", "note": "Went to the open day at the folk high school", "self_rating": 6, "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a11", "created_at": "2026-12-01T15:00:00Z"}))]
pub struct Progress {
    pub id: Uuid,
    pub date: NaiveDate,
    pub note: String,
    /// The citizen's own rating, 1–10.
    pub self_rating: Option<i32>,
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A goal in the citizen's own words, with its progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d9-0000-7000-8000-000000000004",
    "support_course_id": "0193a5d7-0000-7000-8000-000000000001",
    "text": "I want to start at the folk high school after the summer",
    "domain": "education",
    "status": "in_progress",
    "progress": [{"id": "0193a5d9-0000-7000-8000-000000000005", "date": "2026-12-01", "note": "Went to the open day", "self_rating": 6, "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a11", "created_at": "2026-12-01T15:00:00Z"}],
    "version": 2,
    "created_at": "2026-11-20T10:00:00Z",
    "updated_at": "2026-12-01T15:00:00Z"
}))]
pub struct Goal {
    pub id: Uuid,
    pub support_course_id: Uuid,
    pub text: String,
    pub domain: GoalDomain,
    pub status: GoalStatus,
    pub progress: Vec<Progress>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Goal {
    fn version(&self) -> i64 {
        self.version
    }
}

/// Goals with their progress notes.
pub fn load_goals(conn: &mut DbConnection, rows: Vec<GoalRow>) -> Result<Vec<Goal>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|g| g.id.clone()).collect();
    let progress = store::progress_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let notes = progress
                .iter()
                .filter(|p| p.goal_id == row.id)
                .map(|p| {
                    Ok(Progress {
                        id: uuid(&p.id)?,
                        date: p.date,
                        note: p.note.clone(),
                        self_rating: p.self_rating,
                        recorded_by: uuid(&p.recorded_by)?,
                        created_at: to_utc(p.created_at),
                    })
                })
                .collect::<Result<_, ApiError>>()?;
            Ok(Goal {
                id: uuid(&row.id)?,
                support_course_id: uuid(&row.support_course_id)?,
                domain: convert::text_enum(&row.domain)?,
                status: convert::text_enum(&row.status)?,
                text: row.text,
                progress: notes,
                version: row.version,
                created_at: to_utc(row.created_at),
                updated_at: to_utc(row.updated_at),
            })
        })
        .collect()
}

/// A new goal, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "I want to start at the folk high school after the summer", "domain": "education"}))]
pub struct GoalInput {
    /// In the citizen's own words.
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
    pub domain: GoalDomain,
    /// Defaults to `open`.
    pub status: Option<GoalStatus>,
}

impl FieldRules for GoalInput {}

/// A JSON merge patch of a goal: `text`, `domain`, `status`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "achieved"}))]
pub struct GoalPatch {
    #[schema(min_length = 1, max_length = 10000)]
    pub text: Option<String>,
    pub domain: Option<GoalDomain>,
    pub status: Option<GoalStatus>,
}

/// A progress note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-01", "note": "Went to the open day at the folk high school", "self_rating": 6}))]
pub struct ProgressInput {
    pub date: NaiveDate,
    #[schema(min_length = 1, max_length = 10000)]
    pub note: String,
    #[schema(minimum = 1, maximum = 10)]
    pub self_rating: Option<i32>,
}

impl FieldRules for ProgressInput {}

/// List a course's goals
#[utoipa::path(
    tag = "support-courses",
    operation_id = "list_goals",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id")),
    responses((status = 200, description = "The goals with their progress", body = Page<Goal>))
)]
#[get("/support-courses/{id}/goals")]
pub async fn list_goals(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let items = state
        .db
        .write(move |conn| {
            let (row, _) = course(conn, &user, &id)?;
            auditor.record(conn, "list", "goal", Some(&row.id), Some(&row.citizen_id))?;
            let goals = store::goals_of(conn, std::slice::from_ref(&row.id))?;
            load_goals(conn, goals)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Add a goal
///
/// The citizen's own wish or goal, in their words. The course's peer worker or a coordinator
/// of the programme. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_goal",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The support course's id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = GoalInput,
    responses((status = 201, description = "Added", body = Goal,
        headers(("Location" = String, description = "The goal's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses/{id}/goals")]
pub async fn create_goal(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.value;
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let writer = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (course_row, right) = course(conn, &writer, &id)?;
        require(right, Right::Guide)?;
        let row = GoalRow {
            id: Uuid::now_v7().to_string(),
            support_course_id: course_row.id.clone(),
            text: input.text,
            domain: input.domain.as_str().to_owned(),
            status: input.status.unwrap_or(GoalStatus::Open).as_str().to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_goal(conn, &row)?;
        auditor.record(
            conn,
            "create",
            "goal",
            Some(&row.id),
            Some(&course_row.citizen_id),
        )?;
        let location = format!("/api/v1/support-courses/{}/goals/{}", course_row.id, row.id);
        let goal = load_goals(conn, vec![row])?
            .pop()
            .ok_or_else(|| ApiError::internal("goal vanished"))?;
        Ok((goal, location))
    })
    .await
}

/// Change a goal
///
/// A JSON merge patch with `If-Match`: the text, domain or status. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "update_goal",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("gid" = Uuid, Path, description = "The goal's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed")
    ),
    request_body(content = GoalPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Goal, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/support-courses/{id}/goals/{gid}")]
pub async fn update_goal(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, goal_id) = path.into_inner();
    let if_match = http::IfMatch::of(&req);
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let goal = state
        .db
        .write(move |conn| {
            let (course_row, right) = course(conn, &user, &id)?;
            let current = store::find_goal(conn, &course_row.id, &goal_id.to_string())?
                .ok_or(ApiError::NotFound)?;
            require(right, Right::Guide)?;
            if_match.check(current.version)?;
            let input = patch.apply(
                &GoalInput {
                    text: current.text.clone(),
                    domain: convert::text_enum(&current.domain)?,
                    status: Some(convert::text_enum(&current.status)?),
                },
                &["text", "domain", "status"],
            )?;
            let row = GoalRow {
                text: input.text,
                domain: input.domain.as_str().to_owned(),
                status: input.status.unwrap_or(GoalStatus::Open).as_str().to_owned(),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update_goal(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            auditor.record(
                conn,
                "update",
                "goal",
                Some(&row.id),
                Some(&course_row.citizen_id),
            )?;
            load_goals(conn, vec![row])?
                .pop()
                .ok_or_else(|| ApiError::internal("goal vanished"))
        })
        .await?;
    Ok(http::ok(&goal))
}

/// Add a progress note to a goal
///
/// A dated note with an optional self-rating 1–10. Audited.
#[utoipa::path(
    tag = "support-courses",
    operation_id = "create_goal_progress",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The support course's id"),
        ("gid" = Uuid, Path, description = "The goal's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ProgressInput,
    responses((status = 201, description = "Added; the goal with all its progress", body = Goal,
        headers(("Location" = String, description = "The goal's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/support-courses/{id}/goals/{gid}/progress")]
pub async fn create_progress(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ProgressInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, goal_id) = path.into_inner();
    let input = body.value;
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let writer = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (course_row, right) = course(conn, &writer, &id)?;
        let goal = store::find_goal(conn, &course_row.id, &goal_id.to_string())?
            .ok_or(ApiError::NotFound)?;
        require(right, Right::Guide)?;
        let row = ProgressRow {
            id: Uuid::now_v7().to_string(),
            goal_id: goal.id.clone(),
            date: input.date,
            note: input.note,
            self_rating: input.self_rating,
            recorded_by: writer.id.clone(),
            created_at: now,
        };
        store::insert_progress(conn, &row)?;
        auditor.record(
            conn,
            "create",
            "goal_progress",
            Some(&row.id),
            Some(&course_row.citizen_id),
        )?;
        let location = format!(
            "/api/v1/support-courses/{}/goals/{}",
            course_row.id, goal.id
        );
        let goal = load_goals(conn, vec![goal])?
            .pop()
            .ok_or_else(|| ApiError::internal("goal vanished"))?;
        Ok((goal, location))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Contacts

/// One meeting, call or accompaniment between peer and citizen.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5da-0000-7000-8000-000000000006",
    "support_course_id": "0193a5d7-0000-7000-8000-000000000001",
    "date": "2026-11-25",
    "minutes": 90,
    "mode": "accompaniment",
    "summary": "Went together to the first meeting at the jobcentre",
    "peer_worker_id": "0193a5d8-0000-7000-8000-000000000003",
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a11",
    "version": 1,
    "created_at": "2026-11-25T16:00:00Z",
    "updated_at": "2026-11-25T16:00:00Z"
}))]
pub struct Contact {
    pub id: Uuid,
    pub support_course_id: Uuid,
    pub date: NaiveDate,
    pub minutes: i32,
    pub mode: ContactMode,
    pub summary: Option<String>,
    pub peer_worker_id: Uuid,
    pub recorded_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Contact {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Contact {
    pub fn from_row(row: ContactRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            support_course_id: uuid(&row.support_course_id)?,
            date: row.date,
            minutes: row.minutes,
            mode: convert::text_enum(&row.mode)?,
            summary: row.summary,
            peer_worker_id: uuid(&row.peer_worker_id)?,
            recorded_by: uuid(&row.recorded_by)?,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A contact to log.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-11-25", "minutes": 90, "mode": "accompaniment", "summary": "Went together to the first meeting at the jobcentre"}))]
pub struct ContactInput {
    pub date: NaiveDate,
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i32,
    pub mode: ContactMode,
    #[schema(max_length = 10000)]
    pub summary: Option<String>,
    /// Defaults to the course's peer worker.
    pub peer_worker_id: Option<Uuid>,
}

impl FieldRules for ContactInput {}

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
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let rows = state
        .db
        .write(move |conn| {
            let (row, _) = course(conn, &user, &id)?;
            auditor.record(
                conn,
                "list",
                "contact",
                Some(&row.id),
                Some(&row.citizen_id),
            )?;
            Ok(store::contacts_of(conn, std::slice::from_ref(&row.id))?)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(Contact::from_row)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
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
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.value;
    let now = state.clock.now_naive();
    let today = state.clock.now().date_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let writer = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (course_row, right) = course(conn, &writer, &id)?;
        require(right, Right::Guide)?;
        if input.date > today {
            return Err(ApiError::field(
                "date",
                "in_future",
                "a contact is logged after it took place",
            ));
        }
        let status: SupportStatus = convert::text_enum(&course_row.status)?;
        if !status.takes_contacts() {
            return Err(ApiError::Conflict(format!(
                "contacts are logged on active or paused support courses; this one is {}",
                status.as_str()
            )));
        }
        let peer_worker_id = match input.peer_worker_id {
            Some(peer) => {
                if scope::peer_worker_in_body(conn, &writer, &peer)?.is_none() {
                    return Err(ApiError::field(
                        "peer_worker_id",
                        "unknown",
                        "no such peer worker",
                    ));
                }
                peer.to_string()
            }
            None => course_row.peer_worker_id.clone().ok_or_else(|| {
                ApiError::field(
                    "peer_worker_id",
                    "required",
                    "the course has no peer worker: name one",
                )
            })?,
        };
        let row = ContactRow {
            id: Uuid::now_v7().to_string(),
            support_course_id: course_row.id.clone(),
            date: input.date,
            minutes: input.minutes,
            mode: input.mode.as_str().to_owned(),
            summary: input.summary,
            peer_worker_id,
            recorded_by: writer.id.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_contact(conn, &row)?;
        auditor.record(
            conn,
            "create",
            "contact",
            Some(&row.id),
            Some(&course_row.citizen_id),
        )?;
        let location = format!(
            "/api/v1/support-courses/{}/contacts/{}",
            course_row.id, row.id
        );
        Ok((Contact::from_row(row)?, location))
    })
    .await
}

/// What the citizen's data export holds of its support courses.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "support_course": {"id": "0193a5d7-0000-7000-8000-000000000001", "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
        "model": "peer_guide", "programme_id": "0193a5d4-0000-7000-8000-000000000001", "peer_worker_id": null,
        "coordinator_user_id": null, "context": null, "planned_end_date": null, "status": "requested",
        "status_history": [{"status": "requested", "at": "2026-11-16T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null}],
        "version": 1, "created_at": "2026-11-16T09:00:00Z", "updated_at": "2026-11-16T09:00:00Z"},
    "goals": [],
    "contacts": []
}))]
pub struct SupportCourseExport {
    pub support_course: SupportCourse,
    pub goals: Vec<Goal>,
    pub contacts: Vec<Contact>,
}

/// Every support course of a citizen with its goals and contacts.
pub fn export_of(
    conn: &mut DbConnection,
    citizen_id: &str,
) -> Result<Vec<SupportCourseExport>, ApiError> {
    let rows = store::of_citizen(conn, citizen_id)?;
    let courses = load_many(conn, rows)?;
    let mut out = Vec::new();
    for course in courses {
        let id = course.id.to_string();
        let goal_rows = store::goals_of(conn, std::slice::from_ref(&id))?;
        let goals = load_goals(conn, goal_rows)?;
        let contacts = store::contacts_of(conn, std::slice::from_ref(&id))?
            .into_iter()
            .map(Contact::from_row)
            .collect::<Result<_, _>>()?;
        out.push(SupportCourseExport {
            support_course: course,
            goals,
            contacts,
        });
    }
    Ok(out)
}

/// Erases the free text of a citizen's courses (on anonymisation).
pub fn erase_free_text(
    conn: &mut DbConnection,
    citizen_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(store::erase_free_text(
        conn,
        citizen_id,
        crate::citizen::ERASED_TEXT,
        now,
    )?)
}
