//! `/programmes`: funded peer-support efforts run by a partnership, with phases, partners and
//! targets. Visible to the users of partner organisations; managed by their coordinators (see
//! `scope`).

use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::{self, set, uuid, values_of};
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::scope;
use crate::state::AppState;
use crate::workflow::{self, StatusChange};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::programme::{
    DEFAULT_SUPERVISION_INTERVAL_DAYS, Metric, Model, PartnerRole, Period, Phase, check_raw_period,
};
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::programme::{
    self as store, PartnerRow, ProgrammeFilter, ProgrammeRow, TargetRow,
};
use brobygger_persistence::{DbConnection, organisation};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const RESOURCE: &str = "programme";

/// A programme: a funded peer-support effort run by a partnership.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000001",
    "name": "Peer-støtte i Region Hovedstaden",
    "description": "Individual peer support and peer teaching in existing group courses.",
    "funding_source": "Satspulje 2014",
    "grant_dkk": 9300000,
    "start_date": "2015-01-01",
    "end_date": "2018-06-30",
    "models": ["individual_peer_support", "peer_teaching"],
    "lead_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "supervision_interval_days": 30,
    "phase": "pilot",
    "status_history": [
        {"status": "development", "at": "2026-11-22T10:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "pilot", "at": "2026-12-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "Ready to pilot"}
    ],
    "version": 2,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z"
}))]
pub struct Programme {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub funding_source: Option<String>,
    /// The grant in whole DKK.
    pub grant_dkk: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub models: Vec<Model>,
    pub lead_organisation_id: Uuid,
    /// How often each active peer worker should have supervision.
    pub supervision_interval_days: i32,
    /// Changes only through `POST /programmes/{id}/transitions`.
    pub phase: Phase,
    pub status_history: Vec<StatusChange>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Programme {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Programme {
    fn from_parts(
        row: ProgrammeRow,
        models: Vec<Model>,
        status_history: Vec<StatusChange>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            lead_organisation_id: uuid(&row.lead_organisation_id)?,
            phase: convert::text_enum(&row.phase)?,
            name: row.name,
            description: row.description,
            funding_source: row.funding_source,
            grant_dkk: row.grant_dkk,
            start_date: row.start_date,
            end_date: row.end_date,
            models,
            supervision_interval_days: row.supervision_interval_days,
            status_history,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }

    fn input(&self) -> ProgrammeInput {
        ProgrammeInput {
            name: self.name.clone(),
            description: self.description.clone(),
            funding_source: self.funding_source.clone(),
            grant_dkk: self.grant_dkk,
            start_date: self.start_date,
            end_date: self.end_date,
            models: self.models.clone(),
            lead_organisation_id: Some(self.lead_organisation_id),
            supervision_interval_days: self.supervision_interval_days,
        }
    }
}

/// Loads the programmes of `rows` with their models and histories.
fn load(conn: &mut DbConnection, rows: Vec<ProgrammeRow>) -> Result<Vec<Programme>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let models = store::models_of(conn, &ids)?;
    let mut histories = workflow::histories(conn, RESOURCE, &ids)?;
    rows.into_iter()
        .map(|row| {
            let models = values_of(&models, &row.id)
                .map(convert::text_enum)
                .collect::<Result<Vec<Model>, _>>()?;
            let history = histories.remove(&row.id).unwrap_or_default();
            Programme::from_parts(row, models, history)
        })
        .collect()
}

fn load_one(conn: &mut DbConnection, row: ProgrammeRow) -> Result<Programme, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("programme vanished"))
}

fn default_interval() -> i32 {
    DEFAULT_SUPERVISION_INTERVAL_DAYS
}

/// What a client writes: a new programme, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Peer-støtte i Region Hovedstaden",
    "description": "Individual peer support and peer teaching in existing group courses.",
    "funding_source": "Satspulje 2014",
    "grant_dkk": 9300000,
    "start_date": "2015-01-01",
    "end_date": "2018-06-30",
    "models": ["individual_peer_support", "peer_teaching"],
    "supervision_interval_days": 30
}))]
pub struct ProgrammeInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// The pool or fund, e.g. "Satspulje 2014".
    #[schema(max_length = 200)]
    pub funding_source: Option<String>,
    /// Whole DKK.
    #[schema(minimum = 0)]
    pub grant_dkk: Option<i64>,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub models: Vec<Model>,
    /// The lead organisation; a coordinator's own organisation when left out (the only one it
    /// may name). Required for an admin. Set once, on create.
    pub lead_organisation_id: Option<Uuid>,
    #[serde(default = "default_interval")]
    #[schema(minimum = 1, maximum = 365, default = 30)]
    pub supervision_interval_days: i32,
}

impl FieldRules for ProgrammeInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        let text = |name: &str| body.get(name).and_then(Value::as_str);
        check_raw_period(text("start_date"), text("end_date"), "end_date", errors);
    }
}

/// A JSON merge patch of a programme: the fields to change, `null` to clear one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2018-12-31", "grant_dkk": 9800000}))]
pub struct ProgrammePatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[schema(max_length = 200)]
    pub funding_source: Option<String>,
    #[schema(minimum = 0)]
    pub grant_dkk: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub models: Option<Vec<Model>>,
    #[schema(minimum = 1, maximum = 365)]
    pub supervision_interval_days: Option<i32>,
}

const WRITABLE: &[&str] = &[
    "name",
    "description",
    "funding_source",
    "grant_dkk",
    "start_date",
    "end_date",
    "models",
    "supervision_interval_days",
];

/// A move to another phase.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "pilot", "reason": "The first municipalities are ready"}))]
pub struct ProgrammeTransition {
    pub to: Phase,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for ProgrammeTransition {}

/// Filters of the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeFilters {
    pub phase: Option<Phase>,
    pub lead_organisation_id: Option<Uuid>,
    /// Programmes offering this model.
    pub model: Option<Model>,
}

/// The checks beyond single fields: blank name, the period.
fn check(input: &ProgrammeInput) -> Result<Period, ApiError> {
    let mut errors = FieldErrors::new();
    if input.name.trim().is_empty() {
        errors.push("name", "required", "must not be blank");
    }
    let period = errors.check_all(Period::parse(input.start_date, input.end_date, "end_date"));
    match period {
        Some(period) if errors.is_empty() => Ok(period),
        _ => Err(ApiError::Validation(errors)),
    }
}

trait CheckAll {
    fn check_all<T>(&mut self, result: Result<T, FieldErrors>) -> Option<T>;
}

impl CheckAll for FieldErrors {
    fn check_all<T>(&mut self, result: Result<T, FieldErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors.0);
                None
            }
        }
    }
}

#[expect(clippy::too_many_arguments, reason = "a row is every one of these")]
fn row(
    id: String,
    input: &ProgrammeInput,
    period: Period,
    lead: String,
    phase: Phase,
    version: i64,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> ProgrammeRow {
    ProgrammeRow {
        id,
        name: input.name.clone(),
        description: input.description.clone(),
        funding_source: input.funding_source.clone(),
        grant_dkk: input.grant_dkk,
        start_date: period.start(),
        end_date: period.end(),
        lead_organisation_id: lead,
        supervision_interval_days: input.supervision_interval_days,
        phase: phase.as_str().to_owned(),
        version,
        created_at,
        updated_at: now,
    }
}

fn model_names(models: &[Model]) -> Vec<String> {
    set(models.to_vec())
        .into_iter()
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// List programmes
///
/// The programmes the user's organisation is a partner of (admins: all).
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_programmes",
    security(("bearer" = [])),
    params(PageParams, ProgrammeFilters),
    responses((status = 200, description = "A page of programmes", body = Page<Programme>))
)]
#[get("/programmes")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<ProgrammeFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let filter = ProgrammeFilter {
        partner_organisation_id: scope::partner_organisation(&user),
        phase: filters.phase.map(|p| p.as_str().to_owned()),
        lead_organisation_id: filters.lead_organisation_id.map(|o| o.to_string()),
        model: filters.model.map(|m| m.as_str().to_owned()),
    };
    let page = {
        let request = request.clone();
        state
            .db
            .read(move |conn| {
                let rows = store::list(conn, &filter, &request)?;
                let page = Page::from_rows(rows, &request, |r| &r.id, Ok)?;
                Ok(Page {
                    items: load(conn, page.items)?,
                    next_cursor: page.next_cursor,
                })
            })
            .await?
    };
    Ok(HttpResponse::Ok().json(page))
}

/// Get a programme
#[utoipa::path(
    tag = "programmes",
    operation_id = "get_programme",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id")),
    responses((status = 200, description = "The programme", body = Programme,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/programmes/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let programme = state
        .db
        .read(move |conn| {
            let (row, _) = scope::programme(conn, &user, &id)?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&programme))
}

/// Create a programme
///
/// Admins and coordinators. A coordinator's own organisation becomes the lead; an admin names
/// the lead. The lead becomes a partner with role `lead`, and the programme starts in phase
/// `development`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_programme",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = ProgrammeInput,
    responses((status = 201, description = "Created", body = Programme,
        headers(("Location" = String, description = "The new programme's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/programmes")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<ProgrammeInput>,
) -> Result<HttpResponse, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Coordinator) {
        return Err(ApiError::Forbidden(
            "only admins and coordinators create programmes".to_owned(),
        ));
    }
    let now = state.clock.now_naive();
    let input = body.value;
    let creator = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let user = creator;
        let mut errors = FieldErrors::new();
        let period = errors.check_all(check(&input).map_err(|e| match e {
            ApiError::Validation(errors) => errors,
            _ => FieldErrors::new(),
        }));
        let lead = match (user.role, input.lead_organisation_id) {
            (Role::Admin, None) => {
                errors.push("lead_organisation_id", "required", "is required");
                None
            }
            (Role::Admin, Some(lead)) => {
                if organisation::find(conn, &lead.to_string())?.is_none() {
                    errors.push("lead_organisation_id", "unknown", "no such organisation");
                }
                Some(lead.to_string())
            }
            (_, Some(lead)) if lead.to_string() != user.organisation_id => {
                errors.push(
                    "lead_organisation_id",
                    "not_allowed",
                    "a coordinator creates programmes led by its own organisation",
                );
                None
            }
            _ => Some(user.organisation_id.clone()),
        };
        let (Some(period), Some(lead), true) = (period, lead, errors.is_empty()) else {
            return Err(ApiError::Validation(errors));
        };
        let id = Uuid::now_v7().to_string();
        let row = row(id, &input, period, lead, Phase::Development, 1, now, now);
        store::insert(conn, &row)?;
        store::set_models(conn, &row.id, &model_names(&input.models))?;
        store::insert_partner(
            conn,
            &PartnerRow {
                id: Uuid::now_v7().to_string(),
                programme_id: row.id.clone(),
                organisation_id: row.lead_organisation_id.clone(),
                role: PartnerRole::Lead.as_str().to_owned(),
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )?;
        workflow::record(
            conn,
            RESOURCE,
            &row.id,
            Phase::Development.as_str(),
            now,
            &user.id,
            None,
        )?;
        let location = format!("/api/v1/programmes/{}", row.id);
        Ok((load_one(conn, row)?, location))
    })
    .await
}

/// Change a programme
///
/// A JSON merge patch with `If-Match`, by a coordinator of a partner (or an admin). The phase
/// changes only through transitions; the lead is set once.
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_programme",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = ProgrammePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Programme,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/programmes/{id}")]
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
            let (current, access) = scope::programme(conn, &user, &id)?;
            access.require_manage("a programme")?;
            if_match.check(current.version)?;
            let before = load_one(conn, current.clone())?;
            let input = patch.apply(&before.input(), WRITABLE)?;
            let period = check(&input)?;
            let phase = before.phase;
            let row = row(
                current.id.clone(),
                &input,
                period,
                current.lead_organisation_id.clone(),
                phase,
                current.version + 1,
                current.created_at,
                now,
            );
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            store::set_models(conn, &row.id, &model_names(&input.models))?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&updated))
}

/// Move a programme to another phase
///
/// Phases move forwards only (`development → implementation → pilot → trial → operation →
/// closed`), a step may be skipped; `closed` is final. Each move is kept in `status_history`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "transition_programme",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id")),
    request_body = ProgrammeTransition,
    responses(
        (status = 200, description = "Moved", body = Programme,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`: the current phase does not allow this move; `allowed` names the moves that are", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from pilot to development; allowed: trial, operation, closed", "instance": "/api/v1/programmes/0193a5d4-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["trial", "operation", "closed"]}))
    )
)]
#[post("/programmes/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<ProgrammeTransition>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let move_to = body.value;
    let updated = state
        .db
        .write(move |conn| {
            let (current, access) = scope::programme(conn, &user, &id)?;
            access.require_manage("a programme")?;
            let from: Phase = convert::text_enum(&current.phase)?;
            workflow::check(from, move_to.to)?;
            let row = ProgrammeRow {
                phase: move_to.to.as_str().to_owned(),
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
                move_to.reason,
            )?;
            load_one(conn, row)
        })
        .await?;
    Ok(http::ok(&updated))
}

// ---------------------------------------------------------------------------------------------
// Partners

/// An organisation's role in a programme; one role per organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000002",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e22",
    "role": "secretariat",
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Partner {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub organisation_id: Uuid,
    pub role: PartnerRole,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Partner {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Partner {
    fn from_row(row: PartnerRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            programme_id: uuid(&row.programme_id)?,
            organisation_id: uuid(&row.organisation_id)?,
            role: convert::text_enum(&row.role)?,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A new partner of a programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e22", "role": "partner"}))]
pub struct PartnerInput {
    pub organisation_id: Uuid,
    /// `lead` belongs to the programme's lead organisation alone.
    pub role: PartnerRole,
}

impl FieldRules for PartnerInput {}

/// A JSON merge patch of a partner: its role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "secretariat"}))]
pub struct PartnerPatch {
    pub role: Option<PartnerRole>,
}

fn check_partner_role(
    programme: &ProgrammeRow,
    organisation_id: &str,
    role: PartnerRole,
) -> Result<(), ApiError> {
    let is_lead = programme.lead_organisation_id == organisation_id;
    if is_lead && role != PartnerRole::Lead {
        return Err(ApiError::field(
            "role",
            "not_allowed",
            "the lead organisation keeps the role lead",
        ));
    }
    if !is_lead && role == PartnerRole::Lead {
        return Err(ApiError::field(
            "role",
            "not_allowed",
            "only the programme's lead organisation has the role lead",
        ));
    }
    Ok(())
}

/// List a programme's partners
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_programme_partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), PageParams),
    responses((status = 200, description = "A page of partners", body = Page<Partner>))
)]
#[get("/programmes/{id}/partners")]
pub async fn list_partners(
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
                let (programme, _) = scope::programme(conn, &user, &id)?;
                Ok(store::list_partners(conn, &programme.id, &request)?)
            })
            .await?
    };
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        Partner::from_row,
    )?))
}

/// Add a partner to a programme
///
/// By a coordinator of a partner (or an admin). An organisation has one role per programme: a
/// second is `409 conflict`.
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_programme_partner",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = PartnerInput,
    responses((status = 201, description = "Added", body = Partner,
        headers(("Location" = String, description = "The partner's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/programmes/{id}/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<PartnerInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (programme, access) = scope::programme(conn, &actor, &id)?;
        access.require_manage("a programme")?;
        let organisation_id = input.organisation_id.to_string();
        if organisation::find(conn, &organisation_id)?.is_none() {
            return Err(ApiError::field(
                "organisation_id",
                "unknown",
                "no such organisation",
            ));
        }
        check_partner_role(&programme, &organisation_id, input.role)?;
        if store::partner_role(conn, &programme.id, &organisation_id)?.is_some() {
            return Err(ApiError::Conflict(
                "this organisation is already a partner of the programme".to_owned(),
            ));
        }
        let row = PartnerRow {
            id: Uuid::now_v7().to_string(),
            programme_id: programme.id.clone(),
            organisation_id,
            role: input.role.as_str().to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_partner(conn, &row)?;
        let location = format!("/api/v1/programmes/{}/partners/{}", programme.id, row.id);
        Ok((Partner::from_row(row)?, location))
    })
    .await
}

/// Change a partner's role
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_programme_partner",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("partner_id" = Uuid, Path, description = "The partner's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = PartnerPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Partner,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/programmes/{id}/partners/{partner_id}")]
pub async fn update_partner(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, partner_id) = path.into_inner();
    let now = state.clock.now_naive();
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let (programme, access) = scope::programme(conn, &user, &id)?;
            let current = store::find_partner(conn, &programme.id, &partner_id.to_string())?
                .ok_or(ApiError::NotFound)?;
            access.require_manage("a programme")?;
            if_match.check(current.version)?;
            let before = Partner::from_row(current.clone())?;
            let input = patch.apply(
                &PartnerInput {
                    organisation_id: before.organisation_id,
                    role: before.role,
                },
                &["role"],
            )?;
            check_partner_role(&programme, &current.organisation_id, input.role)?;
            let row = PartnerRow {
                role: input.role.as_str().to_owned(),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update_partner(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            Partner::from_row(row)
        })
        .await?;
    Ok(http::ok(&updated))
}

// ---------------------------------------------------------------------------------------------
// Targets

/// A programme target: a metric, the value to reach and by when.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000003",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "metric": "citizens_reached",
    "value": 250,
    "deadline": "2018-06-30",
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Target {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub metric: Metric,
    pub value: i64,
    pub deadline: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Target {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Target {
    fn from_row(row: TargetRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            programme_id: uuid(&row.programme_id)?,
            metric: convert::text_enum(&row.metric)?,
            value: row.value,
            deadline: row.deadline,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A new target, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"metric": "peers_trained", "value": 12, "deadline": "2017-12-31"}))]
pub struct TargetInput {
    pub metric: Metric,
    #[schema(minimum = 0)]
    pub value: i64,
    pub deadline: Option<NaiveDate>,
}

impl FieldRules for TargetInput {}

/// A JSON merge patch of a target.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 450}))]
pub struct TargetPatch {
    pub metric: Option<Metric>,
    #[schema(minimum = 0)]
    pub value: Option<i64>,
    pub deadline: Option<NaiveDate>,
}

/// Filters of a programme's targets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetFilters {
    pub metric: Option<Metric>,
}

/// List a programme's targets
#[utoipa::path(
    tag = "programmes",
    operation_id = "list_programme_targets",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"), PageParams, TargetFilters),
    responses((status = 200, description = "A page of targets", body = Page<Target>))
)]
#[get("/programmes/{id}/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    page: web::Query<PageParams>,
    filters: web::Query<TargetFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let id = id.into_inner();
    let metric = filters.metric;
    let rows = {
        let request = request.clone();
        state
            .db
            .read(move |conn| {
                let (programme, _) = scope::programme(conn, &user, &id)?;
                Ok(store::list_targets(
                    conn,
                    &programme.id,
                    metric.map(Metric::as_str),
                    &request,
                )?)
            })
            .await?
    };
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        Target::from_row,
    )?))
}

/// Add a target to a programme
#[utoipa::path(
    tag = "programmes",
    operation_id = "create_programme_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The programme's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = TargetInput,
    responses((status = 201, description = "Added", body = Target,
        headers(("Location" = String, description = "The target's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/programmes/{id}/targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<TargetInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (programme, access) = scope::programme(conn, &actor, &id)?;
        access.require_manage("a programme")?;
        let row = TargetRow {
            id: Uuid::now_v7().to_string(),
            programme_id: programme.id.clone(),
            metric: input.metric.as_str().to_owned(),
            value: input.value,
            deadline: input.deadline,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert_target(conn, &row)?;
        let location = format!("/api/v1/programmes/{}/targets/{}", programme.id, row.id);
        Ok((Target::from_row(row)?, location))
    })
    .await
}

/// Change a target
#[utoipa::path(
    tag = "programmes",
    operation_id = "update_programme_target",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The programme's id"),
        ("target_id" = Uuid, Path, description = "The target's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = TargetPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = Target,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/programmes/{id}/targets/{target_id}")]
pub async fn update_target(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let (id, target_id) = path.into_inner();
    let now = state.clock.now_naive();
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let (programme, access) = scope::programme(conn, &user, &id)?;
            let current = store::find_target(conn, &programme.id, &target_id.to_string())?
                .ok_or(ApiError::NotFound)?;
            access.require_manage("a programme")?;
            if_match.check(current.version)?;
            let before = Target::from_row(current.clone())?;
            let input = patch.apply(
                &TargetInput {
                    metric: before.metric,
                    value: before.value,
                    deadline: before.deadline,
                },
                &["metric", "value", "deadline"],
            )?;
            let row = TargetRow {
                metric: input.metric.as_str().to_owned(),
                value: input.value,
                deadline: input.deadline,
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            if !store::update_target(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            Target::from_row(row)
        })
        .await?;
    Ok(http::ok(&updated))
}
