//! Supervision sessions of peer workers.

use crate::text_enum;

text_enum! {
    /// Whether a supervision session is one-to-one or for a group.
    pub enum SupervisionFormat {
        Individual => "individual",
        Group => "group",
    }
}

impl SupervisionFormat {
    /// Whether a session of this format may have `distinct_attendees` peer workers: an
    /// individual session has one (field `peer_worker_ids`, code `invalid_length`: "individual
    /// supervision has one peer worker"); a group any number.
    pub fn allows_attendees(self, distinct_attendees: usize) -> bool {
        !(self == Self::Individual && distinct_attendees > 1)
    }
}

/// Who supervises a session: a user (a professional) or an experienced peer worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervisor<Id> {
    User(Id),
    PeerWorker(Id),
}

impl<Id> Supervisor<Id> {
    /// Exactly one of `supervisor_user_id` and `supervisor_peer_worker_id` names the
    /// supervisor; else `None` (both fields, code `one_of`: "name exactly one supervisor").
    pub fn from_fields(user_id: Option<Id>, peer_worker_id: Option<Id>) -> Option<Self> {
        match (user_id, peer_worker_id) {
            (Some(user), None) => Some(Self::User(user)),
            (None, Some(peer)) => Some(Self::PeerWorker(peer)),
            _ => None,
        }
    }
}

impl<Id: PartialEq> Supervisor<Id> {
    /// Whether the supervisor is among the attendees: a peer supervisor does not attend its
    /// own session (field `supervisor_peer_worker_id`, code `not_allowed`).
    pub fn attends(&self, attendees: &[Id]) -> bool {
        match self {
            Self::User(_) => false,
            Self::PeerWorker(peer) => attendees.contains(peer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;

    #[test]
    fn formats_round_trip() {
        for format in SupervisionFormat::ALL {
            assert_eq!(SupervisionFormat::parse(format.as_str()), Some(*format));
        }
    }

    #[test]
    fn individual_supervision_has_one_peer_worker_and_a_group_any_number() {
        for n in 0..5 {
            assert_eq!(SupervisionFormat::Individual.allows_attendees(n), n <= 1);
            assert!(SupervisionFormat::Group.allows_attendees(n));
        }
    }

    #[test]
    fn a_session_has_exactly_one_supervisor() {
        assert_eq!(
            Supervisor::from_fields(Some(1), None),
            Some(Supervisor::User(1))
        );
        assert_eq!(
            Supervisor::from_fields(None, Some(2)),
            Some(Supervisor::PeerWorker(2))
        );
        assert_eq!(Supervisor::from_fields(Some(1), Some(2)), None);
        assert_eq!(Supervisor::<u8>::from_fields(None, None), None);
    }

    #[test]
    fn a_peer_supervisor_does_not_attend_its_own_session() {
        assert!(Supervisor::PeerWorker(2).attends(&[1, 2]));
        assert!(!Supervisor::PeerWorker(3).attends(&[1, 2]));
        assert!(
            !Supervisor::User(2).attends(&[1, 2]),
            "users are not attendees"
        );
    }
}
