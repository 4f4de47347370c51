//! `/training-cohorts`: the peer education. Cohorts belong to a programme and are seen and
//! managed as their programme is (see `scope`). Completing an enrolment grants the cohort's
//! qualifications.

use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::{self, set, uuid, uuid_opt, values_of};
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::peer_worker;
use crate::scope;
use crate::state::AppState;
use crate::workflow;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::peer_worker::{PeerWorkerStatus, QualificationKind, may_train};
use brobygger_domain::programme::{Period, check_raw_period};
use brobygger_domain::training_cohort::EnrolmentOutcome;
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::training_cohort::{
    self as store, EnrolmentRow, TrainerRow, TrainingCohortFilter, TrainingCohortRow,
};
use brobygger_persistence::{DbConnection, programme as programme_store, user as user_store};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A run of the peer education.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000001",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "provider_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "start_date": "2026-03-01",
    "end_date": "2026-06-30",
    "grants": ["peer_guide", "peer_teacher"],
    "version": 1,
    "created_at": "2026-02-01T10:00:00Z",
    "updated_at": "2026-02-01T10:00:00Z"
}))]
pub struct TrainingCohort {
    pub id: Uuid,
    pub programme_id: Uuid,
    /// The organisation that runs the education (e.g. a Recovery College).
    pub provider_organisation_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// The qualifications completing the cohort grants.
    pub grants: Vec<QualificationKind>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for TrainingCohort {
    fn version(&self) -> i64 {
        self.version
    }
}

impl TrainingCohort {
    fn input(&self) -> TrainingCohortInput {
        TrainingCohortInput {
            programme_id: self.programme_id,
            provider_organisation_id: self.provider_organisation_id,
            start_date: self.start_date,
            end_date: self.end_date,
            grants: self.grants.clone(),
        }
    }
}

fn load(
    conn: &mut DbConnection,
    rows: Vec<TrainingCohortRow>,
) -> Result<Vec<TrainingCohort>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let grants = store::grants_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            Ok(TrainingCohort {
                id: uuid(&row.id)?,
                programme_id: uuid(&row.programme_id)?,
                provider_organisation_id: uuid(&row.provider_organisation_id)?,
                start_date: row.start_date,
                end_date: row.end_date,
                grants: values_of(&grants, &row.id)
                    .map(convert::text_enum)
                    .collect::<Result<_, _>>()?,
                version: row.version,
                created_at: to_utc(row.created_at),
                updated_at: to_utc(row.updated_at),
            })
        })
        .collect()
}

fn load_one(conn: &mut DbConnection, row: TrainingCohortRow) -> Result<TrainingCohort, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("cohort vanished"))
}

/// What a client writes: a new cohort, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "provider_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "start_date": "2026-03-01",
    "end_date": "2026-06-30",
    "grants": ["peer_guide"]
}))]
pub struct TrainingCohortInput {
    /// A programme you manage.
    pub programme_id: Uuid,
    /// Your organisation or a partner of the programme.
    pub provider_organisation_id: Uuid,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub grants: Vec<QualificationKind>,
}

impl FieldRules for TrainingCohortInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        let text = |name: &str| body.get(name).and_then(Value::as_str);
        check_raw_period(text("start_date"), text("end_date"), "end_date", errors);
    }
}

/// A JSON merge patch of a cohort.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2026-07-15", "grants": ["peer_guide", "peer_teacher"]}))]
pub struct TrainingCohortPatch {
    pub provider_organisation_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub grants: Option<Vec<QualificationKind>>,
}

const WRITABLE: &[&str] = &[
    "provider_organisation_id",
    "start_date",
    "end_date",
    "grants",
];

/// Filters of the cohort list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingCohortFilters {
    pub programme_id: Option<Uuid>,
    pub provider_organisation_id: Option<Uuid>,
}

fn check(
    conn: &mut DbConnection,
    user: &CurrentUser,
    input: &TrainingCohortInput,
    current: Option<&TrainingCohort>,
) -> Result<Period, ApiError> {
    let mut errors = FieldErrors::new();
    let period = match Period::parse(input.start_date, input.end_date, "end_date") {
        Ok(period) => Some(period),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    if current.is_none() {
        match scope::programme_access(conn, user, &input.programme_id.to_string())? {
            None => errors.push("programme_id", "unknown", "no such programme"),
            Some(access) => access.require_manage("a programme")?,
        }
    }
    let provider = input.provider_organisation_id.to_string();
    if current.is_none_or(|c| c.provider_organisation_id != input.provider_organisation_id) {
        let partner =
            programme_store::partner_organisation_ids(conn, &input.programme_id.to_string())?
                .contains(&provider);
        if !(partner || scope::organisation_in_body(conn, user, &input.provider_organisation_id)?) {
            errors.push(
                "provider_organisation_id",
                "unknown",
                "no such organisation",
            );
        }
    }
    match period {
        Some(period) if errors.is_empty() => Ok(period),
        _ => Err(ApiError::Validation(errors)),
    }
}

fn grant_names(grants: &[QualificationKind]) -> Vec<String> {
    set(grants.to_vec())
        .into_iter()
        .map(|g| g.as_str().to_owned())
        .collect()
}

/// List training cohorts
///
/// The cohorts of the programmes the user sees.
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "list_training_cohorts",
    security(("bearer" = [])),
    params(PageParams, TrainingCohortFilters),
    responses((status = 200, description = "A page of training cohorts", body = Page<TrainingCohort>))
)]
#[get("/training-cohorts")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<TrainingCohortFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let filter = TrainingCohortFilter {
        partner_organisation_id: scope::partner_organisation(&user),
        programme_id: filters.programme_id.map(|p| p.to_string()),
        provider_organisation_id: filters.provider_organisation_id.map(|p| p.to_string()),
    };
    let page = state
        .db
        .read(move |conn| {
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

/// Get a training cohort
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "get_training_cohort",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    responses((status = 200, description = "The cohort", body = TrainingCohort,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/training-cohorts/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let cohort = state
        .db
        .read(move |conn| {
            let (row, _) = scope::training_cohort(conn, &user, &id)?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&cohort))
}

/// Create a training cohort
///
/// By a coordinator who manages the programme (or an admin).
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "create_training_cohort",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TrainingCohortInput,
    responses((status = 201, description = "Created", body = TrainingCohort,
        headers(("Location" = String, description = "The new cohort's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/training-cohorts")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<TrainingCohortInput>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let period = check(conn, &actor, &input, None)?;
        let row = TrainingCohortRow {
            id: Uuid::now_v7().to_string(),
            programme_id: input.programme_id.to_string(),
            provider_organisation_id: input.provider_organisation_id.to_string(),
            start_date: period.start(),
            end_date: period.end(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, &row)?;
        store::set_grants(conn, &row.id, &grant_names(&input.grants))?;
        let location = format!("/api/v1/training-cohorts/{}", row.id);
        Ok((load_one(conn, row)?, location))
    })
    .await
}

/// Change a training cohort
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "update_training_cohort",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cohort's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = TrainingCohortPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = TrainingCohort,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/training-cohorts/{id}")]
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
            let (current, access) = scope::training_cohort(conn, &user, &id)?;
            access.require_manage("a training cohort")?;
            if_match.check(current.version)?;
            let before = load_one(conn, current.clone())?;
            let input = patch.apply(&before.input(), WRITABLE)?;
            let period = check(conn, &user, &input, Some(&before))?;
            let row = TrainingCohortRow {
                provider_organisation_id: input.provider_organisation_id.to_string(),
                start_date: period.start(),
                end_date: period.end(),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            store::set_grants(conn, &row.id, &grant_names(&input.grants))?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&updated))
}

// ---------------------------------------------------------------------------------------------
// Trainers

/// A trainer of a cohort: a peer trainer (an active peer worker holding `peer_trainer`) or a
/// professional (a user).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000002",
    "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "user_id": null,
    "version": 1,
    "created_at": "2026-02-01T10:00:00Z",
    "updated_at": "2026-02-01T10:00:00Z"
}))]
pub struct Trainer {
    pub id: Uuid,
    pub training_cohort_id: Uuid,
    pub peer_worker_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Trainer {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Trainer {
    fn from_row(row: TrainerRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            training_cohort_id: uuid(&row.training_cohort_id)?,
            peer_worker_id: uuid_opt(row.peer_worker_id.as_deref())?,
            user_id: uuid_opt(row.user_id.as_deref())?,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A new trainer: exactly one of `peer_worker_id` and `user_id`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d6-0000-7000-8000-000000000001"}))]
pub struct TrainerInput {
    /// A peer trainer: active and holding `peer_trainer`.
    pub peer_worker_id: Option<Uuid>,
    /// A professional: a user of a partner organisation of the programme.
    pub user_id: Option<Uuid>,
}

impl FieldRules for TrainerInput {}

/// List a cohort's trainers
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "list_training_cohort_trainers",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"), PageParams),
    responses((status = 200, description = "A page of trainers", body = Page<Trainer>))
)]
#[get("/training-cohorts/{id}/trainers")]
pub async fn list_trainers(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let id = id.into_inner();
    let rows = {
        let request = request.clone();
        state
            .db
            .read(move |conn| {
                let (cohort, _) = scope::training_cohort(conn, &user, &id)?;
                Ok(store::list_trainers(conn, &cohort.id, &request)?)
            })
            .await?
    };
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        Trainer::from_row,
    )?))
}

/// Add a trainer to a cohort
///
/// A peer trainer must be active and hold `peer_trainer`, else `409 qualification_missing`.
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "create_training_cohort_trainer",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TrainerInput,
    responses(
        (status = 201, description = "Added", body = Trainer,
            headers(("Location" = String, description = "The cohort's trainers"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "`qualification_missing`: the peer worker is not an active peer trainer; `conflict`: already a trainer", body = crate::error::Problem,
            example = json!({"type": "/problems/qualification_missing", "code": "qualification_missing", "title": "Qualification missing", "status": 409,
                "detail": "a peer trainer must be active and hold peer_trainer", "instance": "/api/v1/training-cohorts/0193a5d7-0000-7000-8000-000000000001/trainers",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"}))
    )
)]
#[post("/training-cohorts/{id}/trainers")]
pub async fn create_trainer(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<TrainerInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (cohort, access) = scope::training_cohort(conn, &actor, &id)?;
        access.require_manage("a training cohort")?;
        let (peer_worker_id, user_id) = match (input.peer_worker_id, input.user_id) {
            (Some(peer), None) => {
                let Some((worker, _)) = scope::peer_worker_in_body(conn, &actor, &peer)? else {
                    return Err(ApiError::field(
                        "peer_worker_id",
                        "unknown",
                        "no such peer worker",
                    ));
                };
                let status: PeerWorkerStatus = convert::text_enum(&worker.status)?;
                if !may_train(status, &peer_worker::service::held(conn, &worker.id)?) {
                    return Err(ApiError::QualificationMissing(
                        "a peer trainer must be active and hold peer_trainer".to_owned(),
                    ));
                }
                (Some(worker.id), None)
            }
            (None, Some(trainer)) => {
                let partners =
                    programme_store::partner_organisation_ids(conn, &cohort.programme_id)?;
                match user_store::find(conn, &trainer.to_string())? {
                    Some(found)
                        if (actor.is_admin() || partners.contains(&found.organisation_id))
                            && found.role != Role::Integration.as_str() =>
                    {
                        (None, Some(found.id))
                    }
                    _ => return Err(ApiError::field("user_id", "unknown", "no such user")),
                }
            }
            _ => {
                let mut errors = FieldErrors::new();
                for field in ["peer_worker_id", "user_id"] {
                    errors.push(
                        field,
                        "one_of",
                        "name exactly one of peer_worker_id and user_id",
                    );
                }
                return Err(errors.into());
            }
        };
        let row = TrainerRow {
            id: Uuid::now_v7().to_string(),
            training_cohort_id: cohort.id.clone(),
            peer_worker_id,
            user_id,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_trainer(conn, &row)?;
        let location = format!("/api/v1/training-cohorts/{}/trainers", cohort.id);
        Ok((Trainer::from_row(row)?, location))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Enrolments

/// A peer worker's place in a cohort and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d7-0000-7000-8000-000000000003",
    "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "outcome": "completed",
    "completed_on": "2026-06-30",
    "version": 2,
    "created_at": "2026-02-01T10:00:00Z",
    "updated_at": "2026-06-30T15:00:00Z"
}))]
pub struct Enrolment {
    pub id: Uuid,
    pub training_cohort_id: Uuid,
    pub peer_worker_id: Uuid,
    pub outcome: EnrolmentOutcome,
    /// Set with `completed`.
    pub completed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Enrolment {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Enrolment {
    fn from_row(row: EnrolmentRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            training_cohort_id: uuid(&row.training_cohort_id)?,
            peer_worker_id: uuid(&row.peer_worker_id)?,
            outcome: convert::text_enum(&row.outcome)?,
            completed_on: row.completed_on,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A new enrolment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d6-0000-7000-8000-000000000001"}))]
pub struct EnrolmentInput {
    pub peer_worker_id: Uuid,
}

impl FieldRules for EnrolmentInput {}

/// The outcome of an enrolment, as a merge patch sets it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "completed", "completed_on": "2026-06-30"}))]
pub struct EnrolmentOutcomeInput {
    /// `enrolled → completed | dropped_out`; both are final.
    pub outcome: EnrolmentOutcome,
    /// Required with `completed`, not allowed otherwise.
    pub completed_on: Option<NaiveDate>,
}

impl FieldRules for EnrolmentOutcomeInput {}

/// Filters of a cohort's enrolments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentFilters {
    pub outcome: Option<EnrolmentOutcome>,
}

/// List a cohort's enrolments
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "list_training_cohort_enrolments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"), PageParams, EnrolmentFilters),
    responses((status = 200, description = "A page of enrolments", body = Page<Enrolment>))
)]
#[get("/training-cohorts/{id}/enrolments")]
pub async fn list_enrolments(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    filters: web::Query<EnrolmentFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let id = id.into_inner();
    let outcome = filters.outcome;
    let rows = {
        let request = request.clone();
        state
            .db
            .read(move |conn| {
                let (cohort, _) = scope::training_cohort(conn, &user, &id)?;
                Ok(store::list_enrolments(
                    conn,
                    &cohort.id,
                    outcome.map(EnrolmentOutcome::as_str),
                    &request,
                )?)
            })
            .await?
    };
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        Enrolment::from_row,
    )?))
}

/// Enrol a peer worker in a cohort
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "create_training_cohort_enrolment",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = EnrolmentInput,
    responses((status = 201, description = "Enrolled", body = Enrolment,
        headers(("Location" = String, description = "The enrolment's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/training-cohorts/{id}/enrolments")]
pub async fn create_enrolment(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<EnrolmentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (cohort, access) = scope::training_cohort(conn, &actor, &id)?;
        access.require_manage("a training cohort")?;
        let Some((worker, _)) = scope::peer_worker_in_body(conn, &actor, &input.peer_worker_id)?
        else {
            return Err(ApiError::field(
                "peer_worker_id",
                "unknown",
                "no such peer worker",
            ));
        };
        let row = EnrolmentRow {
            id: Uuid::now_v7().to_string(),
            training_cohort_id: cohort.id.clone(),
            peer_worker_id: worker.id,
            outcome: EnrolmentOutcome::Enrolled.as_str().to_owned(),
            completed_on: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_enrolment(conn, &row)?;
        let location = format!(
            "/api/v1/training-cohorts/{}/enrolments/{}",
            cohort.id, row.id
        );
        Ok((Enrolment::from_row(row)?, location))
    })
    .await
}

fn complete(
    conn: &mut DbConnection,
    cohort: &TrainingCohortRow,
    enrolment: &EnrolmentRow,
    completed_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let grants: Vec<QualificationKind> = store::grants_of(conn, std::slice::from_ref(&cohort.id))?
        .iter()
        .map(|(_, kind)| convert::text_enum(kind))
        .collect::<Result<_, _>>()?;
    peer_worker::service::grant_from_cohort(
        conn,
        &enrolment.peer_worker_id,
        &grants,
        &cohort.id,
        completed_on,
        now,
    )
}

/// Record an enrolment's outcome
///
/// `completed` (with `completed_on`) grants the cohort's qualifications to the peer worker;
/// `dropped_out` grants nothing. Both are final: another move is `409 invalid_transition`.
#[utoipa::path(
    tag = "training-cohorts",
    operation_id = "update_training_cohort_enrolment",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cohort's id"),
        ("enrolment_id" = Uuid, Path, description = "The enrolment's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = EnrolmentOutcomeInput, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Enrolment,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`: the outcome is final", body = crate::error::Problem)
    )
)]
#[patch("/training-cohorts/{id}/enrolments/{enrolment_id}")]
pub async fn update_enrolment(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, enrolment_id) = path.into_inner();
    let now = state.clock.now_naive();
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let (cohort, access) = scope::training_cohort(conn, &user, &id)?;
            let current = store::find_enrolment(conn, &cohort.id, &enrolment_id.to_string())?
                .ok_or(ApiError::NotFound)?;
            access.require_manage("a training cohort")?;
            if_match.check(current.version)?;
            let before = Enrolment::from_row(current.clone())?;
            let input = patch.apply(
                &EnrolmentOutcomeInput {
                    outcome: before.outcome,
                    completed_on: before.completed_on,
                },
                &["outcome", "completed_on"],
            )?;
            if input.outcome != before.outcome {
                workflow::check(before.outcome, input.outcome)?;
            }
            let mut errors = FieldErrors::new();
            match (input.outcome, input.completed_on) {
                (EnrolmentOutcome::Completed, None) => {
                    errors.push("completed_on", "required", "a completion has a date")
                }
                (EnrolmentOutcome::Completed, Some(on)) if on < cohort.start_date => errors.push(
                    "completed_on",
                    "before_start",
                    "must not be before the cohort starts",
                ),
                (EnrolmentOutcome::Enrolled | EnrolmentOutcome::DroppedOut, Some(_)) => errors
                    .push(
                        "completed_on",
                        "not_allowed",
                        "only a completed enrolment has a completion date",
                    ),
                _ => {}
            }
            errors.into_result(|| ())?;
            let row = EnrolmentRow {
                outcome: input.outcome.as_str().to_owned(),
                completed_on: input.completed_on,
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update_enrolment(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            if let (true, Some(on)) = (
                input.outcome != before.outcome && input.outcome.grants_qualifications(),
                input.completed_on,
            ) {
                complete(conn, &cohort, &row, on, now)?;
            }
            Enrolment::from_row(row)
        })
        .await?;
    Ok(http::ok(&updated))
}
