//! Courses of the teaching model: co-created by citizens, peers, relatives and professionals,
//! taught together by a peer teacher and a professional. The workflow, the opening
//! precondition, places and the ordered waitlist, and attendance, as pure rules.

use crate::text_enum;
use crate::workflow::{TextEnum, Workflow, describe_refused_move};

text_enum! {
    /// How a course is run.
    pub enum CourseFormat {
        RecoveryCollege => "recovery_college",
        GroupCourse => "group_course",
        Workshop => "workshop",
        Lecture => "lecture",
    }
}

text_enum! {
    /// Who took part in creating a course.
    pub enum CoCreator {
        Citizen => "citizen",
        Peer => "peer",
        Relative => "relative",
        Professional => "professional",
    }
}

text_enum! {
    /// A course's status: `planned → open_for_enrolment → running → completed`, and
    /// `cancelled` from any open status.
    pub enum CourseStatus {
        Planned => "planned",
        OpenForEnrolment => "open_for_enrolment",
        Running => "running",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

impl Workflow for CourseStatus {
    fn allowed(self) -> &'static [Self] {
        match self {
            Self::Planned => &[Self::OpenForEnrolment, Self::Cancelled],
            Self::OpenForEnrolment => &[Self::Running, Self::Cancelled],
            Self::Running => &[Self::Completed, Self::Cancelled],
            Self::Completed | Self::Cancelled => &[],
        }
    }
}

impl CourseStatus {
    /// Whether participants may enrol: only while `open_for_enrolment` or `running`.
    pub fn takes_enrolments(self) -> bool {
        matches!(self, Self::OpenForEnrolment | Self::Running)
    }
}

text_enum! {
    /// A teacher's role on a course.
    pub enum TeacherRole {
        PeerTeacher => "peer_teacher",
        Professional => "professional",
    }
}

text_enum! {
    /// What kind of outside participant (not a registered citizen) an enrolment is.
    pub enum ParticipantType {
        Relative => "relative",
        Professional => "professional",
        Peer => "peer",
        Other => "other",
    }
}

text_enum! {
    /// An enrolment's status: a place (`enrolled`), on the waitlist, or withdrawn.
    pub enum EnrolmentStatus {
        Enrolled => "enrolled",
        Waitlisted => "waitlisted",
        Withdrawn => "withdrawn",
    }
}

text_enum! {
    /// A participant's attendance at one session.
    pub enum AttendanceStatus {
        Present => "present",
        Absent => "absent",
        Excused => "excused",
    }
}

/// Who teaches a course, as the opening rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TeachingFacts {
    /// Peer teachers who are active and hold `peer_teacher` today.
    pub qualified_peer_teachers: usize,
    pub professional_teachers: usize,
}

impl TeachingFacts {
    /// What teaching together still lacks, by name; empty when the course may open.
    pub fn missing(self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.qualified_peer_teachers == 0 {
            missing.push("an active peer teacher holding peer_teacher");
        }
        if self.professional_teachers == 0 {
            missing.push("a professional teacher");
        }
        missing
    }
}

/// Why a course may not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CourseRefusal {
    /// The workflow does not allow `from → to` (`409 invalid_transition`).
    #[error("{}", describe_refused_move(.from.as_str(), .to.as_str(), .allowed))]
    NotAllowed {
        from: CourseStatus,
        to: CourseStatus,
        allowed: Vec<&'static str>,
    },
    /// Opening needs a qualified peer teacher and a professional (`409 qualification_missing`).
    #[error("a course opens only when taught together: it lacks {}", .missing.join(" and "))]
    QualificationMissing { missing: Vec<&'static str> },
}

/// The course workflow with its precondition: opening for enrolment needs teaching together.
pub fn plan_transition(
    from: CourseStatus,
    to: CourseStatus,
    teaching: TeachingFacts,
) -> Result<(), CourseRefusal> {
    from.check_move(to)
        .map_err(|allowed| CourseRefusal::NotAllowed { from, to, allowed })?;
    let missing = teaching.missing();
    if to == CourseStatus::OpenForEnrolment && !missing.is_empty() {
        return Err(CourseRefusal::QualificationMissing { missing });
    }
    Ok(())
}

/// Where a new participant goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Enrolled,
    /// At the end of the waitlist.
    Waitlisted {
        position: i32,
    },
}

/// A new participant takes a place while fewer than `capacity` are enrolled, else joins the end
/// of a waitlist `waiting` long.
pub fn place(capacity: i32, enrolled: i64, waiting: i64) -> Placement {
    if enrolled < i64::from(capacity) {
        Placement::Enrolled
    } else {
        Placement::Waitlisted {
            position: i32::try_from(waiting + 1).unwrap_or(i32::MAX),
        }
    }
}

/// The waitlist after places freed: the first `capacity - enrolled` move up, the rest are
/// renumbered `1..` in their order. `waitlist` is in waitlist order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitlistPlan<T> {
    pub promoted: Vec<T>,
    /// Those still waiting, with their new positions.
    pub waiting: Vec<(T, i32)>,
}

pub fn move_up<T: Clone>(capacity: i32, enrolled: i64, waitlist: &[T]) -> WaitlistPlan<T> {
    let free = usize::try_from((i64::from(capacity) - enrolled).max(0)).unwrap_or(0);
    let split = free.min(waitlist.len());
    WaitlistPlan {
        promoted: waitlist[..split].to_vec(),
        waiting: waitlist[split..].iter().cloned().zip(1..).collect(),
    }
}

/// A capacity change lowering it below those enrolled (`409`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("capacity {capacity} is below the {enrolled} participants enrolled")]
pub struct BelowEnrolled {
    pub capacity: i32,
    pub enrolled: i64,
}

/// The capacity may not go below those enrolled.
pub fn check_capacity(capacity: i32, enrolled: i64) -> Result<(), BelowEnrolled> {
    if i64::from(capacity) < enrolled {
        Err(BelowEnrolled { capacity, enrolled })
    } else {
        Ok(())
    }
}

/// Attendance rate: present ÷ sessions held; `None` before any session was held.
pub fn attendance_rate(present: i64, sessions_held: i64) -> Option<f64> {
    (sessions_held > 0).then(|| present as f64 / sessions_held as f64)
}

/// A course's attendance rate: all present marks of its enrolled participants ÷ (sessions held
/// × participants); `None` before a session was held or while nobody is enrolled.
pub fn course_attendance_rate(present: i64, sessions_held: i64, participants: i64) -> Option<f64> {
    attendance_rate(present, sessions_held.saturating_mul(participants))
}

#[cfg(test)]
mod tests {
    use super::*;
    use CourseStatus::*;

    const BOTH: TeachingFacts = TeachingFacts {
        qualified_peer_teachers: 1,
        professional_teachers: 1,
    };

    #[test]
    fn the_workflow_table_is_exhaustive() {
        let allowed = [
            (Planned, OpenForEnrolment),
            (Planned, Cancelled),
            (OpenForEnrolment, Running),
            (OpenForEnrolment, Cancelled),
            (Running, Completed),
            (Running, Cancelled),
        ];
        for &from in CourseStatus::ALL {
            for &to in CourseStatus::ALL {
                let result = plan_transition(from, to, BOTH);
                assert_eq!(
                    result.is_ok(),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn a_refused_move_names_the_allowed_ones() {
        let refused = plan_transition(Planned, Completed, BOTH).expect_err("not allowed");
        assert_eq!(
            refused,
            CourseRefusal::NotAllowed {
                from: Planned,
                to: Completed,
                allowed: vec!["open_for_enrolment", "cancelled"]
            }
        );
    }

    #[test]
    fn opening_needs_a_peer_teacher_and_a_professional() {
        let only_professional = TeachingFacts {
            qualified_peer_teachers: 0,
            professional_teachers: 1,
        };
        let refused = plan_transition(Planned, OpenForEnrolment, only_professional)
            .expect_err("no peer teacher");
        assert!(refused.to_string().contains("peer teacher"), "{refused}");
        assert!(!refused.to_string().contains("a professional"), "{refused}");
        let only_peer = TeachingFacts {
            qualified_peer_teachers: 2,
            professional_teachers: 0,
        };
        let refused = plan_transition(Planned, OpenForEnrolment, only_peer).expect_err("no pro");
        assert!(refused.to_string().contains("a professional teacher"));
        let none = plan_transition(Planned, OpenForEnrolment, TeachingFacts::default());
        assert_eq!(
            none,
            Err(CourseRefusal::QualificationMissing {
                missing: vec![
                    "an active peer teacher holding peer_teacher",
                    "a professional teacher"
                ]
            })
        );
        assert!(plan_transition(Planned, OpenForEnrolment, BOTH).is_ok());
        // Cancelling never needs teachers.
        assert!(plan_transition(Planned, Cancelled, TeachingFacts::default()).is_ok());
    }

    #[test]
    fn enrolment_is_taken_only_while_open_or_running() {
        for &status in CourseStatus::ALL {
            assert_eq!(
                status.takes_enrolments(),
                matches!(status, OpenForEnrolment | Running)
            );
        }
    }

    #[test]
    fn a_place_until_capacity_then_the_end_of_the_waitlist() {
        assert_eq!(place(10, 0, 0), Placement::Enrolled);
        assert_eq!(place(10, 9, 0), Placement::Enrolled);
        assert_eq!(place(10, 10, 0), Placement::Waitlisted { position: 1 });
        assert_eq!(place(10, 10, 19), Placement::Waitlisted { position: 20 });
    }

    #[test]
    fn freed_places_promote_in_order_and_renumber_the_rest() {
        let plan = move_up(10, 9, &["a", "b", "c"]);
        assert_eq!(plan.promoted, ["a"]);
        assert_eq!(plan.waiting, [("b", 1), ("c", 2)]);
        let raised = move_up(12, 10, &["a", "b", "c"]);
        assert_eq!(raised.promoted, ["a", "b"]);
        assert_eq!(raised.waiting, [("c", 1)]);
        let none = move_up(10, 10, &["a", "b"]);
        assert!(none.promoted.is_empty());
        assert_eq!(none.waiting, [("a", 1), ("b", 2)]);
        let all = move_up(20, 1, &["a"]);
        assert_eq!(all.promoted, ["a"]);
        assert!(all.waiting.is_empty());
    }

    #[test]
    fn capacity_may_not_go_below_enrolled() {
        assert!(check_capacity(10, 10).is_ok());
        assert!(check_capacity(11, 10).is_ok());
        assert_eq!(
            check_capacity(9, 10),
            Err(BelowEnrolled {
                capacity: 9,
                enrolled: 10
            })
        );
    }

    #[test]
    fn the_rate_is_present_over_sessions_held() {
        assert_eq!(attendance_rate(0, 0), None);
        assert_eq!(attendance_rate(1, 2), Some(0.5));
        assert_eq!(attendance_rate(3, 3), Some(1.0));
        assert_eq!(attendance_rate(0, 4), Some(0.0));
        assert_eq!(course_attendance_rate(3, 2, 2), Some(0.75));
        assert_eq!(course_attendance_rate(0, 2, 0), None);
        assert_eq!(course_attendance_rate(0, 0, 5), None);
    }
}
