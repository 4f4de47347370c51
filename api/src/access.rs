//! Who may do what, in one place. Every service asks here; nothing else decides access.
//!
//! One [`Access`] level for every resource, and one function per resource kind deciding a
//! user's access to a stored resource (`programme`, `peer_worker`, `citizen`, …), plus the
//! scopes that lists pass to `persistence` as part of their query (never load-then-filter).
//!
//! - **Admins** see and manage everything.
//! - **Organisations**: a user sees its own; admins manage them.
//! - **Users**: admins all, coordinators those of their organisation, others themselves.
//! - **Programmes**: a user sees a programme when its organisation is a partner (the lead is
//!   always a partner); a coordinator of a partner manages it; other roles read it.
//! - **Peer workers**: a user sees a peer worker hosted by its organisation or working in a
//!   programme its organisation is a partner of; a coordinator of such an organisation manages
//!   it. A user of role `peer_worker` sees only its own record, read-only.
//! - **Training cohorts**: as their programme.
//! - **Supervision sessions**: a user sees a session it supervised, or one attended or
//!   supervised by a peer worker it sees; a coordinator who manages an attending peer worker
//!   manages the session.
//! - **Citizens**: coordinators and integrations those their organisation registered and
//!   those with a support course in a programme their organisation is a partner of (managed);
//!   a peer worker those of the courses it guides (read); professionals and evaluators none.
//! - **Support courses** (and their goals and contacts): coordinators and integrations those
//!   in their organisation's partner programmes (a coordinator of the programme manages them);
//!   the peer worker guiding a course guides it (goals, progress, contacts).
//! - **Referrals**: the sending side as their support course (admins read); the recipient's
//!   side, professionals and coordinators of the target organisation, once sent and while
//!   the consent holds.
//! - **The audit log**: admins.
//!
//! Anything outside this scope does not exist for the user: `404`, never listed.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::referral::Side;
use brobygger_domain::user::{Role, Subject};
use brobygger_persistence::DbConnection;
use brobygger_persistence::citizen::{self as citizen_store, CitizenRow, CitizenScope};
use brobygger_persistence::organisation::{self as organisation_store, OrganisationRow};
use brobygger_persistence::peer_worker::{self as peer_store, PeerWorkerRow, PeerWorkerScope};
use brobygger_persistence::programme::{self as programme_store, ProgrammeRow};
use brobygger_persistence::referral::{self as referral_store, ReferralRow, ReferralScope};
use brobygger_persistence::supervision::{self as supervision_store, SupervisionSessionRow};
use brobygger_persistence::support_course::{self as course_store, CourseScope, SupportCourseRow};
use brobygger_persistence::training_cohort::{self as cohort_store, TrainingCohortRow};
use brobygger_persistence::user::{self as user_store, UserRow};
use uuid::Uuid;

/// What a user may do with a resource, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// The resource does not exist for the user (`404`).
    None,
    Read,
    /// The peer worker guiding a support course: goals, progress, contacts.
    Guide,
    Manage,
}

impl Access {
    /// `403` unless the user manages the resource.
    pub fn require_manage(self, what: &str) -> Result<(), ApiError> {
        self.require(
            Access::Manage,
            &format!("only a coordinator of a partner organisation manages {what}"),
        )
    }

    /// `403` with `refusal` unless the user has at least `needed`.
    pub fn require(self, needed: Access, refusal: &str) -> Result<(), ApiError> {
        if self >= needed {
            Ok(())
        } else {
            Err(ApiError::Forbidden(refusal.to_owned()))
        }
    }

    /// `404` for [`Access::None`]: the resource does not exist for the user.
    fn found(self) -> Result<Self, ApiError> {
        if self == Access::None {
            Err(ApiError::NotFound)
        } else {
            Ok(self)
        }
    }
}

/// `403` unless `user` has one of `roles`.
pub fn require_role(user: &CurrentUser, roles: &[Role], refusal: &str) -> Result<(), ApiError> {
    if roles.contains(&user.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(refusal.to_owned()))
    }
}

/// What a role may do with the resources it sees, where the role alone decides.
fn by_role(user: &CurrentUser) -> Access {
    match user.role {
        Role::Admin | Role::Coordinator => Access::Manage,
        _ => Access::Read,
    }
}

// --- Organisations and users -------------------------------------------------------------------

/// Organisation `id` if `user` sees it (admins all, others their own), else `404`.
pub fn organisation(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(OrganisationRow, Access), ApiError> {
    let id = id.to_string();
    let access = if user.is_admin() {
        Access::Manage
    } else if id == user.organisation_id {
        Access::Read
    } else {
        Access::None
    };
    access.found()?;
    let row = organisation_store::find(conn, &id)?.ok_or(ApiError::NotFound)?;
    Ok((row, access))
}

/// The one organisation a non-admin's lists are limited to; `None` for admins.
pub fn organisation_scope(user: &CurrentUser) -> Option<String> {
    (!user.is_admin()).then(|| user.organisation_id.clone())
}

/// `403` unless `user` manages organisations (admins).
pub fn manage_organisations(user: &CurrentUser) -> Result<(), ApiError> {
    require_role(user, &[Role::Admin], "only an admin manages organisations")
}

/// Whether an organisation named in a body is one `user` may name: admins any that exists;
/// others their own or a partner of one of their organisation's programmes.
pub fn organisation_in_body(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<bool, ApiError> {
    let id = id.to_string();
    if organisation_store::find(conn, &id)?.is_none() {
        return Ok(false);
    }
    if user.is_admin() || id == user.organisation_id {
        return Ok(true);
    }
    Ok(programme_store::shares_a_programme(
        conn,
        &user.organisation_id,
        &id,
    )?)
}

/// The stored user as the domain's user rules see it.
pub fn subject(row: &UserRow) -> Result<Subject<&str>, ApiError> {
    Ok(Subject {
        user_id: &row.id,
        organisation_id: &row.organisation_id,
        role: Role::parse(&row.role).ok_or_else(|| ApiError::internal("stored role unknown"))?,
    })
}

/// User `id` if `user` sees it, else `404`. What it may change is the domain's user rule.
pub fn user(conn: &mut DbConnection, user: &CurrentUser, id: &Uuid) -> Result<UserRow, ApiError> {
    let row = user_store::find(conn, &id.to_string())?.ok_or(ApiError::NotFound)?;
    if user.actor().can_see(&subject(&row)?) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Which users `user` may list: `(only this user, only this organisation)`; `None` when a
/// coordinator asks for another organisation (nothing to list).
pub fn user_scope(
    user: &CurrentUser,
    organisation_filter: Option<String>,
) -> Option<(Option<String>, Option<String>)> {
    match user.role {
        Role::Admin => Some((None, organisation_filter)),
        Role::Coordinator => match organisation_filter {
            Some(other) if other != user.organisation_id => None,
            _ => Some((None, Some(user.organisation_id.clone()))),
        },
        _ => Some((Some(user.id.clone()), organisation_filter)),
    }
}

// --- Programmes, the workforce, peer education, supervision -------------------------------------

/// The user's access to programme `id`.
pub fn programme_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
) -> Result<Access, ApiError> {
    if user.is_admin() {
        return Ok(Access::Manage);
    }
    Ok(
        match programme_store::partner_role(conn, id, &user.organisation_id)? {
            Some(_) => by_role(user),
            None => Access::None,
        },
    )
}

/// Programme `id` if `user` sees it, else `404`.
pub fn programme(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(ProgrammeRow, Access), ApiError> {
    let id = id.to_string();
    let access = programme_access(conn, user, &id)?.found()?;
    let row = programme_store::find(conn, &id)?.ok_or(ApiError::NotFound)?;
    Ok((row, access))
}

/// The organisation whose partnerships limit the programmes (and cohorts) `user` lists;
/// `None` for admins.
pub fn partner_organisation(user: &CurrentUser) -> Option<String> {
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
        Role::PeerWorker => PeerWorkerScope::User(user.id.clone()),
        _ => PeerWorkerScope::Organisation(user.organisation_id.clone()),
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
            let own = row.user_id.as_deref() == Some(user.id.as_str());
            return Ok(if own { Access::Read } else { Access::None });
        }
        _ => {}
    }
    let sees = row.organisation_id == user.organisation_id
        || peer_store::works_for_partner_of(conn, &row.id, &user.organisation_id)?;
    Ok(if sees { by_role(user) } else { Access::None })
}

/// Peer worker `id` if `user` sees it, else `404`.
pub fn peer_worker(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &str,
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
    match peer_worker(conn, user, &id.to_string()) {
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
    let row = cohort_store::find(conn, &id.to_string())?.ok_or(ApiError::NotFound)?;
    let access = programme_access(conn, user, &row.programme_id)?.found()?;
    Ok((row, access))
}

/// Which supervision sessions `user` lists: those attended or supervised by a peer worker in
/// its peer-worker scope, or supervised by itself; `None` for admins (all).
pub fn supervision_scope(user: &CurrentUser) -> Option<(PeerWorkerScope, String)> {
    (!user.is_admin()).then(|| (peer_worker_scope(user), user.id.clone()))
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
    let mut access = if row.supervisor_user_id.as_deref() == Some(user.id.as_str()) {
        Access::Read
    } else {
        Access::None
    };
    let attendees = supervision_store::attendees_of(conn, std::slice::from_ref(&row.id))?;
    let people: Vec<String> = attendees
        .into_iter()
        .map(|(_, p)| p)
        .chain(row.supervisor_peer_worker_id.clone())
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

// --- Citizens and their support -----------------------------------------------------------------

/// Which support courses `user` sees.
pub fn support_course_scope(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<CourseScope, ApiError> {
    Ok(match user.role {
        Role::Admin => CourseScope::All,
        Role::Coordinator | Role::Integration => {
            CourseScope::PartnerOf(user.organisation_id.clone())
        }
        Role::PeerWorker => match peer_store::find_by_user(conn, &user.id)? {
            Some(peer) => CourseScope::PeerWorker(peer.id),
            None => CourseScope::None,
        },
        Role::Professional | Role::Evaluator => CourseScope::None,
    })
}

/// Support course `id` if `user` sees it (else `404`), with what it may do: the guiding peer
/// worker guides it, a coordinator of its programme manages it, other viewers read it.
pub fn support_course(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(SupportCourseRow, Access), ApiError> {
    let scope = support_course_scope(conn, user)?;
    let row = course_store::find_in(conn, &scope, &id.to_string())?.ok_or(ApiError::NotFound)?;
    let access = match (&scope, user.role) {
        (CourseScope::PeerWorker(_), _) => Access::Guide,
        (_, Role::Admin) => Access::Manage,
        _ => match programme_access(conn, user, &row.programme_id)? {
            Access::Manage => Access::Manage,
            _ => Access::Read,
        },
    };
    Ok((row, access))
}

/// The refusal for a goal, progress or contact by someone who does not guide the course.
pub const ONLY_GUIDE: &str = "only the peer worker guiding the course and its coordinators do this";
/// The refusal for a change of a support course by someone who does not manage it.
pub const ONLY_COURSE_COORDINATOR: &str =
    "only a coordinator of the programme manages its support courses";

/// The citizens `user` may see (`spec/domain.md`, "Who may do what").
pub fn citizen_scope(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<CitizenScope, ApiError> {
    Ok(match user.role {
        Role::Admin => CitizenScope::All,
        Role::Coordinator | Role::Integration => CitizenScope::Limited {
            organisation_id: Some(user.organisation_id.clone()),
            courses: support_course_scope(conn, user)?,
        },
        Role::PeerWorker => CitizenScope::Limited {
            organisation_id: None,
            courses: support_course_scope(conn, user)?,
        },
        Role::Professional | Role::Evaluator => CitizenScope::None,
    })
}

/// What a role may do with the citizens it sees.
fn citizen_access(user: &CurrentUser) -> Access {
    match user.role {
        Role::Admin | Role::Coordinator | Role::Integration => Access::Manage,
        Role::PeerWorker => Access::Read,
        Role::Professional | Role::Evaluator => Access::None,
    }
}

/// Citizen `id` if `user` may see it, else `404` (whether or not it exists).
pub fn citizen(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(CitizenRow, Access), ApiError> {
    let scope = citizen_scope(conn, user)?;
    let row = citizen_store::find_in(conn, &scope, &id.to_string())?.ok_or(ApiError::NotFound)?;
    Ok((row, citizen_access(user)))
}

/// `403` unless `user`'s role manages citizens (registers them, records consent, …).
pub fn manage_citizens(user: &CurrentUser) -> Result<(), ApiError> {
    citizen_access(user).require(
        Access::Manage,
        "only admins, coordinators and integrations manage citizens",
    )
}

/// Whether `user` sees a citizen's full CPR number (on a single citizen, never in lists).
pub fn sees_cpr(user: &CurrentUser) -> bool {
    matches!(user.role, Role::Admin | Role::Coordinator)
}

/// `403` unless `user` reads the audit log (admins).
pub fn read_audit_log(user: &CurrentUser) -> Result<(), ApiError> {
    require_role(user, &[Role::Admin], "only an admin reads the audit log")
}

// --- Referrals ------------------------------------------------------------------------------

/// The sides of a referral a user is on: the sending side's access (its course's, admins
/// read) and whether it is on the recipient's side (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralSides {
    pub sender: Access,
    pub recipient: bool,
}

impl ReferralSides {
    /// The side the user moves a referral on when the move needs `needed`; `403` for readers.
    pub fn acting(self, needed: Option<Side>) -> Result<Side, ApiError> {
        let sends = self.sender >= Access::Guide;
        match (self.recipient, sends) {
            (true, false) => Ok(Side::Recipient),
            (true, true) if needed == Some(Side::Recipient) => Ok(Side::Recipient),
            (_, true) => Ok(Side::Sender),
            (false, false) => Err(ApiError::Forbidden(ONLY_REFERRAL_SIDES.to_owned())),
        }
    }
}

const ONLY_REFERRAL_SIDES: &str = "only the sending side's peer worker and coordinators, and the recipient's professionals and coordinators, move referrals";

/// The sending side's access to referrals of course `course_id`; `None` if it is unseen.
pub fn referral_sender(
    conn: &mut DbConnection,
    user: &CurrentUser,
    course_id: &Uuid,
) -> Result<Option<(SupportCourseRow, Access)>, ApiError> {
    match support_course(conn, user, course_id) {
        Ok((row, _)) if user.is_admin() => Ok(Some((row, Access::Read))),
        Ok(found) => Ok(Some(found)),
        Err(ApiError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The referrals `user` lists: those of the courses it sees, and those it receives.
pub fn referral_scope(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<ReferralScope, ApiError> {
    let recipient = receives(user).then(|| user.organisation_id.clone());
    let sender = support_course_scope(conn, user)?;
    Ok(ReferralScope { sender, recipient })
}

/// Roles on a recipient's side of the referrals addressed to their organisation.
fn receives(user: &CurrentUser) -> bool {
    matches!(user.role, Role::Professional | Role::Coordinator)
}

/// Referral `id` if `user` is on one of its sides (else `404`), with the sides it is on.
pub fn referral(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(ReferralRow, ReferralSides), ApiError> {
    let row = referral_store::find(conn, &id.to_string())?.ok_or(ApiError::NotFound)?;
    let course = referral_sender(conn, user, row.support_course_id.as_uuid())?;
    let sides = ReferralSides {
        sender: course.map_or(Access::None, |(_, access)| access),
        recipient: receives(user)
            && row.target_organisation_id.to_string() == user.organisation_id
            && row.status.visible_to_recipient(row.sent_at.is_some()),
    };
    if sides.sender == Access::None && !sides.recipient {
        return Err(ApiError::NotFound);
    }
    Ok((row, sides))
}

// --- Who leads a new programme, and the people a body may name ----------------------------------

/// The lead organisation a new programme of `user` gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgrammeLead {
    /// An admin named none: it is required.
    Missing,
    /// An admin named this one (any organisation that exists).
    Named(String),
    /// A coordinator's own organisation, named or left out.
    Own(String),
    /// A coordinator named another organisation.
    NotAllowed,
}

/// The lead of a programme `user` creates, naming `named`: an admin names any, a coordinator
/// leads with its own organisation.
pub fn programme_lead(user: &CurrentUser, named: Option<Uuid>) -> ProgrammeLead {
    match (user.role, named) {
        (Role::Admin, None) => ProgrammeLead::Missing,
        (Role::Admin, Some(lead)) => ProgrammeLead::Named(lead.to_string()),
        (_, Some(lead)) if lead.to_string() != user.organisation_id => ProgrammeLead::NotAllowed,
        _ => ProgrammeLead::Own(user.organisation_id.clone()),
    }
}

/// User `id` named in a body as a trainer of a cohort of programme `programme_id`: `None`
/// unless it exists and `user` may name it (admins any user, others a user of a partner of the
/// programme, one scoped query).
pub fn programme_user_in_body(
    conn: &mut DbConnection,
    user: &CurrentUser,
    programme_id: &str,
    id: &Uuid,
) -> Result<Option<UserRow>, ApiError> {
    let Some(found) = user_store::find(conn, &id.to_string())? else {
        return Ok(None);
    };
    let named = user.is_admin()
        || programme_store::partner_role(conn, programme_id, &found.organisation_id)?.is_some();
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
        || named.organisation_id == host_organisation_id.to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels_are_ordered() {
        assert!(Access::None < Access::Read);
        assert!(Access::Read < Access::Guide);
        assert!(Access::Guide < Access::Manage);
        assert!(Access::Manage.require(Access::Guide, "x").is_ok());
        assert!(Access::Read.require(Access::Guide, "x").is_err());
        assert!(Access::None.found().is_err());
    }
}
