//! Who is acting: the signed-in user, the request it came in, and the instant it happened —
//! what every service takes, and what the audit log records with every access to citizen data:
//! a write's in the same transaction as the write itself; an audited read's collected while it
//! runs and committed together with those of concurrent reads before it answers (see
//! [`Actor::audited_read`]).

use crate::auth::CurrentUser;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use brobygger_persistence::DbConnection;
use brobygger_persistence::audit::{self as store, AuditRow};
use brobygger_persistence::ids::{AuditEventId, CitizenId, OrganisationId};
use chrono::{NaiveDate, NaiveDateTime};
use futures_util::future::LocalBoxFuture;
use std::fmt::Display;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

/// The audit log's name for the system's own jobs (retention), in place of a user and role.
pub const SYSTEM: &str = "system";

/// Who is acting, from which request, and when.
#[derive(Debug, Clone)]
pub struct Auditor {
    user_id: String,
    role: String,
    organisation_id: OrganisationId,
    request_id: String,
    at: NaiveDateTime,
    /// Where the records go instead of the connection, for an audited read (see
    /// [`Auditor::collecting`]).
    collected: Option<Collected>,
}

/// The records an audited read made, to be committed before it answers.
#[derive(Debug, Clone, Default)]
pub struct Collected(Arc<Mutex<Vec<AuditRow>>>);

impl Collected {
    /// The records collected so far, leaving none.
    pub fn take(&self) -> Vec<AuditRow> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<AuditRow>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Auditor {
    pub fn new(user: &CurrentUser, request_id: String, at: NaiveDateTime) -> Self {
        Self {
            user_id: user.id.to_string(),
            role: user.role.as_str().to_owned(),
            organisation_id: user.organisation_id,
            request_id,
            at,
            collected: None,
        }
    }

    /// The system's own job acting on data of `organisation_id`.
    pub fn system(organisation_id: OrganisationId, job: &str, at: NaiveDateTime) -> Self {
        Self {
            user_id: SYSTEM.to_owned(),
            role: SYSTEM.to_owned(),
            organisation_id,
            request_id: format!("{job}-{}", at.format("%Y-%m-%d")),
            at,
            collected: None,
        }
    }

    /// This auditor, collecting its records in memory instead of inserting them: the caller
    /// commits them (an audited read hands them to the group commit).
    pub fn collecting(&self) -> (Self, Collected) {
        let collected = Collected::default();
        let auditor = Self {
            collected: Some(collected.clone()),
            ..self.clone()
        };
        (auditor, collected)
    }

    /// Stores `rows` on `conn`, or collects them.
    fn store(&self, conn: &mut DbConnection, rows: Vec<AuditRow>) -> Result<(), ApiError> {
        match &self.collected {
            Some(collected) => {
                collected.lock().extend(rows);
                Ok(())
            }
            None => Ok(store::append(conn, &rows)?),
        }
    }

    fn row(
        &self,
        action: &str,
        resource_type: &str,
        resource_id: Option<&dyn Display>,
        citizen_id: Option<&CitizenId>,
    ) -> AuditRow {
        AuditRow {
            id: AuditEventId::new(),
            at: self.at,
            user_id: self.user_id.clone(),
            role: self.role.clone(),
            organisation_id: self.organisation_id,
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.map(ToString::to_string),
            citizen_id: citizen_id.copied(),
            request_id: self.request_id.clone(),
            detail: None,
        }
    }

    /// Records one access.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        action: &str,
        resource_type: &str,
        resource_id: Option<&dyn Display>,
        citizen_id: Option<&CitizenId>,
    ) -> Result<(), ApiError> {
        let row = self.row(action, resource_type, resource_id, citizen_id);
        self.store(conn, vec![row])
    }

    /// Records one action with what it did beyond its resource (`detail`).
    pub fn record_detail(
        &self,
        conn: &mut DbConnection,
        action: &str,
        resource_type: &str,
        detail: String,
    ) -> Result<(), ApiError> {
        let row = AuditRow {
            detail: Some(detail),
            ..self.row(action, resource_type, None, None)
        };
        self.store(conn, vec![row])
    }

    /// Records one access per `(resource id, citizen id)`, in one statement.
    pub fn record_each<'a>(
        &self,
        conn: &mut DbConnection,
        action: &str,
        resource_type: &str,
        items: impl IntoIterator<Item = (&'a dyn Display, &'a CitizenId)>,
    ) -> Result<(), ApiError> {
        let rows: Vec<_> = items
            .into_iter()
            .map(|(resource, citizen)| {
                self.row(action, resource_type, Some(resource), Some(citizen))
            })
            .collect();
        self.store(conn, rows)
    }
}

/// The signed-in user acting in one request: what every service takes. Extracted like
/// [`CurrentUser`] (a handler with an `Actor` argument needs a valid token).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: CurrentUser,
    pub audit: Auditor,
    /// The request's instant, the same for everything it stores.
    pub now: NaiveDateTime,
    pub today: NaiveDate,
}

impl Actor {
    /// This actor, its auditor collecting (see [`Auditor::collecting`]).
    pub fn collecting(&self) -> (Self, Collected) {
        let (audit, collected) = self.audit.collecting();
        (
            Self {
                audit,
                ..self.clone()
            },
            collected,
        )
    }

    /// Runs `work`, a read of citizen data that records its access through the actor's auditor, on a
    /// pooled connection without a transaction, with an auditor that collects its records
    /// instead of inserting them; then commits them with those of concurrent reads (one
    /// transaction for all) and returns `work`'s value only once they are durable. `503` if
    /// they could not be stored: nothing is answered whose access is not on record. A read
    /// that fails (`404`, `403`) records nothing.
    pub async fn audited_read<T, F>(self, state: &AppState, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &Actor) -> Result<T, ApiError> + Send + 'static,
    {
        let (actor, collected) = self.collecting();
        let value = state.db.read(move |conn| work(conn, &actor)).await?;
        let rows = collected.take();
        if !rows.is_empty() {
            state.audit_commits.commit(&state.db, rows).await?;
        }
        Ok(value)
    }

    pub fn new(user: CurrentUser, clock: &Clock) -> Self {
        let at = clock.now();
        let now = at.naive_utc();
        let request_id = crate::request_context::current().request_id;
        Self {
            audit: Auditor::new(&user, request_id, now),
            user,
            now,
            today: at.date_naive(),
        }
    }
}

impl Deref for Actor {
    type Target = CurrentUser;

    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = CurrentUser::from_request(req, payload);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let user = user.await?;
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            Ok(Actor::new(user, &state.clock))
        })
    }
}
