//! Programmes, the peer workforce, peer education and supervision; who leads a new programme and the people a body may name.

use super::level::{Access, by_role, require_role, sees_workforce};
use super::organisation::organisation_scope;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::programme::PartnerRole;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::{
    InvitationId, OrganisationId, PeerWorkerId, ProgrammeId, SupervisionSessionId,
    TrainingCohortId, UserId,
};
use brobygger_persistence::partner_invitation::{self as invitation_store, InvitationRow};
use brobygger_persistence::peer_worker::{self as peer_store, PeerWorkerRow, PeerWorkerScope};
use brobygger_persistence::programme::{self as programme_store, ProgrammeRow, ProgrammeView};
use brobygger_persistence::supervision::{self as supervision_store, SupervisionSessionRow};
use brobygger_persistence::training_cohort::{self as cohort_store, TrainingCohortRow};
use brobygger_persistence::user::{self as user_store, UserRow};
use uuid::Uuid;
// --- Programmes, the workforce, peer education, supervision -------------------------------------

/// What `user` may do with a programme in which its organisation holds `partner_role`
/// (`None`: no partner): admins manage every programme, professionals see none, others see
/// their partners' programmes, coordinators managing them. Decides on what one query found.
pub fn programme_access_of(user: &CurrentUser, partner_role: Option<PartnerRole>) -> Access {
    match (user.role, partner_role) {
        (Role::Admin, _) => Access::Manage,
        (Role::Professional, _) | (_, None) => Access::None,
        (_, Some(_)) => by_role(user),
    }
}

/// The user's access to programme `id`.
pub fn programme_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: ProgrammeId,
) -> Result<Access, ApiError> {
    if user.is_admin() {
        let exists = programme_store::find(conn, id)?.is_some();
        return Ok(if exists { Access::Manage } else { Access::None });
    }
    if user.role == Role::Professional {
        return Ok(Access::None);
    }
    let role = programme_store::partner_role(conn, id, user.organisation_id)?;
    Ok(programme_access_of(user, role))
}

/// Programme `id` if `user` sees it, else `404` (one query: the row with the partnership).
pub fn programme(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(ProgrammeRow, Access), ApiError> {
    if !lists_programmes(user) {
        return Err(ApiError::NotFound);
    }
    let (row, role) =
        programme_store::find_with_role(conn, ProgrammeId::from(*id), user.organisation_id)?
            .ok_or(ApiError::NotFound)?;
    let access = programme_access_of(user, role).found()?;
    Ok((row, access))
}

/// Programme `id` with its models and status history (kept as `history_type`) if `user` sees
/// it, else `404`: one query.
pub fn programme_view(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
    history_type: &str,
) -> Result<(ProgrammeView, Access), ApiError> {
    if !lists_programmes(user) {
        return Err(ApiError::NotFound);
    }
    let id = ProgrammeId::from(*id);
    let view = programme_store::find_view(conn, id, user.organisation_id, history_type)?
        .ok_or(ApiError::NotFound)?;
    let access = programme_access_of(user, view.partner_role).found()?;
    Ok((view, access))
}

/// Whether `user` lists any programmes at all (professionals none).
pub fn lists_programmes(user: &CurrentUser) -> bool {
    user.role != Role::Professional
}

/// Whether `user` lists any training cohorts at all (professionals and evaluators none).
pub fn lists_training_cohorts(user: &CurrentUser) -> bool {
    sees_workforce(user)
}

/// The organisation whose partnerships limit the programmes (and cohorts) `user` lists;
/// `None` for admins.
pub fn partner_organisation(user: &CurrentUser) -> Option<OrganisationId> {
    organisation_scope(user)
}

/// `403` unless `user` may create programmes, peer workers, cohorts and supervision sessions
/// at all (admins and coordinators); which ones is decided per resource.
pub fn manage_workforce(user: &CurrentUser, refusal: &str) -> Result<(), ApiError> {
    require_role(user, &[Role::Admin, Role::Coordinator], refusal)
}

/// Which peer workers `user` may list.
pub fn peer_worker_scope(user: &CurrentUser) -> PeerWorkerScope {
    match user.role {
        Role::Admin => PeerWorkerScope::All,
        Role::PeerWorker => PeerWorkerScope::User(user.id),
        _ if !sees_workforce(user) => PeerWorkerScope::Nobody,
        _ => PeerWorkerScope::Organisation(user.organisation_id),
    }
}

/// The user's access to a stored peer worker.
pub fn peer_worker_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    row: &PeerWorkerRow,
) -> Result<Access, ApiError> {
    match user.role {
        Role::Admin => return Ok(Access::Manage),
        Role::PeerWorker => {
            let own = row.user_id == Some(user.id);
            return Ok(if own { Access::Read } else { Access::None });
        }
        _ if !sees_workforce(user) => return Ok(Access::None),
        _ => {}
    }
    let sees = row.organisation_id == user.organisation_id
        || peer_store::works_for_partner_of(conn, row.id, user.organisation_id)?;
    Ok(if sees { by_role(user) } else { Access::None })
}

/// Peer worker `id` if `user` sees it, else `404`.
pub fn peer_worker(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: PeerWorkerId,
) -> Result<(PeerWorkerRow, Access), ApiError> {
    let row = peer_store::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let access = peer_worker_access(conn, user, &row)?.found()?;
    Ok((row, access))
}

/// Peer worker `id` named in a body: `None` when the user does not see it (the caller reports
/// it as an unknown field, revealing nothing).
pub fn peer_worker_in_body(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<Option<(PeerWorkerRow, Access)>, ApiError> {
    match peer_worker(conn, user, PeerWorkerId::from(*id)) {
        Ok(found) => Ok(Some(found)),
        Err(ApiError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Training cohort `id` if `user` sees its programme, else `404`.
pub fn training_cohort(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(TrainingCohortRow, Access), ApiError> {
    let row = cohort_store::find(conn, TrainingCohortId::from(*id))?.ok_or(ApiError::NotFound)?;
    if !sees_workforce(user) {
        return Err(ApiError::NotFound);
    }
    let access = programme_access(conn, user, row.programme_id)?.found()?;
    Ok((row, access))
}

/// Which supervision sessions `user` lists: those attended or supervised by a peer worker in
/// its peer-worker scope, or supervised by itself; `None` for admins (all).
pub fn supervision_scope(user: &CurrentUser) -> Option<(PeerWorkerScope, UserId)> {
    (!user.is_admin()).then(|| (peer_worker_scope(user), user.id))
}

/// Supervision session `id` if `user` sees it, else `404`.
pub fn supervision_session(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(SupervisionSessionRow, Access), ApiError> {
    let row = supervision_store::find(conn, SupervisionSessionId::from(*id))?
        .ok_or(ApiError::NotFound)?;
    if user.is_admin() {
        return Ok((row, Access::Manage));
    }
    let mut access = if row.supervisor_user_id == Some(user.id) {
        Access::Read
    } else {
        Access::None
    };
    let attendees = supervision_store::attendees_of(conn, std::slice::from_ref(&row.id))?;
    let people: Vec<PeerWorkerId> = attendees
        .into_iter()
        .map(|(_, p)| p)
        .chain(row.supervisor_peer_worker_id)
        .collect();
    for found in peer_store::find_many(conn, &people)? {
        access = access.max(peer_worker_access(conn, user, &found)?);
        if access == Access::Manage {
            break;
        }
    }
    access.found()?;
    Ok((row, access))
}

// --- Who leads a new programme, and the people a body may name ----------------------------------

/// The lead organisation a new programme of `user` gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgrammeLead {
    /// An admin named none: it is required.
    Missing,
    /// An admin named this one (any organisation that exists).
    Named(OrganisationId),
    /// A coordinator's own organisation, named or left out.
    Own(OrganisationId),
    /// A coordinator named another organisation.
    NotAllowed,
}

/// The lead of a programme `user` creates, naming `named`: an admin names any, a coordinator
/// leads with its own organisation.
pub fn programme_lead(user: &CurrentUser, named: Option<Uuid>) -> ProgrammeLead {
    match (user.role, named) {
        (Role::Admin, None) => ProgrammeLead::Missing,
        (Role::Admin, Some(lead)) => ProgrammeLead::Named(lead.into()),
        (_, Some(lead)) if OrganisationId::from(lead) != user.organisation_id => {
            ProgrammeLead::NotAllowed
        }
        _ => ProgrammeLead::Own(user.organisation_id),
    }
}

/// User `id` named in a body as a trainer of a cohort of programme `programme_id`: `None`
/// unless it exists and `user` may name it (admins any user, others a user of a partner of the
/// programme, one scoped query).
pub fn programme_user_in_body(
    conn: &mut DbConnection,
    user: &CurrentUser,
    programme_id: ProgrammeId,
    id: &Uuid,
) -> Result<Option<UserRow>, ApiError> {
    let Some(found) = user_store::find(conn, UserId::from(*id))? else {
        return Ok(None);
    };
    let named = user.is_admin()
        || programme_store::partner_role(conn, programme_id, found.organisation_id)?.is_some();
    Ok(named.then_some(found))
}

/// Whether a user named as a peer worker's `user_id` is one `user` may link: admins any;
/// others a user of their own organisation or of the peer worker's host organisation.
pub fn peer_worker_user_in_body(
    user: &CurrentUser,
    named: &UserRow,
    host_organisation_id: &Uuid,
) -> bool {
    user.is_admin()
        || named.organisation_id == user.organisation_id
        || named.organisation_id == OrganisationId::from(*host_organisation_id)
}

/// Whether a user named as a supervision session's supervisor is one `user` may name: admins
/// any; others a user of their own organisation, or themselves.
pub fn supervisor_in_body(user: &CurrentUser, named: &UserRow) -> bool {
    user.is_admin() || named.organisation_id == user.organisation_id || named.id == user.id
}

/// `403` unless `user` may record (or change) a supervision session: admins any; others one
/// attended by a peer worker they manage.
pub fn record_supervision(user: &CurrentUser, manages_an_attendee: bool) -> Result<(), ApiError> {
    if manages_an_attendee || user.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only a coordinator who manages an attending peer worker records supervision"
                .to_owned(),
        ))
    }
}

// --- Partnership invitations ----------------------------------------------------------------

/// The side of a partnership invitation a user is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationSide {
    /// A coordinator of the invited organisation (or an admin): accepts or declines.
    Invited,
    /// A coordinator managing the programme that invited: may withdraw it.
    Inviting,
}

/// Which invitations `user` lists: `Some(None)` all (admins), `Some(Some(org))` those
/// addressed to its organisation or made by programmes it is a partner of (coordinators),
/// `None` none (other roles).
pub fn invitation_scope(user: &CurrentUser) -> Option<Option<OrganisationId>> {
    match user.role {
        Role::Admin => Some(None),
        Role::Coordinator => Some(Some(user.organisation_id)),
        _ => None,
    }
}

/// Invitation `id` if `user` is on one of its sides (else `404`), and which.
pub fn partner_invitation(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(InvitationRow, InvitationSide), ApiError> {
    let row = invitation_store::find(conn, InvitationId::from(*id))?.ok_or(ApiError::NotFound)?;
    let side = match user.role {
        Role::Admin => InvitationSide::Invited,
        Role::Coordinator if row.organisation_id == user.organisation_id => InvitationSide::Invited,
        Role::Coordinator if programme_access(conn, user, row.programme_id)? == Access::Manage => {
            InvitationSide::Inviting
        }
        _ => return Err(ApiError::NotFound),
    };
    Ok((row, side))
}
