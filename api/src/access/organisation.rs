//! Organisations, users and the audit log.

use super::level::{Access, require_role};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::user::{Role, Subject};
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::{OrganisationId, UserId};
use brobygger_persistence::organisation::{self as organisation_store, OrganisationRow};
use brobygger_persistence::programme::{self as programme_store};
use brobygger_persistence::user::{self as user_store, UserRow};
use uuid::Uuid;
// --- Organisations and users -------------------------------------------------------------------

/// Organisation `id` if `user` sees it (admins all, others their own), else `404`.
pub fn organisation(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(OrganisationRow, Access), ApiError> {
    let id = OrganisationId::from(*id);
    let access = if user.is_admin() {
        Access::Manage
    } else if id == user.organisation_id {
        Access::Read
    } else {
        Access::None
    };
    access.found()?;
    let row = organisation_store::find(conn, id)?.ok_or(ApiError::NotFound)?;
    Ok((row, access))
}

/// The one organisation a non-admin's lists are limited to; `None` for admins.
pub fn organisation_scope(user: &CurrentUser) -> Option<OrganisationId> {
    (!user.is_admin()).then_some(user.organisation_id)
}

/// `403` unless `user` may read the directory of organisations (admins and coordinators, who
/// look for partners).
pub fn read_directory(user: &CurrentUser) -> Result<(), ApiError> {
    require_role(
        user,
        &[Role::Admin, Role::Coordinator],
        "only admins and coordinators read the directory of organisations",
    )
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
    let id = OrganisationId::from(*id);
    if organisation_store::find(conn, id)?.is_none() {
        return Ok(false);
    }
    if user.is_admin() || id == user.organisation_id {
        return Ok(true);
    }
    Ok(programme_store::shares_a_programme(
        conn,
        user.organisation_id,
        id,
    )?)
}

/// The stored user as the domain's user rules see it.
pub fn subject(row: &UserRow) -> Subject<Uuid> {
    Subject {
        user_id: row.id.into(),
        organisation_id: row.organisation_id.into(),
        role: row.role,
    }
}

/// User `id` if `user` sees it, else `404`. What it may change is the domain's user rule.
pub fn user(conn: &mut DbConnection, user: &CurrentUser, id: &Uuid) -> Result<UserRow, ApiError> {
    let row = user_store::find(conn, UserId::from(*id))?.ok_or(ApiError::NotFound)?;
    if user.actor().can_see(&subject(&row)) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Which users `user` may list: `(only this user, only this organisation)`; `None` when a
/// coordinator asks for another organisation (nothing to list).
pub fn user_scope(
    user: &CurrentUser,
    organisation_filter: Option<OrganisationId>,
) -> Option<(Option<UserId>, Option<OrganisationId>)> {
    match user.role {
        Role::Admin => Some((None, organisation_filter)),
        Role::Coordinator => match organisation_filter {
            Some(other) if other != user.organisation_id => None,
            _ => Some((None, Some(user.organisation_id))),
        },
        _ => Some((Some(user.id), organisation_filter)),
    }
}

/// `403` unless `user` reads the audit log (admins).
pub fn read_audit_log(user: &CurrentUser) -> Result<(), ApiError> {
    require_role(user, &[Role::Admin], "only an admin reads the audit log")
}
