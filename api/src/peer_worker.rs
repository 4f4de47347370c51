//! `/peer-workers`: the peer workforce, its status workflow and qualifications, and who is
//! overdue for supervision. Scope: see `scope`.

use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json, MergePatch};
use crate::clock::to_utc;
use crate::convert::{self, set, uuid, uuid_opt, uuids, values_of};
use crate::error::ApiError;
use crate::http::{self, Page, PageParams, Versioned};
use crate::idempotency;
use crate::scope::{self, Access};
use crate::state::AppState;
use crate::workflow::{self, StatusChange};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::peer_worker::{
    EarnedVia, Engagement, PeerWorkerStatus, QualificationKind, check_engagement,
    supervision_overdue,
};
use brobygger_domain::programme::DEFAULT_SUPERVISION_INTERVAL_DAYS;
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::peer_worker::{
    self as store, PeerWorkerFilter, PeerWorkerLists, PeerWorkerRow, QualificationRow,
};
use brobygger_persistence::{
    DbConnection, PageRequest, programme as programme_store, supervision as supervision_store,
    user as user_store,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub const RESOURCE: &str = "peer_worker";

/// A qualification a peer worker holds, and how it was earned.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d6-0000-7000-8000-000000000010",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "kind": "peer_guide",
    "earned_via": "training_cohort",
    "training_cohort_id": "0193a5d7-0000-7000-8000-000000000001",
    "evidence": null,
    "earned_on": "2026-06-30",
    "recorded_by": null,
    "version": 1,
    "created_at": "2026-06-30T12:00:00Z",
    "updated_at": "2026-06-30T12:00:00Z"
}))]
pub struct Qualification {
    pub id: Uuid,
    pub peer_worker_id: Uuid,
    pub kind: QualificationKind,
    pub earned_via: EarnedVia,
    /// The cohort completed, when earned via a training cohort.
    pub training_cohort_id: Option<Uuid>,
    /// What a coordinator recorded as evidence, when recorded.
    pub evidence: Option<String>,
    pub earned_on: NaiveDate,
    /// The user who recorded it, when recorded.
    pub recorded_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Qualification {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Qualification {
    fn from_row(row: QualificationRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            peer_worker_id: uuid(&row.peer_worker_id)?,
            kind: convert::text_enum(&row.kind)?,
            earned_via: convert::text_enum(&row.earned_via)?,
            training_cohort_id: uuid_opt(row.training_cohort_id.as_deref())?,
            evidence: row.evidence,
            earned_on: row.earned_on,
            recorded_by: uuid_opt(row.recorded_by.as_deref())?,
            // A qualification is a fact: never changed once held.
            version: 1,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.created_at),
        })
    }
}

/// A peer worker: a person with lived experience who gives peer support.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d6-0000-7000-8000-000000000001",
    "name": "Jonas Holm",
    "email": "jonas.holm@vejle.dk",
    "phone": "+45 20 30 40 50",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "engagement": "employed",
    "hours_per_week": 20,
    "status": "active",
    "status_history": [
        {"status": "recruited", "at": "2026-03-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "in_training", "at": "2026-04-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "active", "at": "2026-07-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "completed the peer education"}
    ],
    "programme_ids": ["0193a5d4-0000-7000-8000-000000000001"],
    "municipality_codes": ["630", "607"],
    "languages": ["da", "en"],
    "capacity": 5,
    "user_id": null,
    "qualifications": [],
    "last_supervision_on": "2026-11-01",
    "supervision_due_on": "2026-12-01",
    "version": 4,
    "created_at": "2026-03-01T09:00:00Z",
    "updated_at": "2026-11-01T12:00:00Z"
}))]
pub struct PeerWorker {
    pub id: Uuid,
    #[schema(max_length = 200)]
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The organisation that employs or hosts the peer worker.
    pub organisation_id: Uuid,
    pub engagement: Engagement,
    /// Only for `employed`.
    pub hours_per_week: Option<i32>,
    /// Changes only through `POST /peer-workers/{id}/transitions`.
    pub status: PeerWorkerStatus,
    pub status_history: Vec<StatusChange>,
    pub programme_ids: Vec<Uuid>,
    /// Official 3-digit codes of the municipalities served.
    pub municipality_codes: Vec<String>,
    /// ISO 639 language codes.
    pub languages: Vec<String>,
    /// The most support courses the peer worker takes at once.
    pub capacity: i32,
    /// The user of role `peer_worker` who is this peer worker, if any.
    pub user_id: Option<Uuid>,
    pub qualifications: Vec<Qualification>,
    /// The date of the last supervision attended.
    pub last_supervision_on: Option<NaiveDate>,
    /// For an active peer worker: supervision is overdue after this day (the last supervision,
    /// or the day they became active, plus the shortest `supervision_interval_days` of their
    /// programmes).
    pub supervision_due_on: Option<NaiveDate>,
    /// For an active peer worker: the last supervision, or the day they became active.
    #[serde(skip)]
    supervision_since: Option<NaiveDate>,
    #[serde(skip)]
    supervision_interval: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for PeerWorker {
    fn version(&self) -> i64 {
        self.version
    }
}

impl PeerWorker {
    fn input(&self) -> PeerWorkerInput {
        PeerWorkerInput {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            organisation_id: self.organisation_id,
            engagement: self.engagement,
            hours_per_week: self.hours_per_week,
            programme_ids: self.programme_ids.clone(),
            municipality_codes: self
                .municipality_codes
                .iter()
                .cloned()
                .map(MunicipalityCodeText)
                .collect(),
            languages: self.languages.iter().cloned().map(LanguageCode).collect(),
            capacity: self.capacity,
            user_id: self.user_id,
        }
    }

    /// Whether the peer worker is overdue for supervision on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.supervision_since
            .is_some_and(|since| supervision_overdue(since, self.supervision_interval, today))
    }
}

/// Loads the peer workers of `rows` with their lists, qualifications, histories and
/// supervision dates as of `today`.
pub fn load(
    conn: &mut DbConnection,
    rows: Vec<PeerWorkerRow>,
    today: NaiveDate,
) -> Result<Vec<PeerWorker>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let (programmes, municipalities, languages) = store::lists_of(conn, &ids)?;
    let mut qualifications: HashMap<String, Vec<Qualification>> = HashMap::new();
    for row in store::qualifications_of(conn, &ids)? {
        qualifications
            .entry(row.peer_worker_id.clone())
            .or_default()
            .push(Qualification::from_row(row)?);
    }
    let mut histories = workflow::histories(conn, RESOURCE, &ids)?;
    let last: HashMap<String, NaiveDate> = supervision_store::last_supervised(conn, &ids, today)?
        .into_iter()
        .collect();
    let programme_ids = set(programmes.iter().map(|(_, p)| p.clone()).collect());
    let intervals: HashMap<String, i32> = programme_store::find_many(conn, &programme_ids)?
        .into_iter()
        .map(|p| (p.id, p.supervision_interval_days))
        .collect();
    rows.into_iter()
        .map(|row| {
            let status: PeerWorkerStatus = convert::text_enum(&row.status)?;
            let history = histories.remove(&row.id).unwrap_or_default();
            let last_supervision_on = last.get(&row.id).copied();
            let interval = values_of(&programmes, &row.id)
                .filter_map(|p| intervals.get(p).copied())
                .min()
                .unwrap_or(DEFAULT_SUPERVISION_INTERVAL_DAYS);
            let became_active = history
                .iter()
                .rev()
                .find(|h| h.status == PeerWorkerStatus::Active.as_str())
                .map(|h| h.at.date_naive());
            let supervision_due_on = (status == PeerWorkerStatus::Active)
                .then(|| last_supervision_on.or(became_active))
                .flatten()
                .map(|since| since + TimeDelta::days(i64::from(interval)));
            Ok(PeerWorker {
                id: uuid(&row.id)?,
                organisation_id: uuid(&row.organisation_id)?,
                engagement: convert::text_enum(&row.engagement)?,
                status,
                status_history: history,
                programme_ids: uuids(
                    &values_of(&programmes, &row.id)
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                )?,
                municipality_codes: values_of(&municipalities, &row.id)
                    .map(str::to_owned)
                    .collect(),
                languages: values_of(&languages, &row.id).map(str::to_owned).collect(),
                user_id: uuid_opt(row.user_id.as_deref())?,
                qualifications: qualifications.remove(&row.id).unwrap_or_default(),
                last_supervision_on,
                supervision_due_on,
                supervision_since: (status == PeerWorkerStatus::Active)
                    .then(|| last_supervision_on.or(became_active))
                    .flatten(),
                supervision_interval: interval,
                name: row.name,
                email: row.email,
                phone: row.phone,
                hours_per_week: row.hours_per_week,
                capacity: row.capacity,
                version: row.version,
                created_at: to_utc(row.created_at),
                updated_at: to_utc(row.updated_at),
            })
        })
        .collect()
}

fn load_one(
    conn: &mut DbConnection,
    row: PeerWorkerRow,
    today: NaiveDate,
) -> Result<PeerWorker, ApiError> {
    load(conn, vec![row], today)?
        .pop()
        .ok_or_else(|| ApiError::internal("peer worker vanished"))
}

/// The qualifications a peer worker holds.
pub fn held(conn: &mut DbConnection, id: &str) -> Result<Vec<QualificationKind>, ApiError> {
    store::qualifications_of(conn, &[id.to_owned()])?
        .iter()
        .map(|q| convert::text_enum(&q.kind))
        .collect()
}

/// Grants the qualifications `kinds` earned by completing cohort `cohort_id`; those already
/// held stay as they were.
pub fn grant_from_cohort(
    conn: &mut DbConnection,
    peer_worker_id: &str,
    kinds: &[QualificationKind],
    cohort_id: &str,
    earned_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let holds = held(conn, peer_worker_id)?;
    let mut granted = false;
    for kind in kinds.iter().filter(|k| !holds.contains(k)) {
        store::insert_qualification(
            conn,
            &QualificationRow {
                id: Uuid::now_v7().to_string(),
                peer_worker_id: peer_worker_id.to_owned(),
                kind: kind.as_str().to_owned(),
                earned_via: EarnedVia::TrainingCohort.as_str().to_owned(),
                training_cohort_id: Some(cohort_id.to_owned()),
                evidence: None,
                earned_on,
                recorded_by: None,
                created_at: now,
            },
        )?;
        granted = true;
    }
    if granted {
        store::touch(conn, peer_worker_id, now)?;
    }
    Ok(())
}

/// What a client writes: a new peer worker, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Jonas Holm",
    "email": "jonas.holm@vejle.dk",
    "phone": "+45 20 30 40 50",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "engagement": "employed",
    "hours_per_week": 20,
    "programme_ids": ["0193a5d4-0000-7000-8000-000000000001"],
    "municipality_codes": ["630", "607"],
    "languages": ["da", "en"],
    "capacity": 5
}))]
pub struct PeerWorkerInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    /// The organisation that employs or hosts the peer worker.
    pub organisation_id: Uuid,
    pub engagement: Engagement,
    /// Required for `employed`, not allowed otherwise.
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<i32>,
    /// Programmes the peer worker works in; each must be one you manage.
    #[serde(default)]
    pub programme_ids: Vec<Uuid>,
    /// Official 3-digit municipality codes.
    #[serde(default)]
    pub municipality_codes: Vec<MunicipalityCodeText>,
    /// ISO 639 language codes, e.g. `da`, `en`, `ar`.
    #[serde(default)]
    pub languages: Vec<LanguageCode>,
    /// The most support courses at once.
    #[schema(minimum = 0, maximum = 100)]
    pub capacity: i32,
    /// A user of role `peer_worker` who is this peer worker (sees its own record).
    pub user_id: Option<Uuid>,
}

/// An official 3-digit municipality code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[schema(value_type = String, pattern = "^[0-9]{3}$", example = "630")]
#[serde(transparent)]
pub struct MunicipalityCodeText(pub String);

/// An ISO 639 language code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[schema(value_type = String, pattern = "^[a-z]{2,3}$", example = "da")]
#[serde(transparent)]
pub struct LanguageCode(pub String);

impl FieldRules for PeerWorkerInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        if let Some(codes) = body.get("municipality_codes").and_then(Value::as_array) {
            for (i, code) in codes.iter().enumerate() {
                if let Some(code) = code.as_str() {
                    errors.check(
                        &format!("municipality_codes.{i}"),
                        MunicipalityCode::parse(code),
                    );
                }
            }
        }
    }
}

/// A JSON merge patch of a peer worker.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 6, "languages": ["da", "en", "de"]}))]
pub struct PeerWorkerPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub engagement: Option<Engagement>,
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<i32>,
    pub programme_ids: Option<Vec<Uuid>>,
    pub municipality_codes: Option<Vec<MunicipalityCodeText>>,
    pub languages: Option<Vec<LanguageCode>>,
    #[schema(minimum = 0, maximum = 100)]
    pub capacity: Option<i32>,
    pub user_id: Option<Uuid>,
}

const WRITABLE: &[&str] = &[
    "name",
    "email",
    "phone",
    "organisation_id",
    "engagement",
    "hours_per_week",
    "programme_ids",
    "municipality_codes",
    "languages",
    "capacity",
    "user_id",
];

/// A move to another status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "active", "reason": "Completed the peer education"}))]
pub struct PeerWorkerTransition {
    pub to: PeerWorkerStatus,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for PeerWorkerTransition {}

/// A qualification recorded by a coordinator, with evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "peer_trainer",
    "evidence": "Trained as peer trainer at Recovery College Vejle, certificate on file",
    "earned_on": "2025-05-20"
}))]
pub struct RecordedQualificationInput {
    pub kind: QualificationKind,
    #[schema(min_length = 1, max_length = 10000)]
    pub evidence: String,
    pub earned_on: NaiveDate,
}

impl FieldRules for RecordedQualificationInput {}

/// Filters of the peer worker list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeerWorkerFilters {
    pub programme_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub status: Option<PeerWorkerStatus>,
    /// Peer workers holding this qualification.
    pub qualification: Option<QualificationKind>,
    /// Peer workers serving this municipality.
    #[param(example = "630")]
    pub municipality_code: Option<String>,
    /// `true`: active peer workers whose last supervision (or, lacking one, the day they
    /// became active) is older than the shortest `supervision_interval_days` of their
    /// programmes (30 without one); `false`: everyone else.
    pub supervision_overdue: Option<bool>,
}

/// Checks an input against the rules and the stored data, listing every bad field. `current`
/// is the stored peer worker when changing one.
fn check(
    conn: &mut DbConnection,
    user: &CurrentUser,
    input: &PeerWorkerInput,
    current: Option<&PeerWorker>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if input.name.trim().is_empty() {
        errors.push("name", "required", "must not be blank");
    }
    check_engagement(input.engagement, input.hours_per_week, &mut errors);
    if current.is_none_or(|c| c.organisation_id != input.organisation_id)
        && !scope::organisation_in_body(conn, user, &input.organisation_id)?
    {
        errors.push("organisation_id", "unknown", "no such organisation");
    }
    for (i, programme) in input.programme_ids.iter().enumerate() {
        if current.is_some_and(|c| c.programme_ids.contains(programme)) {
            continue;
        }
        let field = format!("programme_ids.{i}");
        match scope::programme_access(conn, user, &programme.to_string())? {
            None => errors.push(field, "unknown", "no such programme"),
            Some(Access::Read) => errors.push(
                field,
                "not_allowed",
                "only a coordinator of a partner adds peer workers to a programme",
            ),
            Some(Access::Manage) => {}
        }
    }
    if let Some(user_id) = input.user_id
        && current.is_none_or(|c| c.user_id != Some(user_id))
    {
        match user_store::find(conn, &user_id.to_string())? {
            Some(linked)
                if user.is_admin()
                    || linked.organisation_id == user.organisation_id
                    || linked.organisation_id == input.organisation_id.to_string() =>
            {
                if linked.role != Role::PeerWorker.as_str() {
                    errors.push(
                        "user_id",
                        "invalid_role",
                        "must be a user of role peer_worker",
                    );
                } else if store::find_by_user(conn, &linked.id)?.is_some() {
                    errors.push(
                        "user_id",
                        "taken",
                        "this user is already linked to a peer worker",
                    );
                }
            }
            _ => errors.push("user_id", "unknown", "no such user"),
        }
    }
    Ok(errors.into_result(|| ())?)
}

fn lists(input: &PeerWorkerInput) -> PeerWorkerLists {
    PeerWorkerLists {
        programme_ids: set(input.programme_ids.iter().map(Uuid::to_string).collect()),
        municipality_codes: set(input
            .municipality_codes
            .iter()
            .map(|c| c.0.clone())
            .collect()),
        languages: set(input.languages.iter().map(|l| l.0.clone()).collect()),
    }
}

fn row(
    id: String,
    input: &PeerWorkerInput,
    status: PeerWorkerStatus,
    version: i64,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> PeerWorkerRow {
    PeerWorkerRow {
        id,
        name: input.name.clone(),
        email: input.email.clone(),
        phone: input.phone.clone(),
        organisation_id: input.organisation_id.to_string(),
        engagement: input.engagement.as_str().to_owned(),
        hours_per_week: input.hours_per_week,
        status: status.as_str().to_owned(),
        capacity: input.capacity,
        user_id: input.user_id.map(|u| u.to_string()),
        version,
        created_at,
        updated_at: now,
    }
}

/// How many candidates to examine at a time when filtering by a computed property.
const BATCH: i64 = 200;

/// List peer workers
///
/// The peer workers the user sees (see the scope rules). With `supervision_overdue=true`, the
/// active ones overdue for supervision, each with `last_supervision_on`.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "list_peer_workers",
    security(("bearer" = [])),
    params(PageParams, PeerWorkerFilters),
    responses((status = 200, description = "A page of peer workers", body = Page<PeerWorker>))
)]
#[get("/peer-workers")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<PeerWorkerFilters>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    if let Some(code) = &filters.municipality_code {
        let mut errors = FieldErrors::new();
        errors.check("municipality_code", MunicipalityCode::parse(code));
        errors.into_result(|| ())?;
    }
    let overdue = filters.supervision_overdue;
    let mut status = filters.status.map(|s| s.as_str().to_owned());
    if overdue == Some(true) {
        if status
            .as_deref()
            .is_some_and(|s| s != PeerWorkerStatus::Active.as_str())
        {
            return Ok(HttpResponse::Ok().json(Page::<PeerWorker> {
                items: Vec::new(),
                next_cursor: None,
            }));
        }
        status = Some(PeerWorkerStatus::Active.as_str().to_owned());
    }
    let filter = PeerWorkerFilter {
        scope: scope::peer_worker_scope(&user),
        organisation_id: filters.organisation_id.map(|o| o.to_string()),
        programme_id: filters.programme_id.map(|p| p.to_string()),
        status,
        qualification: filters.qualification.map(|q| q.as_str().to_owned()),
        municipality_code: filters.municipality_code.clone(),
    };
    let today = state.clock.now().date_naive();
    let page = state
        .db
        .read(move |conn| {
            let Some(wanted) = overdue else {
                let rows = store::list(conn, &filter, &request)?;
                let page = Page::from_rows(rows, &request, |r| &r.id, Ok)?;
                return Ok(Page {
                    items: load(conn, page.items, today)?,
                    next_cursor: page.next_cursor,
                });
            };
            // Overdue is computed, not stored: walk the candidates in id order until a page
            // (and one more, to know whether another follows) is found.
            let mut found: Vec<PeerWorker> = Vec::new();
            let mut batch = PageRequest {
                limit: BATCH,
                ..request.clone()
            };
            loop {
                let rows = store::list(conn, &filter, &batch)?;
                let exhausted = i64::try_from(rows.len()).unwrap_or(0) < BATCH;
                batch.after = rows.last().map(|r| r.id.clone());
                for worker in load(conn, rows, today)? {
                    if worker.overdue(today) == wanted {
                        found.push(worker);
                    }
                }
                if exhausted || i64::try_from(found.len()).unwrap_or(0) >= request.limit {
                    break;
                }
            }
            let ids: Vec<String> = found.iter().map(|w| w.id.to_string()).collect();
            let page = Page::from_rows(
                found.into_iter().zip(ids).collect(),
                &request,
                |(_, id)| id,
                |(w, _)| Ok(w),
            )?;
            Ok(page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a peer worker
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "get_peer_worker",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id")),
    responses((status = 200, description = "The peer worker", body = PeerWorker,
        headers(("ETag" = String, description = "The version, for If-Match"))))
)]
#[get("/peer-workers/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let today = state.clock.now().date_naive();
    let worker = state
        .db
        .read(move |conn| {
            let (row, _) = scope::peer_worker(conn, &user, &id)?;
            load_one(conn, row, today)
        })
        .await?;
    Ok(http::ok(&worker))
}

/// Register a peer worker
///
/// Admins and coordinators. The host organisation is the coordinator's own or a partner of one
/// of its programmes; programmes must be ones the coordinator manages. Starts `recruited`.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "create_peer_worker",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = PeerWorkerInput,
    responses((status = 201, description = "Registered", body = PeerWorker,
        headers(("Location" = String, description = "The new peer worker's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/peer-workers")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    body: Json<PeerWorkerInput>,
) -> Result<HttpResponse, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Coordinator) {
        return Err(ApiError::Forbidden(
            "only admins and coordinators register peer workers".to_owned(),
        ));
    }
    let now = state.clock.now_naive();
    let today = state.clock.now().date_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        check(conn, &actor, &input, None)?;
        let row = row(
            Uuid::now_v7().to_string(),
            &input,
            PeerWorkerStatus::Recruited,
            1,
            now,
            now,
        );
        store::insert(conn, &row)?;
        store::set_lists(conn, &row.id, &lists(&input))?;
        workflow::record(
            conn,
            RESOURCE,
            &row.id,
            PeerWorkerStatus::Recruited.as_str(),
            now,
            &actor.id,
            None,
        )?;
        let location = format!("/api/v1/peer-workers/{}", row.id);
        Ok((load_one(conn, row, today)?, location))
    })
    .await
}

/// Change a peer worker
///
/// A JSON merge patch with `If-Match`, by a coordinator who manages the peer worker. The status
/// changes only through transitions; qualifications through their own endpoint.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "update_peer_worker",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The peer worker's id"),
        ("If-Match" = String, Header, description = "The ETag of the version being changed, e.g. \"3\"")
    ),
    request_body(content = PeerWorkerPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "Changed", body = PeerWorker,
        headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/peer-workers/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let now = state.clock.now_naive();
    let today = state.clock.now().date_naive();
    let if_match = http::IfMatch::of(&req);
    let updated = state
        .db
        .write(move |conn| {
            let (current, access) = scope::peer_worker(conn, &user, &id)?;
            access.require_manage("a peer worker")?;
            if_match.check(current.version)?;
            let before = load_one(conn, current.clone(), today)?;
            let input = patch.apply(&before.input(), WRITABLE)?;
            check(conn, &user, &input, Some(&before))?;
            let row = row(
                current.id.clone(),
                &input,
                before.status,
                current.version + 1,
                current.created_at,
                now,
            );
            if !store::update(conn, &row, current.version)? {
                return Err(ApiError::VersionMismatch {
                    current: current.version + 1,
                });
            }
            store::set_lists(conn, &row.id, &lists(&input))?;
            load_one(conn, row, today)
        })
        .await?;
    Ok(http::ok(&updated))
}

/// Move a peer worker to another status
///
/// `recruited → in_training → active ⇄ on_leave`, and `ended` from any other status (final).
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "transition_peer_worker",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id")),
    request_body = PeerWorkerTransition,
    responses(
        (status = 200, description = "Moved", body = PeerWorker,
            headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`invalid_transition`: the current status does not allow this move; `allowed` names the moves that are", body = crate::error::Problem,
            example = json!({"type": "/problems/invalid_transition", "code": "invalid_transition", "title": "Invalid transition", "status": 409,
                "detail": "cannot move from recruited to active; allowed: in_training, ended", "instance": "/api/v1/peer-workers/0193a5d6-0000-7000-8000-000000000001/transitions",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001", "allowed": ["in_training", "ended"]}))
    )
)]
#[post("/peer-workers/{id}/transitions")]
pub async fn transition(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<PeerWorkerTransition>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let now = state.clock.now_naive();
    let today = state.clock.now().date_naive();
    let move_to = body.value;
    let updated = state
        .db
        .write(move |conn| {
            let (current, access) = scope::peer_worker(conn, &user, &id)?;
            access.require_manage("a peer worker")?;
            let from: PeerWorkerStatus = convert::text_enum(&current.status)?;
            workflow::check(from, move_to.to)?;
            let row = PeerWorkerRow {
                status: move_to.to.as_str().to_owned(),
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
            load_one(conn, row, today)
        })
        .await?;
    Ok(http::ok(&updated))
}

/// List a peer worker's qualifications
///
/// At most one of each kind, so always one page.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "list_peer_worker_qualifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id")),
    responses((status = 200, description = "The qualifications", body = Page<Qualification>))
)]
#[get("/peer-workers/{id}/qualifications")]
pub async fn list_qualifications(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let items = state
        .db
        .read(move |conn| {
            let (row, _) = scope::peer_worker(conn, &user, &id)?;
            store::qualifications_of(conn, &[row.id])?
                .into_iter()
                .map(Qualification::from_row)
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Record a qualification
///
/// A coordinator who manages the peer worker records a qualification earned elsewhere, with
/// evidence and date. Holding it already is `409 conflict`; qualifications from training
/// cohorts are granted by completing the cohort.
#[utoipa::path(
    tag = "peer-workers",
    operation_id = "record_peer_worker_qualification",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The peer worker's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body within 24 h returns the first response")),
    request_body = RecordedQualificationInput,
    responses((status = 201, description = "Recorded", body = Qualification,
        headers(("Location" = String, description = "The peer worker's qualifications"), ("ETag" = String, description = "Its version"))))
)]
#[post("/peer-workers/{id}/qualifications")]
pub async fn record_qualification(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<RecordedQualificationInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let now = state.clock.now_naive();
    let today = state.clock.now().date_naive();
    let input = body.value;
    let actor = user.clone();
    idempotency::create(&state, &user, &req, &body.digest, move |conn| {
        let (worker, access) = scope::peer_worker(conn, &actor, &id)?;
        access.require_manage("a peer worker")?;
        let mut errors = FieldErrors::new();
        if input.evidence.trim().is_empty() {
            errors.push("evidence", "required", "must not be blank");
        }
        if input.earned_on > today {
            errors.push("earned_on", "in_future", "must not be in the future");
        }
        errors.into_result(|| ())?;
        if held(conn, &worker.id)?.contains(&input.kind) {
            return Err(ApiError::Conflict(format!(
                "the peer worker already holds {}",
                input.kind.as_str()
            )));
        }
        let row = QualificationRow {
            id: Uuid::now_v7().to_string(),
            peer_worker_id: worker.id.clone(),
            kind: input.kind.as_str().to_owned(),
            earned_via: EarnedVia::Recorded.as_str().to_owned(),
            training_cohort_id: None,
            evidence: Some(input.evidence),
            earned_on: input.earned_on,
            recorded_by: Some(actor.id.clone()),
            created_at: now,
        };
        store::insert_qualification(conn, &row)?;
        store::touch(conn, &worker.id, now)?;
        let location = format!("/api/v1/peer-workers/{}/qualifications", worker.id);
        Ok((Qualification::from_row(row)?, location))
    })
    .await
}
