//! Users, their roles, and who may manage whom.

use serde::{Deserialize, Serialize};

impl From<Role> for &'static str {
    fn from(value: Role) -> Self {
        value.as_str()
    }
}

/// What a user may do (`spec/domain.md`, "Who may do what").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    PeerWorker,
    Professional,
    Evaluator,
    Integration,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::Admin,
        Self::Coordinator,
        Self::PeerWorker,
        Self::Professional,
        Self::Evaluator,
        Self::Integration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Coordinator => "coordinator",
            Self::PeerWorker => "peer_worker",
            Self::Professional => "professional",
            Self::Evaluator => "evaluator",
            Self::Integration => "integration",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Integration clients sign in with a client id and secret, everyone else with a password.
    pub fn is_machine(self) -> bool {
        self == Self::Integration
    }

    /// Admins and coordinators: the roles that manage (users, programmes, peer workers,
    /// citizens, support courses) and see a citizen's full CPR number.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Admin | Self::Coordinator)
    }
}

/// Roles are stored as text like every other enum: the one mapping is [`Role::as_str`].
impl crate::workflow::TextEnum for Role {
    const ALL: &'static [Self] = &Role::ALL;

    fn as_str(self) -> &'static str {
        Role::as_str(self)
    }

    fn parse(value: &str) -> Option<Self> {
        Role::parse(value)
    }
}

/// Who is acting: enough to decide what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<Id> {
    pub user_id: Id,
    pub organisation_id: Id,
    pub role: Role,
}

/// A user as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<Id> {
    pub user_id: Id,
    pub organisation_id: Id,
    pub role: Role,
}

/// What an actor may not do to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UserRuleError {
    /// The actor may not see the user at all: it does not exist for them.
    #[error("not found")]
    Invisible,
    /// The actor sees the user but its role may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
}

impl<Id: PartialEq + Copy> Actor<Id> {
    /// Admins see everyone, coordinators their organisation, everyone else only themselves.
    pub fn can_see(&self, user: &Subject<Id>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Coordinator => user.organisation_id == self.organisation_id,
            _ => user.user_id == self.user_id,
        }
    }

    /// Whether the actor may create a user of `role` in `organisation_id`.
    pub fn may_create(&self, organisation_id: Id, role: Role) -> Result<(), UserRuleError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Coordinator if organisation_id != self.organisation_id => {
                Err(UserRuleError::Forbidden(
                    "a coordinator creates users only in its own organisation",
                ))
            }
            Role::Coordinator if role == Role::Admin => Err(UserRuleError::Forbidden(
                "only an admin can create an admin",
            )),
            Role::Coordinator => Ok(()),
            _ => Err(UserRuleError::Forbidden(
                "only admins and coordinators manage users",
            )),
        }
    }

    /// Whether the actor may change `user`'s managed fields (role, active, organisation),
    /// `new_role` being the role asked for. A user's own role is never theirs to set: the
    /// caller refuses that field as read-only before asking.
    pub fn may_manage(&self, user: &Subject<Id>, new_role: Role) -> Result<(), UserRuleError> {
        if !self.can_see(user) {
            return Err(UserRuleError::Invisible);
        }
        match self.role {
            Role::Admin => Ok(()),
            Role::Coordinator if user.role == Role::Admin => Err(UserRuleError::Forbidden(
                "only an admin can change an admin",
            )),
            Role::Coordinator if new_role == Role::Admin => {
                Err(UserRuleError::Forbidden("only an admin can make an admin"))
            }
            Role::Coordinator => Ok(()),
            _ => Err(UserRuleError::Forbidden(
                "only admins and coordinators manage users",
            )),
        }
    }

    /// The user fields this actor may set on `user` through `PATCH`.
    pub fn writable_user_fields(&self, user: &Subject<Id>) -> &'static [&'static str] {
        const OWN: &[&str] = &["display_name", "email", "password"];
        const COORDINATOR_OWN: &[&str] = &["display_name", "email", "password", "active"];
        const COORDINATOR: &[&str] = &["display_name", "email", "password", "role", "active"];
        const ADMIN_OWN: &[&str] = &[
            "username",
            "display_name",
            "email",
            "password",
            "organisation_id",
        ];
        const ADMIN: &[&str] = &[
            "username",
            "display_name",
            "email",
            "password",
            "role",
            "organisation_id",
            "active",
        ];
        let own = user.user_id == self.user_id;
        match (self.role, own) {
            (Role::Admin, true) => ADMIN_OWN,
            (Role::Admin, false) => ADMIN,
            (Role::Coordinator, true) => COORDINATOR_OWN,
            (Role::Coordinator, false) => COORDINATOR,
            _ => OWN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG_A: u8 = 1;
    const ORG_B: u8 = 2;

    fn actor(id: u8, org: u8, role: Role) -> Actor<u8> {
        Actor {
            user_id: id,
            organisation_id: org,
            role,
        }
    }
    fn subject(id: u8, org: u8, role: Role) -> Subject<u8> {
        Subject {
            user_id: id,
            organisation_id: org,
            role,
        }
    }

    #[test]
    fn roles_are_stored_as_their_wire_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_value(role).expect("json"),
                serde_json::Value::from(role.as_str())
            );
            assert_eq!(
                <Role as crate::workflow::TextEnum>::parse(role.as_str()),
                Some(role)
            );
        }
        assert_eq!(Role::parse("Admin"), None);
        assert_eq!(<Role as crate::workflow::TextEnum>::ALL, &Role::ALL);
    }

    #[test]
    fn only_admins_and_coordinators_are_staff() {
        for role in Role::ALL {
            assert_eq!(
                role.is_staff(),
                matches!(role, Role::Admin | Role::Coordinator),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_integration_clients_are_machines() {
        for role in Role::ALL {
            assert_eq!(role.is_machine(), role == Role::Integration, "{role:?}");
        }
    }

    #[test]
    fn visibility() {
        let coordinator = actor(1, ORG_A, Role::Coordinator);
        assert!(coordinator.can_see(&subject(2, ORG_A, Role::PeerWorker)));
        assert!(!coordinator.can_see(&subject(3, ORG_B, Role::PeerWorker)));
        let peer = actor(4, ORG_A, Role::PeerWorker);
        assert!(peer.can_see(&subject(4, ORG_A, Role::PeerWorker)));
        assert!(!peer.can_see(&subject(2, ORG_A, Role::PeerWorker)));
        assert!(actor(5, ORG_B, Role::Admin).can_see(&subject(2, ORG_A, Role::PeerWorker)));
    }

    #[test]
    fn a_coordinator_never_makes_an_admin() {
        let coordinator = actor(1, ORG_A, Role::Coordinator);
        assert!(coordinator.may_create(ORG_A, Role::PeerWorker).is_ok());
        assert!(matches!(
            coordinator.may_create(ORG_A, Role::Admin),
            Err(UserRuleError::Forbidden(_))
        ));
        assert!(matches!(
            coordinator.may_create(ORG_B, Role::PeerWorker),
            Err(UserRuleError::Forbidden(_))
        ));
        let peer = subject(2, ORG_A, Role::PeerWorker);
        assert!(coordinator.may_manage(&peer, Role::Coordinator).is_ok());
        assert!(matches!(
            coordinator.may_manage(&peer, Role::Admin),
            Err(UserRuleError::Forbidden(_))
        ));
        assert_eq!(
            coordinator.may_manage(&subject(3, ORG_B, Role::PeerWorker), Role::PeerWorker),
            Err(UserRuleError::Invisible)
        );
        assert!(
            !coordinator
                .writable_user_fields(&subject(1, ORG_A, Role::Coordinator))
                .contains(&"role")
        );
    }

    #[test]
    fn other_roles_only_touch_their_own_profile() {
        for role in [
            Role::PeerWorker,
            Role::Professional,
            Role::Evaluator,
            Role::Integration,
        ] {
            let me = actor(1, ORG_A, role);
            assert!(me.may_create(ORG_A, Role::PeerWorker).is_err());
            assert_eq!(
                me.writable_user_fields(&subject(1, ORG_A, role)),
                ["display_name", "email", "password"]
            );
        }
    }
}
