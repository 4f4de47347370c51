//! Advisory processes (and their findings) and the programme's reports.
//!
//! - **Advisory processes**: admins and the coordinators of the programme's partners see and
//!   manage them; integration clients read them (scope `programmes:read`); every other role
//!   sees none (`404`). Evaluators learn the findings through
//!   the programme's experience summary, a report.
//! - **Reports** (the programme report and the experience summary): admins, and the
//!   coordinators, evaluators and integration clients (scope `reports:read`) of the
//!   programme's partners; others `404`.

use super::level::Access;
use super::organisation::organisation_scope;
use super::workforce::programme_access;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::advisory::{self as store, AdvisoryProcessRow};
use brobygger_persistence::ids::{AdvisoryProcessId, OrganisationId, ProgrammeId};
use brobygger_persistence::programme::{self as programme_store, ProgrammeRow};
use uuid::Uuid;

/// Whether `user`'s role sees advisory processes at all (admins and coordinators manage them;
/// integration clients read them with the scope the operations table names).
fn sees_advisory(user: &CurrentUser) -> bool {
    matches!(
        user.role,
        Role::Admin | Role::Coordinator | Role::Integration
    )
}

/// Which advisory processes `user` lists: `None` none; `Some(None)` all (admins);
/// `Some(Some(org))` those of programmes `org` is a partner of.
pub fn advisory_scope(user: &CurrentUser) -> Option<Option<OrganisationId>> {
    sees_advisory(user).then(|| organisation_scope(user))
}

/// The user's access to the advisory processes of programme `programme`: the coordinators
/// of its partners (and admins) manage them; nobody else sees them.
pub fn advisory_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    programme: ProgrammeId,
) -> Result<Access, ApiError> {
    if !sees_advisory(user) {
        return Ok(Access::None);
    }
    programme_access(conn, user, programme)
}

/// Advisory process `id` if `user` sees it, else `404`.
pub fn advisory_process(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(AdvisoryProcessRow, Access), ApiError> {
    if !sees_advisory(user) {
        return Err(ApiError::NotFound);
    }
    let row = store::find(conn, AdvisoryProcessId::from(*id))?.ok_or(ApiError::NotFound)?;
    let access = advisory_access(conn, user, row.programme_id)?.found()?;
    Ok((row, access))
}

/// Programme `id` if `user` reads its reports (admins, coordinators, evaluators and
/// integration clients of its partners), else `404`.
pub fn programme_reports(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<ProgrammeRow, ApiError> {
    if !matches!(
        user.role,
        Role::Admin | Role::Coordinator | Role::Evaluator | Role::Integration
    ) {
        return Err(ApiError::NotFound);
    }
    let id = ProgrammeId::from(*id);
    programme_access(conn, user, id)?.found()?;
    programme_store::find(conn, id)?.ok_or(ApiError::NotFound)
}
