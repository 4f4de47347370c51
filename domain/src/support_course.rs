//! Support courses (forløb): one citizen's period of one-to-one support by a peer guide.

use crate::error::HasCode;
use crate::peer_worker::{GuideFacts, check_guide, has_free_place};
use crate::workflow::{TextEnum, Workflow, describe_refused_move};
use chrono::NaiveDate;

crate::text_enum! {
    /// The one-to-one models a support course runs under.
    pub enum SupportModel {
        PeerGuide => "peer_guide",
        IndividualPeerSupport => "individual_peer_support",
        EmploymentSupport => "employment_support",
    }
}

impl SupportModel {
    /// The programme model a programme must offer to run a course of this model.
    pub fn offered_as(self) -> crate::programme::Model {
        use crate::programme::Model;
        match self {
            Self::PeerGuide => Model::PeerGuide,
            Self::IndividualPeerSupport => Model::IndividualPeerSupport,
            Self::EmploymentSupport => Model::EmploymentSupport,
        }
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

    /// Moves into these need the course's peer worker.
    pub fn needs_peer_worker(self) -> bool {
        matches!(self, Self::Matched | Self::Active)
    }

    /// Whether a course in this status may drop its peer worker: only a `requested` one; a
    /// matched or running course (or a closed one) keeps it.
    pub fn may_drop_peer_worker(self) -> bool {
        self == Self::Requested
    }
}

/// A requested move of a support course, with what the rules need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionFacts<'a> {
    pub from: SupportStatus,
    pub to: SupportStatus,
    /// The reason given, if any; a blank one counts as none.
    pub reason: Option<&'a str>,
    /// Whether the course has a peer worker.
    pub has_peer_worker: bool,
}

/// Why a support course may not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionRefusal {
    /// The workflow does not allow `from → to` (`409 invalid_transition`, with `allowed`).
    #[error("{}", describe_refused_move(.from.as_str(), .to.as_str(), .allowed))]
    NotAllowed {
        from: SupportStatus,
        to: SupportStatus,
        allowed: Vec<&'static str>,
    },
    /// Ending early and cancelling say why (field `reason`, code `required`).
    #[error("moving to {} needs a reason", .to.as_str())]
    ReasonRequired { to: SupportStatus },
    /// Matching and activating need the course's peer worker (field `peer_worker_id`, code
    /// `required`).
    #[error("set the course's peer worker first")]
    PeerWorkerRequired,
}

impl TransitionRefusal {
    /// The input field a refusal is about, if it is a field error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::NotAllowed { .. } => None,
            Self::ReasonRequired { .. } => Some("reason"),
            Self::PeerWorkerRequired => Some("peer_worker_id"),
        }
    }
}

impl HasCode for TransitionRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "invalid_transition",
            Self::ReasonRequired { .. } | Self::PeerWorkerRequired => "required",
        }
    }
}

/// What an allowed move does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionPlan {
    /// The peer worker must pass [`check_guide`] again (moving from `requested` or `paused`
    /// into `matched` or `active`): it may have gone on leave or filled up meanwhile.
    pub recheck_guide: bool,
    /// The move closes the course (`closed_at` is set); otherwise it stays open.
    pub closes: bool,
    /// The reason to keep in the history: the one given, unless blank.
    pub reason: Option<String>,
}

/// The support-course workflow with its preconditions, checked in this order: the move is
/// allowed; ending early or cancelling has a non-blank reason; matching or activating has a
/// peer worker. The guide rule itself needs the peer's facts: the plan says when to check it.
pub fn plan_transition(f: &TransitionFacts) -> Result<TransitionPlan, TransitionRefusal> {
    f.from
        .check_move(f.to)
        .map_err(|allowed| TransitionRefusal::NotAllowed {
            from: f.from,
            to: f.to,
            allowed,
        })?;
    let reason = f.reason.filter(|r| !r.trim().is_empty());
    if f.to.needs_reason() && reason.is_none() {
        return Err(TransitionRefusal::ReasonRequired { to: f.to });
    }
    if f.to.needs_peer_worker() && !f.has_peer_worker {
        return Err(TransitionRefusal::PeerWorkerRequired);
    }
    Ok(TransitionPlan {
        recheck_guide: f.to.needs_peer_worker()
            && matches!(f.from, SupportStatus::Requested | SupportStatus::Paused),
        closes: !f.to.is_open(),
        reason: reason.map(str::to_owned),
    })
}

/// What setting a course's peer worker (on `PATCH`) asks of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerWorkerChange {
    /// The same peer worker (or still none): nothing to check.
    Unchanged,
    /// A new peer worker: it must pass [`check_guide`] for this course.
    CheckGuide,
    /// The peer worker is removed from a `requested` course.
    Dropped,
}

/// A matched or running course keeps its peer worker: removing it is refused (field
/// `peer_worker_id`, code `required`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a matched or running course keeps its peer worker")]
pub struct KeepsPeerWorker;

impl HasCode for KeepsPeerWorker {
    fn code(&self) -> &'static str {
        "required"
    }
}

/// The rule for changing a course's peer worker from `before` to `after` while the course is
/// in `status`: a new one is checked as a guide; only a `requested` course may drop it.
pub fn plan_peer_worker_change<Id: PartialEq>(
    status: SupportStatus,
    before: Option<&Id>,
    after: Option<&Id>,
) -> Result<PeerWorkerChange, KeepsPeerWorker> {
    match after {
        _ if before == after => Ok(PeerWorkerChange::Unchanged),
        Some(_) => Ok(PeerWorkerChange::CheckGuide),
        None if status.may_drop_peer_worker() => Ok(PeerWorkerChange::Dropped),
        None => Err(KeepsPeerWorker),
    }
}

/// Why a contact may not be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactRefusal {
    /// The contact's date is after today (field `date`, code `in_future`).
    #[error("a contact is logged after it took place")]
    InFuture,
    /// The course is not `active` or `paused` (`409 conflict`).
    #[error("contacts are logged on active or paused support courses; this one is {}", .status.as_str())]
    NotOpenForContacts { status: SupportStatus },
}

impl HasCode for ContactRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::InFuture => "in_future",
            Self::NotOpenForContacts { .. } => "conflict",
        }
    }
}

/// The contact rule, checked in this order: a contact is logged after it took place (`date`
/// not after `today`), and only on an `active` or `paused` course.
pub fn check_contact(
    status: SupportStatus,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), ContactRefusal> {
    if date > today {
        return Err(ContactRefusal::InFuture);
    }
    if !status.takes_contacts() {
        return Err(ContactRefusal::NotOpenForContacts { status });
    }
    Ok(())
}

/// The peer worker a contact is logged for: the one named, else the course's; `None` means
/// one must be named (field `peer_worker_id`, code `required`).
pub fn contact_peer_worker<Id>(named: Option<Id>, course_peer_worker: Option<Id>) -> Option<Id> {
    named.or(course_peer_worker)
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

/// A candidate with what the guide rule needs: its status and whether it holds `peer_guide`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideCandidate<Id> {
    pub candidate: Candidate<Id>,
    pub status: crate::peer_worker::PeerWorkerStatus,
    pub holds_peer_guide: bool,
}

impl<Id> GuideCandidate<Id> {
    /// The facts [`check_guide`] decides on.
    pub fn facts(&self) -> GuideFacts {
        GuideFacts {
            status: self.status,
            holds_peer_guide: self.holds_peer_guide,
            open_courses: self.candidate.open_courses,
            capacity: self.candidate.capacity,
        }
    }
}

/// Ranks the candidates the guide rule ([`check_guide`]) accepts, as [`rank`] does: those
/// not active, not holding `peer_guide` or without a free place are left out.
pub fn rank_guides<Id: Clone>(candidates: Vec<GuideCandidate<Id>>) -> Vec<Ranked<Id>> {
    rank(
        candidates
            .into_iter()
            .filter(|c| check_guide(&c.facts()).is_ok())
            .map(|c| c.candidate)
            .collect(),
    )
}

/// Ranks qualified, active peer guides with spare capacity: first those serving the citizen's
/// municipality, then those sharing the citizen's language, then the least loaded (open
/// courses as a share of capacity), then by name for a stable order. Candidates without a
/// free place ([`has_free_place`], the capacity half of the guide rule) are left out; the
/// caller vouches for status and qualification, or uses [`rank_guides`].
pub fn rank<Id: Clone>(candidates: Vec<Candidate<Id>>) -> Vec<Ranked<Id>> {
    let mut open: Vec<_> = candidates
        .into_iter()
        .filter(|c| has_free_place(c.open_courses, c.capacity))
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
    use crate::peer_worker::PeerWorkerStatus;

    /// The table of `spec/domain.md`, read arrow by arrow:
    ///
    /// ```text
    /// requested -> matched -> active <-> paused
    ///                           |
    ///                           +-> completed | ended_early (reason)
    /// requested | matched -> cancelled (reason)
    /// ```
    const SPEC: [(SupportStatus, SupportStatus); 8] = [
        (Requested, Matched),
        (Matched, Active),
        (Active, Paused),
        (Paused, Active),
        (Active, Completed),
        (Active, EndedEarly),
        (Requested, Cancelled),
        (Matched, Cancelled),
    ];

    /// Moves the code allows beyond the spec's drawing (reported, not silently changed): a
    /// citizen may leave while paused.
    const BEYOND_SPEC: [(SupportStatus, SupportStatus); 1] = [(Paused, EndedEarly)];

    #[test]
    fn the_support_course_workflow_is_the_spec_table_exhaustively() {
        for &from in SupportStatus::ALL {
            for &to in SupportStatus::ALL {
                let expected = SPEC.contains(&(from, to)) || BEYOND_SPEC.contains(&(from, to));
                assert_eq!(from.can_move_to(to), expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn completed_ended_early_and_cancelled_are_final() {
        for status in [Completed, EndedEarly, Cancelled] {
            assert!(status.allowed().is_empty(), "{status:?}");
            assert!(!status.is_open());
        }
    }

    #[test]
    fn requested_matched_active_and_paused_are_open() {
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
    }

    fn facts(
        from: SupportStatus,
        to: SupportStatus,
        reason: Option<&str>,
        has_peer_worker: bool,
    ) -> TransitionFacts<'_> {
        TransitionFacts {
            from,
            to,
            reason,
            has_peer_worker,
        }
    }

    #[test]
    fn every_move_against_every_precondition() {
        for &from in SupportStatus::ALL {
            for &to in SupportStatus::ALL {
                for reason in [None, Some("  "), Some("moved away")] {
                    for has_peer_worker in [false, true] {
                        let result = plan_transition(&facts(from, to, reason, has_peer_worker));
                        let given = reason.filter(|r| !r.trim().is_empty());
                        let expected = if !from.can_move_to(to) {
                            Err(TransitionRefusal::NotAllowed {
                                from,
                                to,
                                allowed: from.allowed().iter().map(|s| s.as_str()).collect(),
                            })
                        } else if matches!(to, EndedEarly | Cancelled) && given.is_none() {
                            Err(TransitionRefusal::ReasonRequired { to })
                        } else if matches!(to, Matched | Active) && !has_peer_worker {
                            Err(TransitionRefusal::PeerWorkerRequired)
                        } else {
                            Ok(TransitionPlan {
                                recheck_guide: matches!(to, Matched | Active)
                                    && matches!(from, Requested | Paused),
                                closes: matches!(to, Completed | EndedEarly | Cancelled),
                                reason: given.map(str::to_owned),
                            })
                        };
                        assert_eq!(
                            result, expected,
                            "{from:?} -> {to:?}, {reason:?}, peer {has_peer_worker}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_move_the_workflow_does_not_allow_is_refused_first() {
        let refused = plan_transition(&facts(Requested, Completed, None, false));
        let refused = refused.expect_err("refused");
        assert_eq!(
            refused,
            TransitionRefusal::NotAllowed {
                from: Requested,
                to: Completed,
                allowed: vec!["matched", "cancelled"]
            }
        );
        assert_eq!(
            refused.to_string(),
            "cannot move from requested to completed; allowed: matched, cancelled"
        );
        assert_eq!(refused.code(), "invalid_transition");
        assert_eq!(refused.field(), None);
    }

    #[test]
    fn ending_early_or_cancelling_needs_a_reason_and_a_blank_one_is_none() {
        for (from, to) in [
            (Active, EndedEarly),
            (Paused, EndedEarly),
            (Requested, Cancelled),
        ] {
            for blank in [None, Some(""), Some(" \t ")] {
                let refused =
                    plan_transition(&facts(from, to, blank, true)).expect_err("no reason");
                assert_eq!(refused, TransitionRefusal::ReasonRequired { to });
                assert_eq!(refused.field(), Some("reason"));
                assert_eq!(refused.code(), "required");
            }
        }
        assert_eq!(
            TransitionRefusal::ReasonRequired { to: EndedEarly }.to_string(),
            "moving to ended_early needs a reason"
        );
        let plan = plan_transition(&facts(Matched, Cancelled, Some(" Moved away "), false))
            .expect("allowed");
        assert_eq!(
            plan.reason.as_deref(),
            Some(" Moved away "),
            "kept as given"
        );
        assert!(plan.closes && !plan.recheck_guide);
    }

    #[test]
    fn matched_needs_a_peer_worker() {
        let refused = plan_transition(&facts(Requested, Matched, None, false)).expect_err("none");
        assert_eq!(refused, TransitionRefusal::PeerWorkerRequired);
        assert_eq!(refused.field(), Some("peer_worker_id"));
        assert_eq!(refused.to_string(), "set the course's peer worker first");
    }

    #[test]
    fn active_needs_a_peer_worker() {
        for from in [Matched, Paused] {
            assert_eq!(
                plan_transition(&facts(from, Active, None, false)),
                Err(TransitionRefusal::PeerWorkerRequired)
            );
        }
    }

    #[test]
    fn the_guide_is_checked_again_when_matching_or_resuming_but_not_when_starting() {
        let recheck = |from, to| {
            plan_transition(&facts(from, to, None, true))
                .expect("allowed")
                .recheck_guide
        };
        assert!(recheck(Requested, Matched));
        assert!(recheck(Paused, Active));
        assert!(
            !recheck(Matched, Active),
            "matched just now: already checked"
        );
        assert!(!recheck(Active, Paused));
        assert!(!recheck(Active, Completed));
    }

    #[test]
    fn only_a_requested_course_may_drop_its_peer_worker() {
        for &status in SupportStatus::ALL {
            assert_eq!(
                plan_peer_worker_change(status, Some(&1), None),
                if status == Requested {
                    Ok(PeerWorkerChange::Dropped)
                } else {
                    Err(KeepsPeerWorker)
                },
                "{status:?}"
            );
            assert_eq!(status.may_drop_peer_worker(), status == Requested);
        }
        assert_eq!(
            KeepsPeerWorker.to_string(),
            "a matched or running course keeps its peer worker"
        );
    }

    #[test]
    fn a_new_peer_worker_is_checked_as_a_guide_and_an_unchanged_one_is_not() {
        for &status in SupportStatus::ALL {
            assert_eq!(
                plan_peer_worker_change(status, Some(&1), Some(&2)),
                Ok(PeerWorkerChange::CheckGuide)
            );
            assert_eq!(
                plan_peer_worker_change(status, None, Some(&2)),
                Ok(PeerWorkerChange::CheckGuide)
            );
            assert_eq!(
                plan_peer_worker_change(status, Some(&1), Some(&1)),
                Ok(PeerWorkerChange::Unchanged)
            );
            assert_eq!(
                plan_peer_worker_change::<u8>(status, None, None),
                Ok(PeerWorkerChange::Unchanged)
            );
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
    }

    #[test]
    fn contacts_only_on_an_active_or_paused_course() {
        for &status in SupportStatus::ALL {
            assert_eq!(
                check_contact(status, day(1), day(2)),
                if matches!(status, Active | Paused) {
                    Ok(())
                } else {
                    Err(ContactRefusal::NotOpenForContacts { status })
                },
                "{status:?}"
            );
        }
        assert_eq!(
            ContactRefusal::NotOpenForContacts { status: Requested }.to_string(),
            "contacts are logged on active or paused support courses; this one is requested"
        );
    }

    #[test]
    fn a_contact_is_logged_after_it_took_place() {
        assert_eq!(
            check_contact(Active, day(2), day(2)),
            Ok(()),
            "today is fine"
        );
        assert_eq!(
            check_contact(Active, day(3), day(2)),
            Err(ContactRefusal::InFuture)
        );
        assert_eq!(
            ContactRefusal::InFuture.to_string(),
            "a contact is logged after it took place"
        );
        assert_eq!(ContactRefusal::InFuture.code(), "in_future");
    }

    #[test]
    fn a_future_date_is_refused_before_a_closed_course() {
        assert_eq!(
            check_contact(Completed, day(3), day(2)),
            Err(ContactRefusal::InFuture)
        );
    }

    #[test]
    fn a_contact_is_for_the_named_peer_worker_else_the_courses() {
        assert_eq!(contact_peer_worker(Some(1), Some(2)), Some(1));
        assert_eq!(contact_peer_worker(None, Some(2)), Some(2));
        assert_eq!(contact_peer_worker::<u8>(None, None), None);
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

    #[test]
    fn ranking_compares_load_as_a_share_of_capacity_then_name() {
        let ranked = rank(vec![
            candidate(1, "Bo", true, true, 2, 4),
            candidate(2, "Anna", true, true, 1, 2),
            candidate(3, "Carl", true, true, 1, 3),
        ]);
        let order: Vec<_> = ranked.iter().map(|r| r.candidate.peer_worker_id).collect();
        assert_eq!(order, [3, 2, 1], "1/3 < 1/2 = 2/4, then Anna before Bo");
        assert_eq!(
            ranked[2].reasons,
            [
                "serves the citizen's municipality",
                "speaks the citizen's preferred language",
                "2 of 4 places taken"
            ]
        );
    }

    fn guide(
        id: u8,
        status: PeerWorkerStatus,
        holds_peer_guide: bool,
        open: i64,
    ) -> GuideCandidate<u8> {
        GuideCandidate {
            candidate: candidate(id, &format!("P{id}"), true, true, open, 3),
            status,
            holds_peer_guide,
        }
    }

    #[test]
    fn ranking_leaves_out_exactly_whom_the_guide_rule_refuses() {
        let mut pool = Vec::new();
        let mut id = 0;
        for &status in PeerWorkerStatus::ALL {
            for holds in [false, true] {
                for open in 0..5 {
                    id += 1;
                    pool.push(guide(id, status, holds, open));
                }
            }
        }
        let accepted: Vec<u8> = pool
            .iter()
            .filter(|c| check_guide(&c.facts()).is_ok())
            .map(|c| c.candidate.peer_worker_id)
            .collect();
        let mut ranked: Vec<u8> = rank_guides(pool)
            .iter()
            .map(|r| r.candidate.peer_worker_id)
            .collect();
        ranked.sort_unstable();
        assert_eq!(ranked, accepted);
        assert_eq!(
            ranked.len(),
            3,
            "active, holding peer_guide, 0-2 of 3 taken"
        );
    }

    #[test]
    fn a_peer_guide_on_leave_is_not_a_candidate() {
        let ranked = rank_guides(vec![
            guide(1, PeerWorkerStatus::OnLeave, true, 0),
            guide(2, PeerWorkerStatus::Active, true, 0),
        ]);
        assert_eq!(ranked.len(), 1);
        assert_eq!(ranked[0].candidate.peer_worker_id, 2);
    }

    #[test]
    fn a_full_peer_guide_is_not_a_candidate() {
        assert!(rank(vec![candidate(1, "Anna", true, true, 3, 3)]).is_empty());
        assert!(rank_guides(vec![guide(1, PeerWorkerStatus::Active, true, 3)]).is_empty());
    }

    #[test]
    fn a_course_model_is_the_programme_model_of_the_same_name() {
        for model in <SupportModel as TextEnum>::ALL {
            assert_eq!(model.offered_as().as_str(), model.as_str());
        }
    }
}
