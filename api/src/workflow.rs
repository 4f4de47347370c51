//! Status history shared by every workflow (programmes, peer workers; later support courses,
//! referrals, courses): recording a move and showing the history on the resource.

use crate::clock::to_utc;
use crate::error::ApiError;
use brobygger_domain::workflow::Workflow;
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::{StatusChangeId, UserId};
use brobygger_persistence::status_history::{self as store, StatusHistoryRow};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One change of status: to what, when, by whom and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "status": "pilot",
    "at": "2026-11-22T10:00:00Z",
    "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "reason": "The first municipalities are ready"
}))]
pub struct StatusChange {
    pub status: String,
    pub at: DateTime<Utc>,
    /// The user who made the change.
    pub by: Option<Uuid>,
    pub reason: Option<String>,
}

impl StatusChange {
    pub fn from_row(row: StatusHistoryRow) -> Self {
        Self {
            by: row.by_user_id.map(Uuid::from),
            status: row.status,
            at: to_utc(row.at),
            reason: row.reason,
        }
    }
}

/// Keeps one status change in the history.
pub fn record(
    conn: &mut DbConnection,
    resource_type: &str,
    resource_id: &dyn std::fmt::Display,
    status: &str,
    at: NaiveDateTime,
    by: UserId,
    reason: Option<String>,
) -> Result<(), ApiError> {
    store::insert(
        conn,
        &StatusHistoryRow {
            id: StatusChangeId::new(),
            resource_type: resource_type.to_owned(),
            resource_id: resource_id.to_string(),
            status: status.to_owned(),
            at,
            by_user_id: Some(by),
            reason,
        },
    )?;
    Ok(())
}

/// The histories of several resources of one type, each oldest first, by resource id.
pub fn histories<Id>(
    conn: &mut DbConnection,
    resource_type: &str,
    ids: &[Id],
) -> Result<std::collections::HashMap<Id, Vec<StatusChange>>, ApiError>
where
    Id: std::fmt::Display + std::str::FromStr + Eq + std::hash::Hash,
{
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut map: std::collections::HashMap<Id, Vec<StatusChange>> = Default::default();
    for row in store::of_many(conn, resource_type, &texts)? {
        let id = row.resource_id.parse::<Id>().map_err(|_| {
            ApiError::internal(format!("stored resource id {:?} unknown", row.resource_id))
        })?;
        map.entry(id).or_default().push(StatusChange::from_row(row));
    }
    Ok(map)
}

/// `409 invalid_transition` naming the allowed moves, unless `from → to` is allowed.
pub fn check<S: Workflow>(from: S, to: S) -> Result<(), ApiError> {
    from.check_move(to)
        .map_err(|allowed| ApiError::InvalidTransition {
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
            allowed: allowed.into_iter().map(str::to_owned).collect(),
        })
}
