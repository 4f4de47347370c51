//! Peer workers: people with lived experience who give peer support, their engagement,
//! status workflow and qualifications.

use crate::error::{FieldErrors, HasCode};
use crate::programme::DEFAULT_SUPERVISION_INTERVAL_DAYS;
use crate::text_enum;
use crate::workflow::{TextEnum, Workflow};
use chrono::{NaiveDate, TimeDelta};

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

impl PeerWorkerStatus {
    /// Only an active peer worker guides, teaches, trains, or is due for supervision.
    pub fn is_active(self) -> bool {
        self == Self::Active
    }
}

/// Whether a peer worker in `status` holding `holds` may act on `kind`: active and holding it.
fn active_holding(
    status: PeerWorkerStatus,
    holds: &[QualificationKind],
    kind: QualificationKind,
) -> bool {
    status.is_active() && holds.contains(&kind)
}

/// Whether the peer worker may guide a support course (capacity aside, see [`check_guide`]):
/// active and holding `peer_guide`.
pub fn may_guide(status: PeerWorkerStatus, holds: &[QualificationKind]) -> bool {
    active_holding(status, holds, QualificationKind::PeerGuide)
}

/// Whether the peer worker may teach a course as a peer: active and holding `peer_teacher`.
pub fn may_teach(status: PeerWorkerStatus, holds: &[QualificationKind]) -> bool {
    active_holding(status, holds, QualificationKind::PeerTeacher)
}

/// Whether the peer worker may train a cohort as a peer trainer: active and holding
/// `peer_trainer`.
pub fn may_train(status: PeerWorkerStatus, holds: &[QualificationKind]) -> bool {
    active_holding(status, holds, QualificationKind::PeerTrainer)
}

/// Whether a peer worker guiding `open_courses` open support courses (other than the one being
/// assigned) has a place left under `capacity`.
pub fn has_free_place(open_courses: i64, capacity: i64) -> bool {
    open_courses < capacity
}

/// What the matching rule knows of a peer worker about to guide a support course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuideFacts {
    pub status: PeerWorkerStatus,
    pub holds_peer_guide: bool,
    /// The peer's open support courses other than the one being (re)assigned.
    pub open_courses: i64,
    /// The most support courses the peer takes at once.
    pub capacity: i64,
}

impl GuideFacts {
    /// The facts from the peer's qualifications as held.
    pub fn new(
        status: PeerWorkerStatus,
        holds: &[QualificationKind],
        open_courses: i64,
        capacity: i64,
    ) -> Self {
        Self {
            status,
            holds_peer_guide: holds.contains(&QualificationKind::PeerGuide),
            open_courses,
            capacity,
        }
    }
}

/// Why a peer worker may not guide a support course.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuideRefusal {
    /// Not active, or not holding `peer_guide` (`409 qualification_missing`).
    #[error(
        "a support course is guided by an active peer worker holding peer_guide; this one is {}{}",
        .status.as_str(),
        lacking_peer_guide(*.holds_peer_guide)
    )]
    NotQualified {
        status: PeerWorkerStatus,
        holds_peer_guide: bool,
    },
    /// Already guiding as many open courses as its capacity (`409 capacity_exceeded`).
    #[error("the peer worker already guides {open_courses} open support course(s), its capacity")]
    AtCapacity { open_courses: i64 },
}

fn lacking_peer_guide(holds_peer_guide: bool) -> &'static str {
    if holds_peer_guide {
        ""
    } else {
        " and does not hold peer_guide"
    }
}

impl HasCode for GuideRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::NotQualified { .. } => "qualification_missing",
            Self::AtCapacity { .. } => "capacity_exceeded",
        }
    }
}

/// The matching rule, checked whenever a support course's peer worker is set and when a
/// course moves from `requested` or `paused` into `matched` or `active`: only an active peer
/// worker holding `peer_guide` guides, and never above capacity. Qualification is checked
/// before capacity.
pub fn check_guide(facts: &GuideFacts) -> Result<(), GuideRefusal> {
    if !(facts.status.is_active() && facts.holds_peer_guide) {
        return Err(GuideRefusal::NotQualified {
            status: facts.status,
            holds_peer_guide: facts.holds_peer_guide,
        });
    }
    if !has_free_place(facts.open_courses, facts.capacity) {
        return Err(GuideRefusal::AtCapacity {
            open_courses: facts.open_courses,
        });
    }
    Ok(())
}

/// The supervision interval that applies to a peer worker: the shortest
/// `supervision_interval_days` of its programmes, or the default without one.
pub fn supervision_interval(programme_intervals: impl IntoIterator<Item = i32>) -> i32 {
    programme_intervals
        .into_iter()
        .min()
        .unwrap_or(DEFAULT_SUPERVISION_INTERVAL_DAYS)
}

/// The day a peer worker last became active: the latest move into `active` in its status
/// history (given oldest first, as `(status, day)`).
pub fn became_active_on(
    history: impl IntoIterator<Item = (PeerWorkerStatus, NaiveDate)>,
) -> Option<NaiveDate> {
    history
        .into_iter()
        .filter(|(status, _)| status.is_active())
        .map(|(_, day)| day)
        .last()
}

/// The day supervision is counted from: the last supervision attended (whenever it was, even
/// before the peer last became active), or, never supervised, the day it last became active.
pub fn supervision_since(
    last_supervision_on: Option<NaiveDate>,
    became_active_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    last_supervision_on.or(became_active_on)
}

/// For an active peer worker, the last day before supervision is overdue: the day counted from
/// ([`supervision_since`]) plus the interval. `None` for any other status, or with no day to
/// count from.
pub fn supervision_due_on(
    status: PeerWorkerStatus,
    last_supervision_or_start: Option<NaiveDate>,
    interval_days: i32,
) -> Option<NaiveDate> {
    if !status.is_active() {
        return None;
    }
    last_supervision_or_start?.checked_add_signed(TimeDelta::days(i64::from(interval_days)))
}

/// Whether an active peer worker is overdue for supervision on `today`: the last supervision
/// (or, lacking one, the day they became active) lies more than `interval_days` back.
pub fn supervision_overdue(since: NaiveDate, interval_days: i32, today: NaiveDate) -> bool {
    (today - since).num_days() > i64::from(interval_days)
}

/// Whether a peer worker in `status` is overdue for supervision on `today`: only an active
/// one can be, once `today` is past [`supervision_due_on`].
pub fn overdue_for_supervision(
    status: PeerWorkerStatus,
    last_supervision_or_start: Option<NaiveDate>,
    interval_days: i32,
    today: NaiveDate,
) -> bool {
    status.is_active()
        && last_supervision_or_start
            .is_some_and(|since| supervision_overdue(since, interval_days, today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PeerWorkerStatus::*;
    use QualificationKind::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + TimeDelta::days(n)
    }

    /// `spec/domain.md` lists the statuses (`recruited`, `in_training`, `active`, `on_leave`,
    /// `ended`) but draws no table; this is the table the domain documents:
    /// `recruited → in_training → active ⇄ on_leave`, `ended` from any other status, final.
    #[test]
    fn the_peer_worker_status_workflow_exhaustively() {
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
        for &from in PeerWorkerStatus::ALL {
            for &to in PeerWorkerStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert!(Ended.allowed().is_empty(), "ended is final");
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

    /// Every status against every set of qualifications: `rule` holds exactly for an active
    /// peer worker holding `kind`.
    fn only_active_holders_of(
        kind: QualificationKind,
        rule: fn(PeerWorkerStatus, &[QualificationKind]) -> bool,
    ) {
        let sets: [&[QualificationKind]; 8] = [
            &[],
            &[PeerGuide],
            &[PeerTeacher],
            &[PeerTrainer],
            &[PeerGuide, PeerTeacher],
            &[PeerGuide, PeerTrainer],
            &[PeerTeacher, PeerTrainer],
            &[PeerGuide, PeerTeacher, PeerTrainer],
        ];
        for &status in PeerWorkerStatus::ALL {
            for holds in sets {
                assert_eq!(
                    rule(status, holds),
                    status == Active && holds.contains(&kind),
                    "{kind:?}: {status:?} holding {holds:?}"
                );
            }
        }
    }

    #[test]
    fn only_an_active_peer_guide_may_guide() {
        only_active_holders_of(PeerGuide, may_guide);
    }

    #[test]
    fn only_an_active_peer_teacher_may_teach() {
        only_active_holders_of(PeerTeacher, may_teach);
    }

    #[test]
    fn only_an_active_peer_trainer_may_train() {
        only_active_holders_of(PeerTrainer, may_train);
    }

    #[test]
    fn a_peer_worker_on_leave_may_not_guide() {
        assert!(!may_guide(OnLeave, &[PeerGuide]));
        assert_eq!(
            check_guide(&GuideFacts::new(OnLeave, &[PeerGuide], 0, 5)),
            Err(GuideRefusal::NotQualified {
                status: OnLeave,
                holds_peer_guide: true
            })
        );
    }

    #[test]
    fn a_peer_teacher_or_trainer_without_peer_guide_may_not_guide() {
        assert!(!may_guide(Active, &[PeerTeacher, PeerTrainer]));
        assert!(!GuideFacts::new(Active, &[PeerTeacher, PeerTrainer], 0, 5).holds_peer_guide);
    }

    fn facts(status: PeerWorkerStatus, holds: bool, open: i64, capacity: i64) -> GuideFacts {
        GuideFacts {
            status,
            holds_peer_guide: holds,
            open_courses: open,
            capacity,
        }
    }

    #[test]
    fn an_active_peer_guide_with_a_free_place_may_guide() {
        assert_eq!(check_guide(&facts(Active, true, 0, 1)), Ok(()));
        assert_eq!(check_guide(&facts(Active, true, 4, 5)), Ok(()));
    }

    #[test]
    fn a_peer_guide_at_capacity_may_not_guide_another_course() {
        assert_eq!(
            check_guide(&facts(Active, true, 5, 5)),
            Err(GuideRefusal::AtCapacity { open_courses: 5 })
        );
        assert_eq!(
            check_guide(&facts(Active, true, 6, 5)),
            Err(GuideRefusal::AtCapacity { open_courses: 6 })
        );
        assert_eq!(
            check_guide(&facts(Active, true, 0, 0)),
            Err(GuideRefusal::AtCapacity { open_courses: 0 }),
            "capacity 0 takes no course"
        );
        assert!(has_free_place(4, 5) && !has_free_place(5, 5));
    }

    #[test]
    fn qualification_is_checked_before_capacity() {
        assert!(matches!(
            check_guide(&facts(Recruited, false, 9, 1)),
            Err(GuideRefusal::NotQualified { .. })
        ));
    }

    #[test]
    fn the_guide_rule_over_every_status_qualification_and_load() {
        for &status in PeerWorkerStatus::ALL {
            for holds in [false, true] {
                for open in 0..4 {
                    let result = check_guide(&facts(status, holds, open, 2));
                    let expected = if status != Active || !holds {
                        Err(GuideRefusal::NotQualified {
                            status,
                            holds_peer_guide: holds,
                        })
                    } else if open >= 2 {
                        Err(GuideRefusal::AtCapacity { open_courses: open })
                    } else {
                        Ok(())
                    };
                    assert_eq!(result, expected, "{status:?} {holds} {open}");
                }
            }
        }
    }

    #[test]
    fn guide_refusals_read_as_the_api_has_always_said() {
        assert_eq!(
            check_guide(&facts(OnLeave, false, 0, 5))
                .expect_err("refused")
                .to_string(),
            "a support course is guided by an active peer worker holding peer_guide; \
             this one is on_leave and does not hold peer_guide"
        );
        assert_eq!(
            check_guide(&facts(InTraining, true, 0, 5))
                .expect_err("refused")
                .to_string(),
            "a support course is guided by an active peer worker holding peer_guide; \
             this one is in_training"
        );
        assert_eq!(
            check_guide(&facts(Active, false, 0, 5))
                .expect_err("refused")
                .to_string(),
            "a support course is guided by an active peer worker holding peer_guide; \
             this one is active and does not hold peer_guide"
        );
        let full = check_guide(&facts(Active, true, 3, 3)).expect_err("refused");
        assert_eq!(
            full.to_string(),
            "the peer worker already guides 3 open support course(s), its capacity"
        );
        assert_eq!(full.code(), "capacity_exceeded");
        assert_eq!(
            GuideRefusal::NotQualified {
                status: Active,
                holds_peer_guide: false
            }
            .code(),
            "qualification_missing"
        );
    }

    #[test]
    fn the_shortest_programme_interval_applies_else_thirty_days() {
        assert_eq!(supervision_interval([45, 14, 30]), 14);
        assert_eq!(supervision_interval([]), DEFAULT_SUPERVISION_INTERVAL_DAYS);
        assert_eq!(DEFAULT_SUPERVISION_INTERVAL_DAYS, 30);
    }

    #[test]
    fn supervision_counts_from_the_last_move_into_active() {
        let history = [
            (Recruited, day(0)),
            (InTraining, day(10)),
            (Active, day(20)),
            (OnLeave, day(40)),
            (Active, day(60)),
        ];
        assert_eq!(became_active_on(history), Some(day(60)));
        assert_eq!(became_active_on([(Recruited, day(0))]), None);
    }

    #[test]
    fn a_never_supervised_peer_counts_from_the_day_it_became_active() {
        assert_eq!(supervision_since(None, Some(day(60))), Some(day(60)));
        assert_eq!(supervision_since(None, None), None);
    }

    #[test]
    fn the_last_supervision_counts_even_if_before_the_peer_became_active_again() {
        assert_eq!(
            supervision_since(Some(day(30)), Some(day(60))),
            Some(day(30))
        );
        assert_eq!(
            supervision_since(Some(day(70)), Some(day(60))),
            Some(day(70))
        );
    }

    #[test]
    fn supervision_is_due_the_interval_after_the_day_counted_from() {
        assert_eq!(supervision_due_on(Active, Some(day(0)), 30), Some(day(30)));
        assert_eq!(supervision_due_on(Active, None, 30), None);
    }

    #[test]
    fn only_an_active_peer_worker_has_a_supervision_due_date() {
        for &status in PeerWorkerStatus::ALL {
            assert_eq!(
                supervision_due_on(status, Some(day(0)), 30).is_some(),
                status == Active,
                "{status:?}"
            );
            assert_eq!(
                overdue_for_supervision(status, Some(day(0)), 30, day(100)),
                status == Active,
                "{status:?}"
            );
        }
    }

    #[test]
    fn overdue_only_after_the_interval() {
        assert!(!supervision_overdue(day(0), 30, day(29)));
        assert!(!supervision_overdue(day(0), 30, day(30)));
        assert!(supervision_overdue(day(0), 30, day(31)));
    }

    #[test]
    fn overdue_exactly_when_today_is_past_the_due_date() {
        for interval in [0, 1, 7, 30, 90] {
            for since in [day(-3), day(0), day(17)] {
                let due = supervision_due_on(Active, Some(since), interval).expect("due");
                for today in (-5..130).map(day) {
                    assert_eq!(
                        supervision_overdue(since, interval, today),
                        today > due,
                        "since {since}, {interval} days, today {today}"
                    );
                    assert_eq!(
                        overdue_for_supervision(Active, Some(since), interval, today),
                        today > due
                    );
                }
            }
        }
        assert!(!overdue_for_supervision(Active, None, 30, day(1000)));
    }

    #[test]
    fn a_due_date_beyond_the_calendar_is_none_not_a_panic() {
        assert_eq!(supervision_due_on(Active, Some(NaiveDate::MAX), 30), None);
    }
}
