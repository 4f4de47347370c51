//! Auditing reads and writes of citizen data, and `GET /audit-events` (admins).

use crate::auth::CurrentUser;
use crate::clock::{Clock, to_utc};
use crate::convert::uuid;
use crate::error::ApiError;
use crate::http::{Page, PageParams};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use brobygger_domain::FieldErrors;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::audit::{self as store, AuditFilter, AuditRow};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Who is acting, from which request, and when: recorded with every access to citizen data,
/// in the same transaction as the access itself.
#[derive(Debug, Clone)]
pub struct Auditor {
    user_id: String,
    role: Role,
    organisation_id: String,
    request_id: String,
    at: NaiveDateTime,
}

impl Auditor {
    /// Built in the handler (where the request id is known), then moved to the database thread.
    pub fn new(user: &CurrentUser, clock: &Clock) -> Self {
        Self {
            user_id: user.id.clone(),
            role: user.role,
            organisation_id: user.organisation_id.clone(),
            request_id: crate::request_context::current().request_id,
            at: clock.now_naive(),
        }
    }

    fn row(
        &self,
        action: &str,
        resource_type: &str,
        resource_id: Option<&str>,
        citizen_id: Option<&str>,
    ) -> AuditRow {
        AuditRow {
            id: Uuid::now_v7().to_string(),
            at: self.at,
            user_id: self.user_id.clone(),
            role: self.role.as_str().to_owned(),
            organisation_id: self.organisation_id.clone(),
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.map(str::to_owned),
            citizen_id: citizen_id.map(str::to_owned),
            request_id: self.request_id.clone(),
        }
    }

    /// Records one access.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        action: &str,
        resource_type: &str,
        resource_id: Option<&str>,
        citizen_id: Option<&str>,
    ) -> Result<(), ApiError> {
        Ok(store::append(
            conn,
            &[self.row(action, resource_type, resource_id, citizen_id)],
        )?)
    }

    /// Records one access per `(resource id, citizen id)`, in one statement.
    pub fn record_each<'a>(
        &self,
        conn: &mut DbConnection,
        action: &str,
        resource_type: &str,
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), ApiError> {
        let rows: Vec<_> = items
            .into_iter()
            .map(|(resource, citizen)| {
                self.row(action, resource_type, Some(resource), Some(citizen))
            })
            .collect();
        Ok(store::append(conn, &rows)?)
    }
}

/// One recorded access to citizen data.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5d4-0000-7000-8000-000000000001",
    "at": "2026-11-22T10:00:00Z",
    "user_id": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "role": "coordinator",
    "organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "action": "read",
    "resource_type": "citizen",
    "resource_id": "0193a5d5-0000-7000-8000-000000000002",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "request_id": "0193a5d4-0000-7000-8000-0000000000ff"
}))]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The user; absent for the system's own jobs (retention).
    pub user_id: Option<Uuid>,
    /// The user's role, or `system` for the system's own jobs.
    pub role: String,
    pub organisation_id: Uuid,
    /// `read`, `list`, `create`, `update`, `lookup`, `export`, `anonymise`, `withdraw`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub citizen_id: Option<Uuid>,
    pub request_id: String,
}

impl AuditEvent {
    pub fn from_row(row: AuditRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: uuid(&row.id)?,
            at: to_utc(row.at),
            user_id: (row.user_id != crate::retention::SYSTEM)
                .then(|| uuid(&row.user_id))
                .transpose()?,
            role: row.role,
            organisation_id: uuid(&row.organisation_id)?,
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id.as_deref().map(uuid).transpose()?,
            citizen_id: row.citizen_id.as_deref().map(uuid).transpose()?,
            request_id: row.request_id,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    pub citizen_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// Events at or after this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-01T00:00:00Z")]
    pub from: Option<String>,
    /// Events before this instant.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub to: Option<String>,
}

fn instant(field: &str, value: Option<&str>, errors: &mut FieldErrors) -> Option<NaiveDateTime> {
    let value = value?;
    let parsed = DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|at| at.with_timezone(&Utc).naive_utc());
    if parsed.is_none() {
        errors.push(field, "invalid_format", "must be an RFC 3339 instant");
    }
    parsed
}

/// List audit events
///
/// The append-only record of every read and write of citizen data: who, in which role and
/// organisation, did what to which resource of which citizen, when, in which request. Admins
/// only. `updated_since` filters by the event's time (events never change).
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    security(("bearer" = [])),
    params(PageParams, AuditFilters),
    responses((status = 200, description = "A page of audit events, oldest first", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: web::Query<PageParams>,
    filters: web::Query<AuditFilters>,
) -> Result<HttpResponse, ApiError> {
    if !user.is_admin() {
        return Err(ApiError::Forbidden(
            "only an admin reads the audit log".to_owned(),
        ));
    }
    let request = page.request()?;
    let mut errors = FieldErrors::new();
    let from = instant("from", filters.from.as_deref(), &mut errors);
    let to = instant("to", filters.to.as_deref(), &mut errors);
    errors.into_result(|| ())?;
    let filter = AuditFilter {
        citizen_id: filters.citizen_id.map(|c| c.to_string()),
        user_id: filters.user_id.map(|u| u.to_string()),
        from: from.max(request.updated_since),
        to,
        after: request.after.clone(),
        limit: request.limit,
    };
    let rows = state
        .db
        .read(move |conn| Ok(store::list(conn, &filter)?))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        &request,
        |r| &r.id,
        AuditEvent::from_row,
    )?))
}
