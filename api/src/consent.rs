//! `/citizens/{id}/consents`: the citizen's permissions, per purpose. Withdrawal is a new
//! fact, never a delete.

use crate::audit::Auditor;
use crate::auth::CurrentUser;
use crate::body::{FieldRules, Json};
use crate::citizen::visible;
use crate::clock::to_utc;
use crate::convert::{self, uuid};
use crate::error::ApiError;
use crate::http::{self, Page, Versioned};
use crate::idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::{ConsentMethod, ConsentPeriod, ConsentPurpose};
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::consent::{self as store, ConsentRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A consent the citizen gave.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d6-0000-7000-8000-000000000003",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "purpose": "share_with_jobcentre",
    "given_on": "2026-11-01",
    "method": "written",
    "expires_on": "2027-11-01",
    "withdrawn_on": null,
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "withdrawn_by": null,
    "active": true,
    "version": 1,
    "created_at": "2026-11-22T10:00:00Z",
    "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct Consent {
    pub id: Uuid,
    pub citizen_id: Uuid,
    pub purpose: ConsentPurpose,
    pub given_on: NaiveDate,
    pub method: ConsentMethod,
    /// The first day the consent no longer holds, if it expires.
    pub expires_on: Option<NaiveDate>,
    /// The first day the consent no longer holds because it was withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
    /// The user who recorded the consent.
    pub recorded_by: Uuid,
    pub withdrawn_by: Option<Uuid>,
    /// Whether the consent is active today.
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Consent {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Consent {
    pub fn from_row(row: ConsentRow, today: NaiveDate) -> Result<Self, ApiError> {
        let period = ConsentPeriod {
            given_on: row.given_on,
            expires_on: row.expires_on,
            withdrawn_on: row.withdrawn_on,
        };
        Ok(Self {
            id: uuid(&row.id)?,
            citizen_id: uuid(&row.citizen_id)?,
            purpose: convert::text_enum(&row.purpose)?,
            method: convert::text_enum(&row.method)?,
            given_on: row.given_on,
            expires_on: row.expires_on,
            withdrawn_on: row.withdrawn_on,
            recorded_by: uuid(&row.recorded_by)?,
            withdrawn_by: row.withdrawn_by.as_deref().map(uuid).transpose()?,
            active: period.active_on(today),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        })
    }
}

/// A consent to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"purpose": "share_with_jobcentre", "given_on": "2026-11-01", "method": "written", "expires_on": "2027-11-01"}))]
pub struct ConsentInput {
    pub purpose: ConsentPurpose,
    pub given_on: NaiveDate,
    pub method: ConsentMethod,
    /// The first day it no longer holds; after `given_on`.
    pub expires_on: Option<NaiveDate>,
}

impl FieldRules for ConsentInput {}

/// A withdrawal: the first day the consent no longer holds (default today).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"withdrawn_on": "2026-11-22"}))]
pub struct ConsentWithdrawal {
    pub withdrawn_on: Option<NaiveDate>,
}

impl FieldRules for ConsentWithdrawal {}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsentFilters {
    /// Only the consents active on this day (which purposes the citizen has consented to then).
    #[param(example = "2026-11-22")]
    pub active_on: Option<NaiveDate>,
    pub purpose: Option<ConsentPurpose>,
}

/// List a citizen's consents
///
/// Every consent, withdrawn and expired ones included, oldest first; with `active_on`, the
/// consents active that day. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "list_consents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The citizen's id"), ConsentFilters),
    responses((status = 200, description = "The consents", body = Page<Consent>))
)]
#[get("/citizens/{id}/consents")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<Uuid>,
    filters: web::Query<ConsentFilters>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let auditor = Auditor::new(&user, &state.clock);
    let rows = state
        .db
        .write(move |conn| {
            let citizen = visible(conn, &user, &id)?;
            let rows = store::of_citizen(conn, &citizen.id)?;
            auditor.record(conn, "list", "consent", None, Some(&citizen.id))?;
            Ok(rows)
        })
        .await?;
    let today = state.clock.now().date_naive();
    let items = rows
        .into_iter()
        .filter(|row| filters.purpose.is_none_or(|p| p.as_str() == row.purpose))
        .filter(|row| {
            filters.active_on.is_none_or(|day| {
                ConsentPeriod {
                    given_on: row.given_on,
                    expires_on: row.expires_on,
                    withdrawn_on: row.withdrawn_on,
                }
                .active_on(day)
            })
        })
        .map(|row| Consent::from_row(row, today))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Record a consent
///
/// Audited. `given_on` may not lie in the future; `expires_on` must come after it.
#[utoipa::path(
    tag = "citizens",
    operation_id = "create_consent",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = ConsentInput,
    responses((status = 201, description = "Recorded", body = Consent,
        headers(("Location" = String, description = "The consent's URL"), ("ETag" = String, description = "Its version"))))
)]
#[post("/citizens/{id}/consents")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<ConsentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.value;
    let today = state.clock.now().date_naive();
    let mut errors = FieldErrors::new();
    if input.given_on > today {
        errors.push(
            "given_on",
            "in_future",
            "a consent cannot be given in the future",
        );
    }
    if input.expires_on.is_some_and(|e| e <= input.given_on) {
        errors.push("expires_on", "before_start", "must come after given_on");
    }
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let recorder = user.clone();
    let check = move |conn: &mut brobygger_persistence::DbConnection| -> Result<_, ApiError> {
        let citizen = visible(conn, &recorder, &id)?;
        errors.into_result(|| ())?;
        if citizen.anonymised_at.is_some() {
            return Err(ApiError::Conflict("the citizen is anonymised".to_owned()));
        }
        let row = ConsentRow {
            id: Uuid::now_v7().to_string(),
            citizen_id: citizen.id.clone(),
            purpose: input.purpose.as_str().to_owned(),
            given_on: input.given_on,
            method: input.method.as_str().to_owned(),
            expires_on: input.expires_on,
            recorded_by: recorder.id.clone(),
            withdrawn_on: None,
            withdrawn_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, &row)?;
        auditor.record(conn, "create", "consent", Some(&row.id), Some(&citizen.id))?;
        let location = format!("/api/v1/citizens/{}/consents/{}", citizen.id, row.id);
        Ok((Consent::from_row(row, today)?, location))
    };
    idempotency::create(&state, &user, &req, &body.digest, check).await
}

/// Withdraw a consent
///
/// Records the withdrawal as a new fact; the consent stays on record. Audited.
#[utoipa::path(
    tag = "citizens",
    operation_id = "withdraw_consent",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The citizen's id"),
        ("cid" = Uuid, Path, description = "The consent's id")
    ),
    request_body = ConsentWithdrawal,
    responses((status = 200, description = "Withdrawn", body = Consent))
)]
#[post("/citizens/{id}/consents/{cid}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ConsentWithdrawal>,
) -> Result<HttpResponse, ApiError> {
    let (id, consent_id) = path.into_inner();
    let today = state.clock.now().date_naive();
    let withdrawn_on = body.value.withdrawn_on.unwrap_or(today);
    let now = state.clock.now_naive();
    let auditor = Auditor::new(&user, &state.clock);
    let row = state
        .db
        .write(move |conn| {
            let citizen = visible(conn, &user, &id)?;
            let current = store::find(conn, &citizen.id, &consent_id.to_string())?
                .ok_or(ApiError::NotFound)?;
            if current.withdrawn_on.is_some() {
                return Err(ApiError::Conflict(
                    "the consent is already withdrawn".to_owned(),
                ));
            }
            if withdrawn_on < current.given_on {
                return Err(ApiError::field(
                    "withdrawn_on",
                    "before_start",
                    "cannot come before given_on",
                ));
            }
            let row = ConsentRow {
                withdrawn_on: Some(withdrawn_on),
                withdrawn_by: Some(user.id.clone()),
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
                "withdraw",
                "consent",
                Some(&row.id),
                Some(&citizen.id),
            )?;
            Ok(row)
        })
        .await?;
    Ok(http::ok(&Consent::from_row(row, today)?))
}
