//! The one access level and the decisions the role alone makes.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::user::Role;

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
    pub(super) fn found(self) -> Result<Self, ApiError> {
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

/// Whether `user`'s role sees the peer workforce (peer workers, cohorts, supervision) at all.
pub(super) fn sees_workforce(user: &CurrentUser) -> bool {
    !matches!(user.role, Role::Professional | Role::Evaluator)
}

/// What a role may do with the resources it sees, where the role alone decides.
pub(super) fn by_role(user: &CurrentUser) -> Access {
    match user.role {
        Role::Admin | Role::Coordinator => Access::Manage,
        _ => Access::Read,
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
