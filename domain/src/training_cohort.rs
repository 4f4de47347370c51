//! Training cohorts: runs of the peer education, their trainers and enrolments.

use crate::error::HasCode;
use crate::peer_worker::{PeerWorkerStatus, QualificationKind, may_train};
use crate::text_enum;
use crate::user::Role;
use crate::workflow::{TextEnum, Workflow, describe_refused_move};
use chrono::NaiveDate;

text_enum! {
    /// The outcome of an enrolment: `enrolled`, then `completed` (with a date) or `dropped_out`.
    pub enum EnrolmentOutcome {
        Enrolled => "enrolled",
        Completed => "completed",
        DroppedOut => "dropped_out",
    }
}

impl Workflow for EnrolmentOutcome {
    fn allowed(self) -> &'static [Self] {
        match self {
            Self::Enrolled => &[Self::Completed, Self::DroppedOut],
            Self::Completed | Self::DroppedOut => &[],
        }
    }
}

impl EnrolmentOutcome {
    /// Whether reaching this outcome grants the cohort's qualifications.
    pub fn grants_qualifications(self) -> bool {
        self == Self::Completed
    }
}

/// A cohort's trainer: a peer worker (as a peer trainer) or a user (a professional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainerRef<Id> {
    PeerWorker(Id),
    User(Id),
}

impl<Id> TrainerRef<Id> {
    /// Exactly one of `peer_worker_id` and `user_id` names the trainer; else `None` (both
    /// fields, code `one_of`: "name exactly one of peer_worker_id and user_id").
    pub fn from_fields(peer_worker_id: Option<Id>, user_id: Option<Id>) -> Option<Self> {
        match (peer_worker_id, user_id) {
            (Some(peer), None) => Some(Self::PeerWorker(peer)),
            (None, Some(user)) => Some(Self::User(user)),
            _ => None,
        }
    }
}

/// A peer worker who may not train a cohort (`409 qualification_missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a peer trainer must be active and hold peer_trainer")]
pub struct NotAPeerTrainer;

impl HasCode for NotAPeerTrainer {
    fn code(&self) -> &'static str {
        "qualification_missing"
    }
}

/// Only an active peer worker holding `peer_trainer` trains a cohort as a peer ([`may_train`]).
pub fn check_peer_trainer(
    status: PeerWorkerStatus,
    holds: &[QualificationKind],
) -> Result<(), NotAPeerTrainer> {
    if may_train(status, holds) {
        Ok(())
    } else {
        Err(NotAPeerTrainer)
    }
}

/// Whether a user of `role` may be a cohort's (professional) trainer: any person, not a
/// machine client. (Which users the actor may name is a matter of scope, not of this rule.)
pub fn user_may_train(role: Role) -> bool {
    !role.is_machine()
}

/// A change of an enrolment's outcome and completion date, with the cohort's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeChange {
    pub from: EnrolmentOutcome,
    pub to: EnrolmentOutcome,
    /// The completion date asked for (the stored one unless changed).
    pub completed_on: Option<NaiveDate>,
    pub cohort_starts_on: NaiveDate,
}

/// Why an enrolment's outcome or completion date may not change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeRefusal {
    /// The outcome is final (`409 invalid_transition`, with `allowed`).
    #[error("{}", describe_refused_move(.from.as_str(), .to.as_str(), .allowed))]
    NotAllowed {
        from: EnrolmentOutcome,
        to: EnrolmentOutcome,
        allowed: Vec<&'static str>,
    },
    /// `completed` without `completed_on` (code `required`).
    #[error("a completion has a date")]
    CompletionDateRequired,
    /// `completed_on` before the cohort starts (code `before_start`).
    #[error("must not be before the cohort starts")]
    CompletedBeforeStart,
    /// `completed_on` on an enrolment that is not `completed` (code `not_allowed`).
    #[error("only a completed enrolment has a completion date")]
    CompletionDateNotAllowed,
}

impl OutcomeRefusal {
    /// The input field a refusal is about, if it is a field error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::NotAllowed { .. } => None,
            _ => Some("completed_on"),
        }
    }
}

impl HasCode for OutcomeRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "invalid_transition",
            Self::CompletionDateRequired => "required",
            Self::CompletedBeforeStart => "before_start",
            Self::CompletionDateNotAllowed => "not_allowed",
        }
    }
}

/// What an allowed outcome change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomePlan {
    /// The day the cohort's qualifications are granted (earned on), when this change completes
    /// the enrolment; `None` when nothing is granted (no change of outcome, or not a
    /// completion).
    pub grants_on: Option<NaiveDate>,
}

/// The enrolment-outcome rules, checked in this order: a change of outcome follows the
/// workflow (an unchanged outcome is no move); `completed_on` is given exactly when the
/// outcome is `completed`, and not before the cohort starts. Reaching `completed` grants the
/// cohort's qualifications on `completed_on`.
pub fn plan_outcome(change: &OutcomeChange) -> Result<OutcomePlan, OutcomeRefusal> {
    if change.to != change.from {
        change
            .from
            .check_move(change.to)
            .map_err(|allowed| OutcomeRefusal::NotAllowed {
                from: change.from,
                to: change.to,
                allowed,
            })?;
    }
    match (change.to, change.completed_on) {
        (EnrolmentOutcome::Completed, None) => Err(OutcomeRefusal::CompletionDateRequired),
        (EnrolmentOutcome::Completed, Some(on)) if on < change.cohort_starts_on => {
            Err(OutcomeRefusal::CompletedBeforeStart)
        }
        (EnrolmentOutcome::Enrolled | EnrolmentOutcome::DroppedOut, Some(_)) => {
            Err(OutcomeRefusal::CompletionDateNotAllowed)
        }
        _ => Ok(OutcomePlan {
            grants_on: change
                .completed_on
                .filter(|_| change.to != change.from && change.to.grants_qualifications()),
        }),
    }
}

/// The qualifications completing a cohort that grants `grants` adds to a peer worker holding
/// `holds`: each granted kind not yet held, once, in the cohort's order (those held stay as
/// they were).
pub fn qualifications_to_grant(
    grants: &[QualificationKind],
    holds: &[QualificationKind],
) -> Vec<QualificationKind> {
    let mut new: Vec<QualificationKind> = Vec::new();
    for &kind in grants {
        if !holds.contains(&kind) && !new.contains(&kind) {
            new.push(kind);
        }
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnrolmentOutcome::*;
    use QualificationKind::*;

    /// `spec/domain.md`: enrolments have outcome `enrolled`, `completed` (date) or
    /// `dropped_out`; an enrolment starts `enrolled` and reaches one of the other two, which
    /// are final (the spec names no way back).
    #[test]
    fn the_enrolment_outcome_workflow_exhaustively() {
        let allowed = [(Enrolled, Completed), (Enrolled, DroppedOut)];
        for &from in EnrolmentOutcome::ALL {
            for &to in EnrolmentOutcome::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn only_completion_grants_qualifications() {
        for &outcome in EnrolmentOutcome::ALL {
            assert_eq!(outcome.grants_qualifications(), outcome == Completed);
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).expect("date")
    }

    fn change(
        from: EnrolmentOutcome,
        to: EnrolmentOutcome,
        completed_on: Option<NaiveDate>,
    ) -> OutcomeChange {
        OutcomeChange {
            from,
            to,
            completed_on,
            cohort_starts_on: day(10),
        }
    }

    #[test]
    fn every_outcome_change_against_every_completion_date() {
        for &from in EnrolmentOutcome::ALL {
            for &to in EnrolmentOutcome::ALL {
                for on in [None, Some(day(9)), Some(day(10)), Some(day(20))] {
                    let expected = if from != to && !from.can_move_to(to) {
                        Err(OutcomeRefusal::NotAllowed {
                            from,
                            to,
                            allowed: from.allowed().iter().map(|s| s.as_str()).collect(),
                        })
                    } else if to == Completed && on.is_none() {
                        Err(OutcomeRefusal::CompletionDateRequired)
                    } else if to == Completed && on < Some(day(10)) {
                        Err(OutcomeRefusal::CompletedBeforeStart)
                    } else if to != Completed && on.is_some() {
                        Err(OutcomeRefusal::CompletionDateNotAllowed)
                    } else {
                        Ok(OutcomePlan {
                            grants_on: on.filter(|_| from != to && to == Completed),
                        })
                    };
                    assert_eq!(
                        plan_outcome(&change(from, to, on)),
                        expected,
                        "{from:?} -> {to:?} on {on:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_completion_needs_a_date() {
        let refused = plan_outcome(&change(Enrolled, Completed, None)).expect_err("no date");
        assert_eq!(refused, OutcomeRefusal::CompletionDateRequired);
        assert_eq!(
            (refused.field(), refused.code()),
            (Some("completed_on"), "required")
        );
        assert_eq!(refused.to_string(), "a completion has a date");
    }

    #[test]
    fn a_completion_is_not_before_the_cohort_starts() {
        assert_eq!(
            plan_outcome(&change(Enrolled, Completed, Some(day(9)))),
            Err(OutcomeRefusal::CompletedBeforeStart)
        );
        assert!(plan_outcome(&change(Enrolled, Completed, Some(day(10)))).is_ok());
    }

    #[test]
    fn only_a_completed_enrolment_has_a_completion_date() {
        for (from, to) in [(Enrolled, Enrolled), (Enrolled, DroppedOut)] {
            assert_eq!(
                plan_outcome(&change(from, to, Some(day(20)))),
                Err(OutcomeRefusal::CompletionDateNotAllowed)
            );
        }
    }

    #[test]
    fn completing_grants_the_cohorts_qualifications_on_the_completion_date() {
        assert_eq!(
            plan_outcome(&change(Enrolled, Completed, Some(day(20)))),
            Ok(OutcomePlan {
                grants_on: Some(day(20))
            })
        );
    }

    #[test]
    fn correcting_the_date_of_a_completion_grants_nothing_again() {
        assert_eq!(
            plan_outcome(&change(Completed, Completed, Some(day(21)))),
            Ok(OutcomePlan { grants_on: None })
        );
    }

    #[test]
    fn a_final_outcome_does_not_move() {
        let refused =
            plan_outcome(&change(DroppedOut, Completed, Some(day(20)))).expect_err("final");
        assert_eq!(
            refused.to_string(),
            "cannot move from dropped_out to completed: dropped_out is final"
        );
        assert_eq!(refused.code(), "invalid_transition");
    }

    #[test]
    fn completion_grants_only_what_is_not_yet_held() {
        assert_eq!(
            qualifications_to_grant(&[PeerGuide, PeerTeacher], &[PeerGuide]),
            [PeerTeacher]
        );
        assert_eq!(
            qualifications_to_grant(&[PeerGuide, PeerTrainer], &[]),
            [PeerGuide, PeerTrainer]
        );
        assert!(qualifications_to_grant(&[PeerGuide], &[PeerGuide, PeerTeacher]).is_empty());
        assert!(qualifications_to_grant(&[], &[]).is_empty());
        assert_eq!(
            qualifications_to_grant(&[PeerGuide, PeerGuide], &[]),
            [PeerGuide]
        );
    }

    #[test]
    fn only_an_active_peer_trainer_trains_a_cohort_as_a_peer() {
        for &status in PeerWorkerStatus::ALL {
            for holds in [&[PeerTrainer][..], &[PeerGuide, PeerTeacher]] {
                assert_eq!(
                    check_peer_trainer(status, holds).is_ok(),
                    status == PeerWorkerStatus::Active && holds.contains(&PeerTrainer),
                    "{status:?} {holds:?}"
                );
            }
        }
        assert_eq!(
            NotAPeerTrainer.to_string(),
            "a peer trainer must be active and hold peer_trainer"
        );
    }

    #[test]
    fn any_person_but_no_machine_client_may_train_as_a_user() {
        for role in Role::ALL {
            assert_eq!(user_may_train(role), role != Role::Integration, "{role:?}");
        }
    }

    #[test]
    fn a_trainer_is_exactly_one_of_a_peer_worker_and_a_user() {
        assert_eq!(
            TrainerRef::from_fields(Some(1), None),
            Some(TrainerRef::PeerWorker(1))
        );
        assert_eq!(
            TrainerRef::from_fields(None, Some(2)),
            Some(TrainerRef::User(2))
        );
        assert_eq!(TrainerRef::from_fields(Some(1), Some(2)), None);
        assert_eq!(TrainerRef::<u8>::from_fields(None, None), None);
    }
}
