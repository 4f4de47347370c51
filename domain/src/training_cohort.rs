//! Training cohorts: runs of the peer education, their trainers and enrolments.

use crate::text_enum;
use crate::workflow::Workflow;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;
    use EnrolmentOutcome::*;

    #[test]
    fn outcomes_are_final_once_reached() {
        for from in EnrolmentOutcome::ALL {
            for to in EnrolmentOutcome::ALL {
                let expected = *from == Enrolled && *to != Enrolled;
                assert_eq!(from.can_move_to(*to), expected, "{from:?} -> {to:?}");
            }
        }
        assert!(Completed.grants_qualifications());
        assert!(!DroppedOut.grants_qualifications());
    }
}
