//! Exports: who receives which rows, identified or pseudonymised.
//!
//! - **Admins**: every programme's rows, identified (citizen ids and free text, never CPR).
//! - **Coordinators**: the rows of the programmes their organisation is a partner of,
//!   identified.
//! - **Evaluators** and **integrations** (municipal data warehouses): the rows of their
//!   organisation's partner programmes, pseudonymised with their organisation's key.
//! - **Peer workers** and **professionals**: `403` (they see single citizens, not datasets).
//!
//! A `programme_id` filter the user does not see is an unknown reference: `422`.

use super::level::Access;
use super::workforce::programme_access;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::export::Audience;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::export::ExportScope;
use brobygger_persistence::ids::ProgrammeId;
use uuid::Uuid;

/// The refusal for a role that exports nothing.
pub const ONLY_EXPORTERS: &str =
    "exports are for admins, coordinators, evaluators and integrations";

/// What `user` may export: to whom the file is addressed (identified or pseudonymised) and
/// which programmes' rows, narrowed to `programme_id` when given.
pub fn export_access(
    conn: &mut DbConnection,
    user: &CurrentUser,
    programme_id: Option<Uuid>,
) -> Result<(Audience, ExportScope), ApiError> {
    let (audience, scope) = match user.role {
        Role::Admin => (Audience::Identified, ExportScope::All),
        Role::Coordinator => (
            Audience::Identified,
            ExportScope::PartnerOf(user.organisation_id),
        ),
        Role::Evaluator | Role::Integration => (
            Audience::Pseudonymised,
            ExportScope::PartnerOf(user.organisation_id),
        ),
        Role::PeerWorker | Role::Professional => {
            return Err(ApiError::Forbidden(ONLY_EXPORTERS.to_owned()));
        }
    };
    if let Some(id) = programme_id
        && programme_access(conn, user, ProgrammeId::from(id))? == Access::None
    {
        return Err(ApiError::field(
            "programme_id",
            "unknown",
            "no such programme",
        ));
    }
    Ok((audience, scope))
}
