//! Peer workers: people with lived experience who give peer support, their engagement,
//! status workflow and qualifications.

use crate::error::FieldErrors;
use crate::text_enum;
use crate::workflow::Workflow;
use chrono::NaiveDate;

text_enum! {
    /// A peer worker's status: `recruited → in_training → active ⇄ on_leave → ended`
    /// (`ended` is reachable from every other status and is final).
    pub enum PeerWorkerStatus {
        Recruited => "recruited",
        InTraining => "in_training",
        Active => "active",
        OnLeave => "on_leave",
        Ended => "ended",
    }
}

impl Workflow for PeerWorkerStatus {
    fn allowed(self) -> &'static [Self] {
        use PeerWorkerStatus::*;
        match self {
            Recruited => &[InTraining, Ended],
            InTraining => &[Active, Ended],
            Active => &[OnLeave, Ended],
            OnLeave => &[Active, Ended],
            Ended => &[],
        }
    }
}

text_enum! {
    /// How a peer worker is engaged.
    pub enum Engagement {
        Employed => "employed",
        Volunteer => "volunteer",
        Mentor => "mentor",
    }
}

text_enum! {
    /// What a peer worker is qualified to do.
    pub enum QualificationKind {
        /// Accompany citizens one-to-one.
        PeerGuide => "peer_guide",
        /// Co-teach courses.
        PeerTeacher => "peer_teacher",
        /// Train new peer workers.
        PeerTrainer => "peer_trainer",
    }
}

text_enum! {
    /// How a qualification was earned.
    pub enum EarnedVia {
        /// By completing a training cohort that grants it.
        TrainingCohort => "training_cohort",
        /// Recorded by a coordinator, with evidence.
        Recorded => "recorded",
    }
}

/// The most hours a week an employed peer worker can be engaged for.
pub const MAX_HOURS_PER_WEEK: i32 = 80;

/// Checks that `hours_per_week` goes with the engagement: required for `employed`, absent
/// otherwise.
pub fn check_engagement(
    engagement: Engagement,
    hours_per_week: Option<i32>,
    errors: &mut FieldErrors,
) {
    match (engagement, hours_per_week) {
        (Engagement::Employed, None) => errors.push(
            "hours_per_week",
            "required",
            "an employed peer worker has hours per week",
        ),
        (Engagement::Volunteer | Engagement::Mentor, Some(_)) => errors.push(
            "hours_per_week",
            "not_allowed",
            "only an employed peer worker has hours per week",
        ),
        _ => {}
    }
}

/// Whether the peer worker may train a cohort as a peer trainer: active and holding
/// `peer_trainer`.
pub fn may_train(status: PeerWorkerStatus, holds: &[QualificationKind]) -> bool {
    status == PeerWorkerStatus::Active && holds.contains(&QualificationKind::PeerTrainer)
}

/// Whether an active peer worker is overdue for supervision on `today`: the last supervision
/// (or, lacking one, the day they became active) lies more than `interval_days` back.
pub fn supervision_overdue(since: NaiveDate, interval_days: i32, today: NaiveDate) -> bool {
    (today - since).num_days() > i64::from(interval_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;
    use PeerWorkerStatus::*;

    #[test]
    fn the_status_workflow_exhaustively() {
        let allowed = [
            (Recruited, InTraining),
            (Recruited, Ended),
            (InTraining, Active),
            (InTraining, Ended),
            (Active, OnLeave),
            (Active, Ended),
            (OnLeave, Active),
            (OnLeave, Ended),
        ];
        for from in PeerWorkerStatus::ALL {
            for to in PeerWorkerStatus::ALL {
                assert_eq!(
                    from.can_move_to(*to),
                    allowed.contains(&(*from, *to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn hours_go_with_employment() {
        let mut errors = FieldErrors::new();
        check_engagement(Engagement::Employed, Some(20), &mut errors);
        check_engagement(Engagement::Volunteer, None, &mut errors);
        assert!(errors.is_empty());
        check_engagement(Engagement::Employed, None, &mut errors);
        check_engagement(Engagement::Mentor, Some(3), &mut errors);
        let codes: Vec<_> = errors.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["required", "not_allowed"]);
    }

    #[test]
    fn only_an_active_peer_trainer_trains() {
        use QualificationKind::*;
        assert!(may_train(Active, &[PeerGuide, PeerTrainer]));
        assert!(!may_train(Active, &[PeerGuide]));
        assert!(!may_train(OnLeave, &[PeerTrainer]));
    }

    #[test]
    fn overdue_only_after_the_interval() {
        let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let day = |n| day0 + chrono::TimeDelta::days(n);
        assert!(!supervision_overdue(day0, 30, day(29)));
        assert!(!supervision_overdue(day0, 30, day(30)));
        assert!(supervision_overdue(day0, 30, day(31)));
    }
}
