//! Programmes: funded peer-support efforts run by a partnership, with a period, phases, models,
//! partners and targets.

use crate::error::FieldErrors;
use crate::text_enum;
use crate::workflow::{TextEnum, Workflow};
use chrono::NaiveDate;

text_enum! {
    /// The phase of a programme. It moves forwards only, a step may be skipped; `closed` is final.
    pub enum Phase {
        Development => "development",
        Implementation => "implementation",
        Pilot => "pilot",
        Trial => "trial",
        Operation => "operation",
        Closed => "closed",
    }
}

impl Workflow for Phase {
    fn allowed(self) -> &'static [Self] {
        // `ALL` is in workflow order: every later phase is allowed.
        let position = Self::ALL
            .iter()
            .position(|p| *p == self)
            .unwrap_or(Self::ALL.len());
        Self::ALL.get(position + 1..).unwrap_or(&[])
    }
}

text_enum! {
    /// A peer-support model a programme offers.
    pub enum Model {
        PeerGuide => "peer_guide",
        IndividualPeerSupport => "individual_peer_support",
        EmploymentSupport => "employment_support",
        PeerTeaching => "peer_teaching",
        Volunteer => "volunteer",
    }
}

text_enum! {
    /// An organisation's role in a programme.
    pub enum PartnerRole {
        Lead => "lead",
        Partner => "partner",
        Secretariat => "secretariat",
        Funder => "funder",
        Advisor => "advisor",
        Evaluator => "evaluator",
    }
}

text_enum! {
    /// What a programme target counts.
    pub enum Metric {
        PeersTrained => "peers_trained",
        PeersActive => "peers_active",
        CitizensReached => "citizens_reached",
        SupportCoursesStarted => "support_courses_started",
        CoursesHeld => "courses_held",
        ReferralsMade => "referrals_made",
        CitizensInEmployment => "citizens_in_employment",
    }
}

/// Why an organisation may not have a partner role: the lead role belongs to the programme's
/// lead organisation alone (field `role`, code `not_allowed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PartnerRoleRefusal {
    #[error("the lead organisation keeps the role lead")]
    LeadKeepsLead,
    #[error("only the programme's lead organisation has the role lead")]
    OnlyTheLeadLeads,
}

impl crate::error::HasCode for PartnerRoleRefusal {
    fn code(&self) -> &'static str {
        "not_allowed"
    }
}

/// The partner-role rule: the programme's lead organisation has the role `lead`, and no other
/// organisation has it.
pub fn check_partner_role(is_lead: bool, role: PartnerRole) -> Result<(), PartnerRoleRefusal> {
    match (is_lead, role == PartnerRole::Lead) {
        (true, false) => Err(PartnerRoleRefusal::LeadKeepsLead),
        (false, true) => Err(PartnerRoleRefusal::OnlyTheLeadLeads),
        _ => Ok(()),
    }
}

/// How a new partner joins a programme (`spec/domain.md`, "Who may do what": a partnership is
/// an agreement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joining {
    /// At once: an admin adds it, or the adder's own organisation joins.
    Direct,
    /// Pending until a coordinator of the partner organisation accepts; grants nothing before.
    ByAgreement,
}

/// How organisation `partner` joins when a user of `adder_organisation` (an admin or not)
/// adds it: an organisation of another tenant only by its own agreement.
pub fn partner_joining<Id: PartialEq>(
    adder_is_admin: bool,
    adder_organisation: &Id,
    partner: &Id,
) -> Joining {
    if adder_is_admin || adder_organisation == partner {
        Joining::Direct
    } else {
        Joining::ByAgreement
    }
}

/// How often an active peer worker should have supervision unless the programme says otherwise.
pub const DEFAULT_SUPERVISION_INTERVAL_DAYS: i32 = 30;

/// A period of days: a start and an optional end that is never before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl Period {
    /// Checks that the end is not before the start; the error is reported on `end_field`.
    pub fn parse(
        start: NaiveDate,
        end: Option<NaiveDate>,
        end_field: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if end.is_some_and(|end| end < start) {
            errors.push(
                end_field,
                "before_start",
                "must not be before the start date",
            );
        }
        errors.into_result(|| Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }
}

/// Checks a period given as raw text (before the whole body is typed), so an end before the
/// start is reported together with every other bad field.
pub fn check_raw_period(
    start: Option<&str>,
    end: Option<&str>,
    end_field: &str,
    errors: &mut FieldErrors,
) {
    let date = |v: Option<&str>| v.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    if let (Some(start), Some(end)) = (date(start), date(end))
        && let Err(e) = Period::parse(start, Some(end), end_field)
    {
        errors.0.extend(e.0);
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn another_tenant_joins_only_by_agreement_and_an_admin_adds_directly() {
        assert_eq!(
            partner_joining(false, &"vejle", &"kolding"),
            Joining::ByAgreement
        );
        assert_eq!(partner_joining(false, &"vejle", &"vejle"), Joining::Direct);
        assert_eq!(partner_joining(true, &"vejle", &"kolding"), Joining::Direct);
        assert_eq!(partner_joining(true, &"vejle", &"vejle"), Joining::Direct);
    }

    use super::*;

    /// `spec/domain.md` names the phases in order (development, implementation, pilot, trial,
    /// operation, closed) and keeps every change as history, but draws no table; the domain's
    /// rule is: forwards only, a step may be skipped, `closed` is final.
    #[test]
    fn the_programme_phase_workflow_exhaustively() {
        use Phase::*;
        let order = [Development, Implementation, Pilot, Trial, Operation, Closed];
        let rank = |p: Phase| order.iter().position(|o| *o == p).expect("listed");
        for &from in Phase::ALL {
            for &to in Phase::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    rank(to) > rank(from),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(Phase::ALL, order, "ALL is the workflow order");
        assert!(Phase::Closed.allowed().is_empty());
        assert_eq!(
            Phase::Pilot.check_move(Phase::Development),
            Err(vec!["trial", "operation", "closed"])
        );
    }

    #[test]
    fn only_the_lead_organisation_has_the_role_lead() {
        for role in PartnerRole::ALL {
            let lead = *role == PartnerRole::Lead;
            assert_eq!(
                check_partner_role(true, *role),
                if lead {
                    Ok(())
                } else {
                    Err(PartnerRoleRefusal::LeadKeepsLead)
                },
                "lead organisation as {role:?}"
            );
            assert_eq!(
                check_partner_role(false, *role),
                if lead {
                    Err(PartnerRoleRefusal::OnlyTheLeadLeads)
                } else {
                    Ok(())
                },
                "other organisation as {role:?}"
            );
        }
    }

    #[test]
    fn enums_round_trip_as_text() {
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.as_str()), Some(*phase));
        }
        for model in Model::ALL {
            assert_eq!(Model::parse(model.as_str()), Some(*model));
        }
        for role in PartnerRole::ALL {
            assert_eq!(PartnerRole::parse(role.as_str()), Some(*role));
        }
        for metric in Metric::ALL {
            assert_eq!(Metric::parse(metric.as_str()), Some(*metric));
        }
        assert_eq!(Metric::parse("nonsense"), None);
    }

    #[test]
    fn a_period_ends_on_or_after_its_start() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert!(Period::parse(d("2015-01-01"), Some(d("2015-01-01")), "end_date").is_ok());
        assert!(Period::parse(d("2015-01-01"), None, "end_date").is_ok());
        let error = Period::parse(d("2015-01-02"), Some(d("2015-01-01")), "end_date")
            .expect_err("before start");
        assert_eq!(error.0[0].field, "end_date");
        let mut errors = FieldErrors::new();
        check_raw_period(
            Some("2015-02-01"),
            Some("2015-01-01"),
            "end_date",
            &mut errors,
        );
        assert_eq!(errors.0.len(), 1);
    }
}
