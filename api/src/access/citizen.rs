//! Citizens and their support: support courses, consents, employment.

use super::level::Access;
use super::workforce::programme_access_of;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::programme::PartnerRole;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::citizen::{self as citizen_store, CitizenRow, CitizenScope};
use brobygger_persistence::employment::{self as employment_store, RetentionCheckRow};
use brobygger_persistence::ids::{CitizenId, RetentionCheckId, SupportCourseId};
use brobygger_persistence::peer_worker::{self as peer_store};
use brobygger_persistence::support_course::{
    self as course_store, CourseLookup, CourseScope, FoundCourse, SupportCourseRow,
};
use uuid::Uuid;
// --- Citizens and their support -----------------------------------------------------------------

/// Which support courses `user` sees.
pub fn support_course_scope(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<CourseScope, ApiError> {
    Ok(match user.role {
        Role::Admin => CourseScope::All,
        Role::Coordinator | Role::Integration => CourseScope::PartnerOf(user.organisation_id),
        Role::PeerWorker => match peer_store::find_by_user(conn, user.id)? {
            Some(peer) => CourseScope::PeerWorker(peer.id),
            None => CourseScope::None,
        },
        Role::Professional | Role::Evaluator => CourseScope::None,
    })
}

/// How a single support course of `user`'s is looked up (`None`: `user` sees none): the
/// scope of [`support_course_scope`] without a query of its own.
fn course_lookup(user: &CurrentUser) -> Option<CourseLookup> {
    match user.role {
        Role::Admin => Some(CourseLookup::All),
        Role::Coordinator | Role::Integration => Some(CourseLookup::Partner),
        Role::PeerWorker => Some(CourseLookup::GuidedByUser(user.id)),
        Role::Professional | Role::Evaluator => None,
    }
}

/// What `user` may do with a support course it sees, in whose programme its organisation
/// holds `partner_role`: the guiding peer worker guides it, a coordinator of its programme
/// (or an admin) manages it, other viewers read it.
pub fn support_course_access_of(user: &CurrentUser, partner_role: Option<PartnerRole>) -> Access {
    match user.role {
        Role::PeerWorker => Access::Guide,
        _ => match programme_access_of(user, partner_role) {
            Access::Manage => Access::Manage,
            _ => Access::Read,
        },
    }
}

/// Support course `id` if `user` sees it (else `404`), with what it may do (see
/// [`support_course_access_of`]): one query, the scope check with the row.
pub fn support_course(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(SupportCourseRow, Access), ApiError> {
    let found = find_course(conn, user, id, None)?;
    Ok((
        found.row,
        support_course_access_of(user, found.partner_role),
    ))
}

/// [`support_course`] with the course's status history (kept as `history_type`), still one
/// query.
pub fn support_course_with_history(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
    history_type: &str,
) -> Result<(FoundCourse, Access), ApiError> {
    let found = find_course(conn, user, id, Some(history_type))?;
    let access = support_course_access_of(user, found.partner_role);
    Ok((found, access))
}

fn find_course(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
    history_type: Option<&str>,
) -> Result<FoundCourse, ApiError> {
    let lookup = course_lookup(user).ok_or(ApiError::NotFound)?;
    let (id, organisation) = (SupportCourseId::from(*id), user.organisation_id);
    let found = match history_type {
        None => course_store::find_for(conn, lookup, organisation, id)?,
        Some(kind) => course_store::find_with_history(conn, lookup, organisation, id, kind)?,
    };
    found.ok_or(ApiError::NotFound)
}

/// The refusal for a goal, progress or contact by someone who does not guide the course.
pub const ONLY_GUIDE: &str = "only the peer worker guiding the course and its coordinators do this";
/// The refusal for a change of a support course by someone who does not manage it.
pub const ONLY_COURSE_COORDINATOR: &str =
    "only a coordinator of the programme manages its support courses";

/// The citizens `user` may see (`docs/domain.md`, "Who may do what").
pub fn citizen_scope(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<CitizenScope, ApiError> {
    Ok(match user.role {
        Role::Admin => CitizenScope::All,
        Role::Coordinator | Role::Integration => CitizenScope::Limited {
            organisation_id: Some(user.organisation_id),
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
    let row =
        citizen_store::find_in(conn, &scope, CitizenId::from(*id))?.ok_or(ApiError::NotFound)?;
    Ok((row, citizen_access(user)))
}

/// What `user` may do with the employment statuses and retention checks of a citizen it sees
/// (`citizen`): who manages the citizen and the peer worker guiding one of its courses (the
/// only citizens a peer worker sees) record them; professionals and evaluators see none.
pub fn employment_access(user: &CurrentUser) -> Access {
    match user.role {
        Role::PeerWorker => Access::Guide,
        _ => citizen_access(user),
    }
}

/// The refusal for recording employment by someone who may only read it.
pub const ONLY_EMPLOYMENT_RECORDERS: &str =
    "only the citizen's coordinators and its guiding peer worker record employment";

/// Retention check `id` if `user` sees its citizen (else `404`), in one scoped query.
pub fn retention_check(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(RetentionCheckRow, Access), ApiError> {
    let scope = citizen_scope(conn, user)?;
    let row = employment_store::find_check_in(conn, &scope, RetentionCheckId::from(*id))?;
    Ok((row.ok_or(ApiError::NotFound)?, employment_access(user)))
}

/// The refusal for recording or withdrawing a consent by someone who only reads the citizen:
/// a consent and its withdrawal have legal effect (a withdrawal ends referrals).
pub const ONLY_CONSENT_RECORDERS: &str =
    "only the citizen's coordinators record and withdraw its consents";

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
