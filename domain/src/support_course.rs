//! Support courses (forløb): one citizen's period of one-to-one support by a peer guide.

use crate::workflow::Workflow;

crate::text_enum! {
    /// The one-to-one models a support course runs under.
    pub enum SupportModel {
        PeerGuide => "peer_guide",
        IndividualPeerSupport => "individual_peer_support",
        EmploymentSupport => "employment_support",
    }
}

crate::text_enum! {
    /// Where a support course is in its workflow.
    pub enum SupportStatus {
        Requested => "requested",
        Matched => "matched",
        Active => "active",
        Paused => "paused",
        Completed => "completed",
        EndedEarly => "ended_early",
        Cancelled => "cancelled",
    }
}

impl Workflow for SupportStatus {
    /// The moves the workflow allows from here (`spec/domain.md`):
    ///
    /// ```text
    /// requested -> matched -> active <-> paused
    ///                           +-> completed | ended_early (reason)
    /// requested | matched -> cancelled (reason)
    /// ```
    /// A paused course may also end early: a citizen can leave while paused.
    fn allowed(self) -> &'static [SupportStatus] {
        use SupportStatus::*;
        match self {
            Requested => &[Matched, Cancelled],
            Matched => &[Active, Cancelled],
            Active => &[Paused, Completed, EndedEarly],
            Paused => &[Active, EndedEarly],
            Completed | EndedEarly | Cancelled => &[],
        }
    }
}

impl SupportStatus {
    /// Open courses count against a peer worker's capacity; one open course per citizen and model.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Requested | Self::Matched | Self::Active | Self::Paused
        )
    }

    /// The open statuses, as stored.
    pub const OPEN: [&'static str; 4] = ["requested", "matched", "active", "paused"];

    /// Moves that must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::EndedEarly | Self::Cancelled)
    }

    /// Contacts are logged only while the support runs.
    pub fn takes_contacts(self) -> bool {
        matches!(self, Self::Active | Self::Paused)
    }
}

crate::text_enum! {
    /// The life domain a goal belongs to.
    pub enum GoalDomain {
        Work => "work",
        Education => "education",
        Housing => "housing",
        SocialNetwork => "social_network",
        Health => "health",
        EverydayLife => "everyday_life",
        Leisure => "leisure",
        Other => "other",
    }
}

crate::text_enum! {
    /// How far a goal has come.
    pub enum GoalStatus {
        Open => "open",
        InProgress => "in_progress",
        Achieved => "achieved",
        Dropped => "dropped",
    }
}

crate::text_enum! {
    /// How a contact between peer and citizen took place.
    pub enum ContactMode {
        InPerson => "in_person",
        Phone => "phone",
        Video => "video",
        Text => "text",
        Accompaniment => "accompaniment",
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
    use crate::workflow::TextEnum;

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
        for &from in SupportStatus::ALL {
            for &to in SupportStatus::ALL {
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
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, [Requested, Matched, Active, Paused]);
        assert_eq!(
            open.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            SupportStatus::OPEN
        );
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
