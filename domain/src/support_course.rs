//! Support courses (forløb): one citizen's period of one-to-one support by a peer guide.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The one-to-one models a support course runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportModel {
    PeerGuide,
    IndividualPeerSupport,
    EmploymentSupport,
}

impl SupportModel {
    pub const ALL: [Self; 3] = [
        Self::PeerGuide,
        Self::IndividualPeerSupport,
        Self::EmploymentSupport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PeerGuide => "peer_guide",
            Self::IndividualPeerSupport => "individual_peer_support",
            Self::EmploymentSupport => "employment_support",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

/// Where a support course is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    Requested,
    Matched,
    Active,
    Paused,
    Completed,
    EndedEarly,
    Cancelled,
}

impl SupportStatus {
    pub const ALL: [Self; 7] = [
        Self::Requested,
        Self::Matched,
        Self::Active,
        Self::Paused,
        Self::Completed,
        Self::EndedEarly,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Matched => "matched",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::EndedEarly => "ended_early",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The moves the workflow allows from here (`spec/domain.md`):
    ///
    /// ```text
    /// requested -> matched -> active <-> paused
    ///                           +-> completed | ended_early (reason)
    /// requested | matched -> cancelled (reason)
    /// ```
    /// A paused course may also end early: a citizen can leave while paused.
    pub fn allowed(self) -> &'static [SupportStatus] {
        use SupportStatus::*;
        match self {
            Requested => &[Matched, Cancelled],
            Matched => &[Active, Cancelled],
            Active => &[Paused, Completed, EndedEarly],
            Paused => &[Active, EndedEarly],
            Completed | EndedEarly | Cancelled => &[],
        }
    }

    pub fn can_move_to(self, to: SupportStatus) -> bool {
        self.allowed().contains(&to)
    }

    /// Open courses count against a peer worker's capacity; one open course per citizen and model.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Requested | Self::Matched | Self::Active | Self::Paused
        )
    }

    /// Moves that must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::EndedEarly | Self::Cancelled)
    }

    /// Contacts are logged only while the support runs.
    pub fn takes_contacts(self) -> bool {
        matches!(self, Self::Active | Self::Paused)
    }
}

/// What matching knows of one candidate peer guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<Id> {
    pub peer_worker_id: Id,
    pub name: String,
    pub serves_municipality: bool,
    pub shares_language: bool,
    pub open_courses: i64,
    pub capacity: i64,
}

/// A candidate's place and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked<Id> {
    pub candidate: Candidate<Id>,
    pub rank: usize,
    pub reasons: Vec<String>,
}

/// Ranks qualified, active peer guides with spare capacity: first those serving the citizen's
/// municipality, then those sharing the citizen's language, then the least loaded (open
/// courses as a share of capacity), then by name for a stable order. Candidates without spare
/// capacity are left out.
pub fn rank<Id: Clone>(candidates: Vec<Candidate<Id>>) -> Vec<Ranked<Id>> {
    let mut open: Vec<_> = candidates
        .into_iter()
        .filter(|c| c.open_courses < c.capacity)
        .collect();
    open.sort_by(|a, b| {
        b.serves_municipality
            .cmp(&a.serves_municipality)
            .then(b.shares_language.cmp(&a.shares_language))
            // a.open / a.cap < b.open / b.cap, compared without division.
            .then((a.open_courses * b.capacity).cmp(&(b.open_courses * a.capacity)))
            .then(a.name.cmp(&b.name))
    });
    open.into_iter()
        .enumerate()
        .map(|(i, candidate)| {
            let mut reasons = Vec::new();
            reasons.push(if candidate.serves_municipality {
                "serves the citizen's municipality".to_owned()
            } else {
                "does not serve the citizen's municipality".to_owned()
            });
            reasons.push(if candidate.shares_language {
                "speaks the citizen's preferred language".to_owned()
            } else {
                "does not list the citizen's preferred language".to_owned()
            });
            reasons.push(format!(
                "{} of {} places taken",
                candidate.open_courses, candidate.capacity
            ));
            Ranked {
                candidate,
                rank: i + 1,
                reasons,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::SupportStatus::*;
    use super::*;

    #[test]
    fn the_workflow_exhaustively() {
        let allowed = [
            (Requested, Matched),
            (Requested, Cancelled),
            (Matched, Active),
            (Matched, Cancelled),
            (Active, Paused),
            (Active, Completed),
            (Active, EndedEarly),
            (Paused, Active),
            (Paused, EndedEarly),
        ];
        for from in SupportStatus::ALL {
            for to in SupportStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert!(!Requested.can_move_to(Completed));
    }

    #[test]
    fn open_statuses() {
        let open: Vec<_> = SupportStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, [Requested, Matched, Active, Paused]);
        assert!(Cancelled.needs_reason() && EndedEarly.needs_reason() && !Completed.needs_reason());
    }

    fn candidate(
        id: u8,
        name: &str,
        serves: bool,
        language: bool,
        open: i64,
        capacity: i64,
    ) -> Candidate<u8> {
        Candidate {
            peer_worker_id: id,
            name: name.to_owned(),
            serves_municipality: serves,
            shares_language: language,
            open_courses: open,
            capacity,
        }
    }

    #[test]
    fn ranking_prefers_municipality_then_language_then_load() {
        let ranked = rank(vec![
            candidate(1, "Anna", false, true, 0, 5),
            candidate(2, "Bo", true, false, 0, 5),
            candidate(3, "Carl", true, true, 3, 5),
            candidate(4, "Dorte", true, true, 1, 5),
            candidate(5, "Erik", true, true, 5, 5),
        ]);
        let order: Vec<_> = ranked.iter().map(|r| r.candidate.peer_worker_id).collect();
        assert_eq!(order, [4, 3, 2, 1], "Erik is full and left out");
        assert_eq!(ranked[0].rank, 1);
        assert_eq!(ranked[0].reasons[2], "1 of 5 places taken");
    }
}
