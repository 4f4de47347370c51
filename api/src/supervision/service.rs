//! The use cases of supervision sessions: who supervised which peer workers, when.

use super::dto::{SupervisionFilters, SupervisionInput, SupervisionSession, WRITABLE};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::convert::{self, set};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use brobygger_domain::FieldErrors;
use brobygger_domain::supervision::Supervisor;
use brobygger_persistence::ids::{PeerWorkerId, SupervisionSessionId, UserId};
use brobygger_persistence::supervision::{self as store, SupervisionFilter, SupervisionSessionRow};
use brobygger_persistence::{DbConnection, PageRequest, user as user_store};
use uuid::Uuid;

/// The sessions of `rows` with their attendees, in one query.
fn load(
    conn: &mut DbConnection,
    rows: Vec<SupervisionSessionRow>,
) -> Result<Vec<SupervisionSession>, ApiError> {
    let ids: Vec<SupervisionSessionId> = rows.iter().map(|r| r.id).collect();
    let attendees = store::attendees_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let peers: Vec<PeerWorkerId> =
                convert::values_of(&attendees, &row.id).copied().collect();
            SupervisionSession::from_row(row, &peers)
        })
        .collect())
}

fn load_one(
    conn: &mut DbConnection,
    row: SupervisionSessionRow,
) -> Result<SupervisionSession, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("session vanished"))
}

/// Checks a session: the supervisor and attendees are ones the actor sees, and it manages at
/// least one attendee. Returns the attendees' ids.
fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &SupervisionInput,
) -> Result<Vec<PeerWorkerId>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut manages = false;
    let peers = set(input.peer_worker_ids.clone());
    for (i, peer) in input.peer_worker_ids.iter().enumerate() {
        match access::peer_worker_in_body(conn, actor, peer)? {
            None => errors.push(
                format!("peer_worker_ids.{i}"),
                "unknown",
                "no such peer worker",
            ),
            Some((_, access)) => manages |= access == Access::Manage,
        }
    }
    if !input.format.allows_attendees(peers.len()) {
        errors.push(
            "peer_worker_ids",
            "invalid_length",
            "individual supervision has one peer worker",
        );
    }
    let supervisor =
        Supervisor::from_fields(input.supervisor_user_id, input.supervisor_peer_worker_id);
    match supervisor {
        Some(Supervisor::User(supervisor)) => {
            let visible = user_store::find(conn, supervisor.into())?
                .is_some_and(|found| access::supervisor_in_body(actor, &found));
            if !visible {
                errors.push("supervisor_user_id", "unknown", "no such user");
            }
        }
        Some(Supervisor::PeerWorker(peer)) if Supervisor::PeerWorker(peer).attends(&peers) => {
            errors.push(
                "supervisor_peer_worker_id",
                "not_allowed",
                "a supervisor does not attend its own session",
            );
        }
        Some(Supervisor::PeerWorker(supervisor)) => {
            if access::peer_worker_in_body(conn, actor, &supervisor)?.is_none() {
                errors.push(
                    "supervisor_peer_worker_id",
                    "unknown",
                    "no such peer worker",
                );
            }
        }
        None => {
            for field in ["supervisor_user_id", "supervisor_peer_worker_id"] {
                errors.push(field, "one_of", "name exactly one supervisor");
            }
        }
    }
    errors.into_result(|| ())?;
    access::record_supervision(actor, manages)?;
    Ok(peers.into_iter().map(PeerWorkerId::from).collect())
}

/// The sessions the actor sees.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &SupervisionFilters,
    page: &PageRequest,
) -> Result<Page<SupervisionSession>, ApiError> {
    let filter = SupervisionFilter {
        scope: access::supervision_scope(actor),
        peer_worker_id: filters.peer_worker_id.map(PeerWorkerId::from),
        date_from: filters.date_from,
        date_to: filters.date_to,
    };
    let rows = store::list(conn, &filter, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: load(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<SupervisionSession, ApiError> {
    let (row, _) = access::supervision_session(conn, actor, id)?;
    load_one(conn, row)
}

/// Records a session, by a coordinator who manages at least one attending peer worker (or an
/// admin).
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: SupervisionInput,
) -> Result<(SupervisionSession, String), ApiError> {
    access::manage_workforce(actor, "only admins and coordinators record supervision")?;
    let peers = check(conn, actor, &input)?;
    let row = SupervisionSessionRow {
        id: SupervisionSessionId::new(),
        date: input.date,
        supervisor_user_id: input.supervisor_user_id.map(UserId::from),
        supervisor_peer_worker_id: input.supervisor_peer_worker_id.map(PeerWorkerId::from),
        format: input.format,
        topic: input.topic,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row, &peers)?;
    let location = format!("/api/v1/supervision-sessions/{}", row.id);
    Ok((load_one(conn, row)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<SupervisionSession, ApiError> {
    let (current, access) = access::supervision_session(conn, actor, id)?;
    access.require_manage("a supervision session")?;
    if_match.check(current.version)?;
    let before = load_one(conn, current.clone())?;
    let input = patch.apply(&before.input(), WRITABLE)?;
    let peers = check(conn, actor, &input)?;
    let version = current.version;
    let row = SupervisionSessionRow {
        date: input.date,
        format: input.format,
        topic: input.topic,
        version: version + 1,
        updated_at: actor.now,
        ..current
    };
    http::stored(store::update(conn, &row, version)?, version)?;
    store::set_attendees(conn, row.id, &peers)?;
    load_one(conn, row)
}
