//! Referrals (brobygning): a bridge the peer builds, at the citizen's request and under an
//! active consent, from a support course to a jobcentre, an employer, psychiatry or another
//! offer — and the workflow both sides move it through.

use crate::citizen::ConsentPurpose;
use crate::error::{FieldErrors, HasCode};
use crate::organisation::OrganisationKind;
use crate::workflow::{TextEnum, Workflow, describe_refused_move};

crate::text_enum! {
    /// Where a referral is in its workflow.
    pub enum ReferralStatus {
        Draft => "draft",
        Sent => "sent",
        Acknowledged => "acknowledged",
        Accepted => "accepted",
        Completed => "completed",
        Declined => "declined",
        Cancelled => "cancelled",
        ConsentWithdrawn => "consent_withdrawn",
    }
}

crate::text_enum! {
    /// What kind of organisation a referral goes to, derived from the organisation's kind.
    pub enum TargetKind {
        Jobcentre => "jobcentre",
        Employer => "employer",
        Psychiatry => "psychiatry",
        Other => "other",
    }
}

crate::text_enum! {
    /// A contact detail of the citizen that the citizen agreed to share with the recipient.
    pub enum SharedContactDetail {
        Phone => "phone",
        Email => "email",
    }
}

impl TargetKind {
    /// The target kind of an organisation of `kind`: jobcentres, employers and psychiatry are
    /// themselves; every other kind is `other`.
    pub fn of(kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::Jobcentre => Self::Jobcentre,
            OrganisationKind::Employer => Self::Employer,
            OrganisationKind::Psychiatry => Self::Psychiatry,
            _ => Self::Other,
        }
    }

    /// The consent purpose a referral to this kind of target needs.
    pub fn consent_purpose(self) -> ConsentPurpose {
        match self {
            Self::Jobcentre => ConsentPurpose::ShareWithJobcentre,
            Self::Employer => ConsentPurpose::ShareWithEmployer,
            Self::Psychiatry => ConsentPurpose::ShareWithPsychiatry,
            Self::Other => ConsentPurpose::ShareWithOther,
        }
    }
}

/// Who is asking for a move: the sending side (the course's guiding peer worker and the
/// programme's coordinators), the recipient's side (the target organisation's professionals
/// and coordinators), or the system itself (a consent withdrawal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Sender,
    Recipient,
    System,
}

impl Side {
    pub const ALL: [Side; 3] = [Side::Sender, Side::Recipient, Side::System];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sender => "sender",
            Self::Recipient => "recipient",
            Self::System => "system",
        }
    }
}

impl Workflow for ReferralStatus {
    /// The moves the workflow allows from here (`spec/domain.md`):
    ///
    /// ```text
    /// draft -> sent -> acknowledged -> accepted -> completed
    ///            |            |            \-> cancelled
    ///            +------------+-> declined (reason)
    /// draft | sent -> cancelled
    /// any open status -> consent_withdrawn (the system only)
    /// ```
    fn allowed(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Draft => &[Sent, Cancelled, ConsentWithdrawn],
            Sent => &[Acknowledged, Declined, Cancelled, ConsentWithdrawn],
            Acknowledged => &[Accepted, Declined, ConsentWithdrawn],
            Accepted => &[Completed, Cancelled, ConsentWithdrawn],
            Completed | Declined | Cancelled | ConsentWithdrawn => &[],
        }
    }
}

impl ReferralStatus {
    /// Open referrals are still under way: a consent withdrawal moves them.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Sent | Self::Acknowledged | Self::Accepted
        )
    }

    /// The open statuses, as stored.
    pub const OPEN: [&'static str; 4] = ["draft", "sent", "acknowledged", "accepted"];

    /// Whether the recipient's side sees a referral in this status that was (or was not)
    /// `sent`: never one that was not sent (a draft, or a draft cancelled), never one whose
    /// consent was withdrawn.
    pub fn visible_to_recipient(self, sent: bool) -> bool {
        sent && self != Self::ConsentWithdrawn
    }

    /// Moves that must say why.
    pub fn needs_reason(self) -> bool {
        self == Self::Declined
    }

    /// The side that makes the move into `self` (the workflow decides whether it is allowed
    /// from where the referral is): the sender sends and cancels; the recipient acknowledges,
    /// accepts, declines and completes; only the system records a consent withdrawal.
    pub fn moved_by(self) -> Option<Side> {
        match self {
            Self::Draft => None,
            Self::Sent | Self::Cancelled => Some(Side::Sender),
            Self::Acknowledged | Self::Accepted | Self::Declined | Self::Completed => {
                Some(Side::Recipient)
            }
            Self::ConsentWithdrawn => Some(Side::System),
        }
    }

    /// The moves named to `side` when it asks for one the workflow does not allow: the
    /// users' moves (either side's; the other side's is `403` when asked), or the system's.
    pub fn allowed_for(self, side: Side) -> Vec<ReferralStatus> {
        let system = |to: &ReferralStatus| to.moved_by() == Some(Side::System);
        self.allowed()
            .iter()
            .copied()
            .filter(|to| system(to) == (side == Side::System))
            .collect()
    }
}

/// Which timestamp a move sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    SentAt,
    AcknowledgedAt,
    AcceptedAt,
    /// The referral is closed (`closed_at`).
    ClosedAt,
}

/// Why a referral may not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralRefusal {
    /// The workflow does not allow `from → to` for the side asking (`409 invalid_transition`,
    /// with the moves that side may make).
    #[error("{}", describe_refused_move(.from.as_str(), .to.as_str(), .allowed))]
    NotAllowed {
        from: ReferralStatus,
        to: ReferralStatus,
        allowed: Vec<&'static str>,
    },
    /// The move is the other side's (`403 forbidden`).
    #[error("only the {} side moves a referral to {}", .needed.as_str(), .to.as_str())]
    WrongSide { to: ReferralStatus, needed: Side },
    /// Declining says why (field `reason`, code `required`).
    #[error("moving to {} needs a reason", .to.as_str())]
    ReasonRequired { to: ReferralStatus },
}

impl ReferralRefusal {
    /// The input field a refusal is about, if it is a field error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::ReasonRequired { .. } => Some("reason"),
            _ => None,
        }
    }
}

impl HasCode for ReferralRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "invalid_transition",
            Self::WrongSide { .. } => "forbidden",
            Self::ReasonRequired { .. } => "required",
        }
    }
}

/// What an allowed move does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralPlan {
    /// The consent must be checked again (sending a draft): it may have lapsed meanwhile.
    pub recheck_consent: bool,
    /// The timestamp the move sets.
    pub stamp: Stamp,
    /// The reason to keep in the history: the one given, unless blank.
    pub reason: Option<String>,
}

/// The referral workflow, checked in this order: the move exists in the workflow (else
/// `NotAllowed` naming the users' moves from here, or the system's to the system); it is `side`'s move (else `WrongSide`);
/// declining has a non-blank reason.
pub fn plan_transition(
    from: ReferralStatus,
    to: ReferralStatus,
    side: Side,
    reason: Option<&str>,
) -> Result<ReferralPlan, ReferralRefusal> {
    let not_allowed = || ReferralRefusal::NotAllowed {
        from,
        to,
        allowed: from.allowed_for(side).iter().map(|s| s.as_str()).collect(),
    };
    if !from.can_move_to(to) {
        return Err(not_allowed());
    }
    let needed = to.moved_by().ok_or_else(not_allowed)?;
    if needed != side {
        return Err(ReferralRefusal::WrongSide { to, needed });
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    if to.needs_reason() && reason.is_none() {
        return Err(ReferralRefusal::ReasonRequired { to });
    }
    let stamp = match to {
        ReferralStatus::Sent => Stamp::SentAt,
        ReferralStatus::Acknowledged => Stamp::AcknowledgedAt,
        ReferralStatus::Accepted => Stamp::AcceptedAt,
        _ => Stamp::ClosedAt,
    };
    Ok(ReferralPlan {
        recheck_consent: to == ReferralStatus::Sent,
        stamp,
        reason: reason.map(str::to_owned),
    })
}

/// The reason kept in the history when a consent withdrawal closes a referral.
pub fn withdrawal_reason(purpose: ConsentPurpose) -> String {
    format!(
        "the citizen withdrew the consent {} this referral was made under",
        purpose.as_str()
    )
}

/// The rules of a new referral that a schema cannot say: it is made only at the citizen's
/// request (`requested_by_citizen` must be `true`; missing is `required`, `false` is
/// `must_be_true`), and its purpose is not blank.
pub fn check_request(
    requested_by_citizen: Option<bool>,
    purpose: Option<&str>,
    errors: &mut FieldErrors,
) {
    match requested_by_citizen {
        None => errors.push("requested_by_citizen", "required", "is required"),
        Some(false) => errors.push(
            "requested_by_citizen",
            "must_be_true",
            "a referral is made only at the citizen's request",
        ),
        Some(true) => {}
    }
    if purpose.is_some_and(|p| p.trim().is_empty()) {
        errors.push("purpose", "required", "must not be blank");
    }
}

/// The consent a referral needs, named for the `409 consent_required` answer.
pub fn consent_required_detail(purpose: ConsentPurpose) -> String {
    format!(
        "the citizen has no active {} consent today: record it before making this referral",
        purpose.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::ReferralStatus::*;
    use super::*;

    /// The table of `spec/domain.md`, arrow by arrow, with the side that makes each move.
    const SPEC: [(ReferralStatus, ReferralStatus, Side); 10] = [
        (Draft, Sent, Side::Sender),
        (Sent, Acknowledged, Side::Recipient),
        (Acknowledged, Accepted, Side::Recipient),
        (Accepted, Completed, Side::Recipient),
        (Accepted, Cancelled, Side::Sender),
        (Sent, Declined, Side::Recipient),
        (Acknowledged, Declined, Side::Recipient),
        (Draft, Cancelled, Side::Sender),
        (Sent, Cancelled, Side::Sender),
        // "any open status -> consent_withdrawn" is the system's: listed below.
        (Draft, ConsentWithdrawn, Side::System),
    ];

    fn spec_side(from: ReferralStatus, to: ReferralStatus) -> Option<Side> {
        if to == ConsentWithdrawn {
            return from.is_open().then_some(Side::System);
        }
        SPEC.iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, side)| *side)
    }

    #[test]
    fn the_referral_workflow_is_the_spec_table_exhaustively() {
        for &from in ReferralStatus::ALL {
            for &to in ReferralStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    spec_side(from, to).is_some(),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn each_table_row_is_made_by_its_side_only() {
        for &(from, to, side) in &SPEC {
            for other in Side::ALL {
                let planned = plan_transition(from, to, other, Some("because"));
                if other == side {
                    assert!(planned.is_ok(), "{from:?} -> {to:?} by {other:?}");
                } else {
                    assert_eq!(
                        planned,
                        Err(ReferralRefusal::WrongSide { to, needed: side }),
                        "{from:?} -> {to:?} by {other:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_move_by_every_side_with_and_without_a_reason() {
        for &from in ReferralStatus::ALL {
            for &to in ReferralStatus::ALL {
                for side in Side::ALL {
                    for reason in [None, Some(" "), Some("no capacity this quarter")] {
                        let given = reason.filter(|r| !r.trim().is_empty());
                        let expected = match spec_side(from, to) {
                            None => Err(ReferralRefusal::NotAllowed {
                                from,
                                to,
                                allowed: from
                                    .allowed_for(side)
                                    .iter()
                                    .map(|s| s.as_str())
                                    .collect(),
                            }),
                            Some(needed) if needed != side => {
                                Err(ReferralRefusal::WrongSide { to, needed })
                            }
                            Some(_) if to == Declined && given.is_none() => {
                                Err(ReferralRefusal::ReasonRequired { to })
                            }
                            Some(_) => Ok(ReferralPlan {
                                recheck_consent: to == Sent,
                                stamp: match to {
                                    Sent => Stamp::SentAt,
                                    Acknowledged => Stamp::AcknowledgedAt,
                                    Accepted => Stamp::AcceptedAt,
                                    _ => Stamp::ClosedAt,
                                },
                                reason: given.map(str::to_owned),
                            }),
                        };
                        assert_eq!(
                            plan_transition(from, to, side, reason),
                            expected,
                            "{from:?} -> {to:?} by {side:?}, {reason:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn an_impossible_move_names_the_moves_of_the_side_asking() {
        let refused = plan_transition(Draft, Accepted, Side::Sender, None).expect_err("no");
        assert_eq!(
            refused,
            ReferralRefusal::NotAllowed {
                from: Draft,
                to: Accepted,
                allowed: vec!["sent", "cancelled"]
            }
        );
        assert_eq!(
            refused.to_string(),
            "cannot move from draft to accepted; allowed: sent, cancelled"
        );
        assert_eq!(refused.code(), "invalid_transition");
        assert_eq!(refused.field(), None);
        let refused = plan_transition(Sent, Completed, Side::Recipient, None).expect_err("no");
        assert_eq!(
            refused.to_string(),
            "cannot move from sent to completed; allowed: acknowledged, declined, cancelled"
        );
        let refused = plan_transition(Acknowledged, Sent, Side::Sender, None).expect_err("no");
        assert_eq!(
            refused.to_string(),
            "cannot move from acknowledged to sent; allowed: accepted, declined",
            "an open referral is not final for the side that has no move left"
        );
        let refused = plan_transition(Completed, ConsentWithdrawn, Side::System, None);
        assert!(
            refused
                .expect_err("closed")
                .to_string()
                .ends_with("completed is final")
        );
    }

    #[test]
    fn a_closed_referral_is_final() {
        for status in [Completed, Declined, Cancelled, ConsentWithdrawn] {
            assert!(status.allowed().is_empty(), "{status:?}");
            assert!(!status.is_open());
            let refused = plan_transition(status, Sent, Side::Sender, None).expect_err("final");
            assert_eq!(
                refused.to_string(),
                format!(
                    "cannot move from {} to sent: {} is final",
                    status.as_str(),
                    status.as_str()
                )
            );
        }
    }

    #[test]
    fn the_wrong_side_is_forbidden() {
        let refused = plan_transition(Acknowledged, Accepted, Side::Sender, None).expect_err("no");
        assert_eq!(
            refused,
            ReferralRefusal::WrongSide {
                to: Accepted,
                needed: Side::Recipient
            }
        );
        assert_eq!(refused.code(), "forbidden");
        assert_eq!(
            refused.to_string(),
            "only the recipient side moves a referral to accepted"
        );
        let refused = plan_transition(Draft, Sent, Side::Recipient, None).expect_err("no");
        assert_eq!(
            refused.to_string(),
            "only the sender side moves a referral to sent"
        );
    }

    #[test]
    fn only_the_system_records_a_consent_withdrawal_from_any_open_status() {
        for &from in ReferralStatus::ALL {
            let by_system = plan_transition(from, ConsentWithdrawn, Side::System, None);
            assert_eq!(by_system.is_ok(), from.is_open(), "{from:?}");
            if from.is_open() {
                assert_eq!(by_system.expect("ok").stamp, Stamp::ClosedAt);
                for side in [Side::Sender, Side::Recipient] {
                    assert_eq!(
                        plan_transition(from, ConsentWithdrawn, side, Some("x")),
                        Err(ReferralRefusal::WrongSide {
                            to: ConsentWithdrawn,
                            needed: Side::System
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn declining_needs_a_reason_and_a_blank_one_is_none() {
        for from in [Sent, Acknowledged] {
            for blank in [None, Some(""), Some(" \t ")] {
                let refused =
                    plan_transition(from, Declined, Side::Recipient, blank).expect_err("reason");
                assert_eq!(refused, ReferralRefusal::ReasonRequired { to: Declined });
                assert_eq!(refused.field(), Some("reason"));
                assert_eq!(refused.code(), "required");
                assert_eq!(refused.to_string(), "moving to declined needs a reason");
            }
        }
        let plan =
            plan_transition(Sent, Declined, Side::Recipient, Some(" Full ")).expect("allowed");
        assert_eq!(plan.reason.as_deref(), Some(" Full "), "kept as given");
        assert_eq!(plan.stamp, Stamp::ClosedAt);
    }

    #[test]
    fn sending_rechecks_the_consent_and_stamps_sent_at() {
        let plan = plan_transition(Draft, Sent, Side::Sender, None).expect("allowed");
        assert!(plan.recheck_consent);
        assert_eq!(plan.stamp, Stamp::SentAt);
        assert_eq!(plan.reason, None);
        let ack = plan_transition(Sent, Acknowledged, Side::Recipient, None).expect("ok");
        assert!(!ack.recheck_consent);
        assert_eq!(ack.stamp, Stamp::AcknowledgedAt);
        let acc = plan_transition(Acknowledged, Accepted, Side::Recipient, None).expect("ok");
        assert_eq!(acc.stamp, Stamp::AcceptedAt);
        for (from, to, side) in [
            (Accepted, Completed, Side::Recipient),
            (Accepted, Cancelled, Side::Sender),
            (Draft, Cancelled, Side::Sender),
        ] {
            assert_eq!(
                plan_transition(from, to, side, None).expect("ok").stamp,
                Stamp::ClosedAt
            );
        }
    }

    #[test]
    fn draft_sent_acknowledged_and_accepted_are_open() {
        let open: Vec<_> = ReferralStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, [Draft, Sent, Acknowledged, Accepted]);
        assert_eq!(
            open.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ReferralStatus::OPEN
        );
    }

    #[test]
    fn the_recipient_never_sees_unsent_or_withdrawn_referrals() {
        for &status in ReferralStatus::ALL {
            assert!(!status.visible_to_recipient(false), "{status:?} unsent");
            assert_eq!(
                status.visible_to_recipient(true),
                status != ConsentWithdrawn,
                "{status:?} sent"
            );
        }
    }

    #[test]
    fn the_target_kind_follows_the_organisation_kind() {
        for kind in OrganisationKind::ALL {
            let expected = match kind {
                OrganisationKind::Jobcentre => TargetKind::Jobcentre,
                OrganisationKind::Employer => TargetKind::Employer,
                OrganisationKind::Psychiatry => TargetKind::Psychiatry,
                _ => TargetKind::Other,
            };
            assert_eq!(TargetKind::of(kind), expected, "{kind:?}");
        }
    }

    #[test]
    fn each_target_kind_needs_its_consent_purpose() {
        let pairs: Vec<_> = TargetKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.consent_purpose().as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("jobcentre", "share_with_jobcentre"),
                ("employer", "share_with_employer"),
                ("psychiatry", "share_with_psychiatry"),
                ("other", "share_with_other"),
            ]
        );
        assert_eq!(
            TargetKind::of(OrganisationKind::CivilSociety).consent_purpose(),
            ConsentPurpose::ShareWithOther
        );
    }

    #[test]
    fn a_referral_is_made_only_at_the_citizens_request() {
        let codes = |requested, purpose| {
            let mut errors = FieldErrors::new();
            check_request(requested, purpose, &mut errors);
            errors
                .0
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        assert!(codes(Some(true), Some("Find a job")).is_empty());
        assert!(
            codes(Some(true), None).is_empty(),
            "the schema requires purpose"
        );
        assert_eq!(
            codes(Some(false), Some("x")),
            [("requested_by_citizen".to_owned(), "must_be_true".to_owned())]
        );
        assert_eq!(
            codes(None, Some("  ")),
            [
                ("requested_by_citizen".to_owned(), "required".to_owned()),
                ("purpose".to_owned(), "required".to_owned())
            ]
        );
    }

    #[test]
    fn the_messages_name_the_consent() {
        assert_eq!(
            consent_required_detail(ConsentPurpose::ShareWithJobcentre),
            "the citizen has no active share_with_jobcentre consent today: record it before making this referral"
        );
        assert!(
            withdrawal_reason(ConsentPurpose::ShareWithEmployer).contains("share_with_employer")
        );
    }
}
