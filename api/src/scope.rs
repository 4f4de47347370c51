//! Who sees and manages what, in one place; every read of a programme, peer worker, training
//! cohort or supervision session goes through here.
//!
//! - **Admins** see and manage everything.
//! - **Programmes**: a user sees a programme when its organisation is a partner (the lead is
//!   always a partner); a coordinator of a partner manages it; other roles read it.
//! - **Peer workers**: a user sees a peer worker hosted by its organisation or working in a
//!   programme its organisation is a partner of; a coordinator of such an organisation manages
//!   it. A user of role `peer_worker` sees only its own record, read-only.
//! - **Training cohorts**: as their programme.
//! - **Supervision sessions**: a user sees a session it supervised, or one attended or
//!   supervised by a peer worker it sees; a coordinator who manages an attending peer worker
//!   manages the session.
//!
//! Anything outside this scope does not exist for the user: `404`, never listed.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::peer_worker::{self as peer_store, PeerWorkerRow, PeerWorkerScope};
use brobygger_persistence::programme::{self as programme_store, ProgrammeRow};
use brobygger_persistence::supervision::{self as supervision_store, SupervisionSessionRow};
use brobygger_persistence::training_cohort::{self as cohort_store, TrainingCohortRow};
use brobygger_persistence::{PageRequest, organisation};
use uuid::Uuid;

/// What a user may do with a resource it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Manage,
}

impl Access {
    /// `403` unless the user manages the resource.
    pub fn require_manage(self, what: &str) -> Result<(), ApiError> {
        match self {
            Self::Manage => Ok(()),
            Self::Read => Err(ApiError::Forbidden(format!(
                "only a coordinator of a partner organisation manages {what}"
            ))),
        }
    }
}

fn access_of(user: &CurrentUser) -> Access {
    match user.role {
        Role::Admin | Role::Coordinator => Access::Manage,
        _ => Access::Read,
    }
}

/// The organisation whose partnerships limit what `user` sees; `None` for admins.
pub fn partner_organisation(user: &CurrentUser) -> Option<String> {
    (!user.is_admin()).then(|| user.organisation_id.clone())
}

/// The user's access to programme `id`, if it sees it.
pub fn programme_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<Option<Access>, ApiError> {
    if user.is_admin() {
        return Ok(Some(Access::Manage));
    }
    Ok(programme_store::partner_role(conn, id, &user.organisation_id)?.map(|_| access_of(user)))
}

/// Programme `id` if `user` sees it, else `404`.
pub fn programme(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(ProgrammeRow, Access), ApiError> {
    let id = id.to_string();
    let access = programme_access(conn, user, &id)?.ok_or(ApiError::NotFound)?;
    let row = programme_store::find(conn, &id)?.ok_or(ApiError::NotFound)?;
    Ok((row, access))
}

/// Which peer workers `user` may list.
pub fn peer_worker_scope(user: &CurrentUser) -> PeerWorkerScope {
    match user.role {
        Role::Admin => PeerWorkerScope::All,
        Role::PeerWorker => PeerWorkerScope::User(user.id.clone()),
        _ => PeerWorkerScope::Organisation(user.organisation_id.clone()),
    }
}

/// The user's access to a stored peer worker, if it sees it.
pub fn peer_worker_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    row: &PeerWorkerRow,
) -> Result<Option<Access>, ApiError> {
    match user.role {
        Role::Admin => return Ok(Some(Access::Manage)),
        Role::PeerWorker => {
            return Ok((row.user_id.as_deref() == Some(user.id.as_str())).then_some(Access::Read));
        }
        _ => {}
    }
    if row.organisation_id == user.organisation_id {
        return Ok(Some(access_of(user)));
    }
    let partner_of = programme_store::programme_ids_of_partner(conn, &user.organisation_id)?;
    let (programmes, _, _) = peer_store::lists_of(conn, std::slice::from_ref(&row.id))?;
    let sees = programmes.iter().any(|(_, p)| partner_of.contains(p));
    Ok(sees.then(|| access_of(user)))
}

/// Peer worker `id` if `user` sees it, else `404`.
pub fn peer_worker(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<(PeerWorkerRow, Access), ApiError> {
    let row = peer_store::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let access = peer_worker_access(conn, user, &row)?.ok_or(ApiError::NotFound)?;
    Ok((row, access))
}

/// Peer worker `id` named in a body: `None` when the user does not see it (the caller reports
/// it as an unknown field, revealing nothing).
pub fn peer_worker_in_body(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<Option<(PeerWorkerRow, Access)>, ApiError> {
    match peer_worker(conn, user, &id.to_string()) {
        Ok(found) => Ok(Some(found)),
        Err(ApiError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The ids of every peer worker `user` sees; `None` for admins (all of them).
pub fn visible_peer_worker_ids(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<Option<Vec<String>>, ApiError> {
    if user.is_admin() {
        return Ok(None);
    }
    let filter = peer_store::PeerWorkerFilter {
        scope: peer_worker_scope(user),
        ..Default::default()
    };
    let everything = PageRequest {
        after: None,
        limit: i64::MAX,
        updated_since: None,
    };
    Ok(Some(
        peer_store::list(conn, &filter, &everything)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
    ))
}

/// Training cohort `id` if `user` sees its programme, else `404`.
pub fn training_cohort(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(TrainingCohortRow, Access), ApiError> {
    let row = cohort_store::find(conn, &id.to_string())?.ok_or(ApiError::NotFound)?;
    let access = programme_access(conn, user, &row.programme_id)?.ok_or(ApiError::NotFound)?;
    Ok((row, access))
}

/// Supervision session `id` if `user` sees it, else `404`.
pub fn supervision_session(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(SupervisionSessionRow, Access), ApiError> {
    let row = supervision_store::find(conn, &id.to_string())?.ok_or(ApiError::NotFound)?;
    if user.is_admin() {
        return Ok((row, Access::Manage));
    }
    let mut access = None;
    if row.supervisor_user_id.as_deref() == Some(user.id.as_str()) {
        access = Some(Access::Read);
    }
    let attendees = supervision_store::attendees_of(conn, std::slice::from_ref(&row.id))?;
    let people = attendees
        .iter()
        .map(|(_, p)| p.as_str())
        .chain(row.supervisor_peer_worker_id.as_deref());
    for peer in people.collect::<Vec<_>>() {
        let Some(found) = peer_store::find(conn, peer)? else {
            continue;
        };
        match peer_worker_access(conn, user, &found)? {
            Some(Access::Manage) => {
                access = Some(Access::Manage);
                break;
            }
            Some(Access::Read) => access = access.or(Some(Access::Read)),
            None => {}
        }
    }
    access.map(|a| (row, a)).ok_or(ApiError::NotFound)
}

/// Whether an organisation named in a body is one `user` may name: admins any that exists;
/// others their own or a partner of one of their organisation's programmes.
pub fn organisation_in_body(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<bool, ApiError> {
    let id = id.to_string();
    if organisation::find(conn, &id)?.is_none() {
        return Ok(false);
    }
    if user.is_admin() || id == user.organisation_id {
        return Ok(true);
    }
    for programme in programme_store::programme_ids_of_partner(conn, &user.organisation_id)? {
        if programme_store::partner_organisation_ids(conn, &programme)?.contains(&id) {
            return Ok(true);
        }
    }
    Ok(false)
}
