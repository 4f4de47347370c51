//! Courses of the teaching model: coordinators of the programme's partners manage them (as
//! `programme` gives `Manage`); integrations of a partner read them; a peer worker sees the
//! courses it teaches and records their attendance (`Guide`); admins all; professionals and
//! evaluators none. A citizen's enrolment is citizen data: shown only to users who may see
//! that citizen (`citizen`).

use super::citizen::citizen_scope;
use super::level::Access;
use super::workforce::programme_access;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::citizen as citizen_store;
use brobygger_persistence::course::{self as course_store, CourseRow, CourseScope};
use brobygger_persistence::ids::{CitizenId, CourseId};
use uuid::Uuid;

/// The refusal for a change of a course by someone who does not manage it.
pub const ONLY_COURSE_MANAGERS: &str =
    "only a coordinator of a partner organisation of the programme manages its courses";

/// The courses `user` lists.
pub fn course_scope(user: &CurrentUser) -> CourseScope {
    match user.role {
        Role::Admin => CourseScope::All,
        Role::Coordinator | Role::Integration => CourseScope::PartnerOf(user.organisation_id),
        Role::PeerWorker => CourseScope::TaughtBy(user.id),
        Role::Professional | Role::Evaluator => CourseScope::None,
    }
}

/// Course `id` if `user` sees it (else `404`), with what it may do with it.
pub fn course(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(CourseRow, Access), ApiError> {
    let row = course_store::find(conn, CourseId::from(*id))?.ok_or(ApiError::NotFound)?;
    let access = match user.role {
        Role::Admin | Role::Coordinator | Role::Integration => {
            programme_access(conn, user, row.programme_id)?
        }
        Role::PeerWorker if course_store::taught_by(conn, row.id, user.id)? => Access::Guide,
        _ => Access::None,
    };
    access.found()?;
    Ok((row, access))
}

/// Whether `user` may see citizen `id` (so its course enrolments and their attendance).
pub fn sees_citizen(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: CitizenId,
) -> Result<bool, ApiError> {
    let scope = citizen_scope(conn, user)?;
    Ok(citizen_store::find_in(conn, &scope, id)?.is_some())
}
