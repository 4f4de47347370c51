//! Referrals (each behind an active consent of the purpose its target needs, at the citizen's
//! request, moved by the side the workflow names) and employment moves with retention checks.

use super::draw::{Gen, RuleBroken, today};
use super::facts::{Citizen, Context, Running, consent};
use super::names;
use super::people::user_row;
use super::programmes::SYDDANMARK;
use brobygger_domain::citizen::is_active_on;
use brobygger_domain::employment::{
    EmploymentKind, RetentionOutcome, retention_due_dates, starts_employment,
};
use brobygger_domain::referral::{
    ReferralStatus, Side, Stamp, TargetKind, check_request, plan_transition,
};
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::employment::EmploymentStatusRow;
use brobygger_persistence::ids::{
    CitizenId, ConsentId, EmploymentStatusId, OrganisationId, ReferralId, RetentionCheckId, UserId,
};
use brobygger_persistence::referral::ReferralRow;
use brobygger_persistence::seed::RetentionCheckSeedRow;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::Rng;
use std::collections::{BTreeMap, HashSet};

/// The users of referral targets who move referrals (role `professional`), one per target
/// organisation, made when first needed; and each citizen's share consents.
#[derive(Debug, Default)]
pub struct Bridges {
    pub recipients: BTreeMap<OrganisationId, UserId>,
    consents: BTreeMap<(CitizenId, &'static str), (ConsentId, NaiveDate)>,
    /// The days with an employment status, per citizen: one status a day.
    status_days: HashSet<(CitizenId, NaiveDate)>,
}

impl Bridges {
    fn recipient(&mut self, g: &mut Gen, org: OrganisationId) -> UserId {
        if let Some(user) = self.recipients.get(&org) {
            return *user;
        }
        let name = names::person_name(g);
        let row = user_row(
            g,
            &format!("staff-recipient-{}", self.recipients.len()),
            &name,
            Role::Professional,
            org,
        );
        let id = row.id;
        g.batch.users.push(row);
        self.recipients.insert(org, id);
        id
    }
}

const PURPOSES: [(TargetKind, &str); 4] = [
    (
        TargetKind::Jobcentre,
        "Afklaring af muligheder for job med støtte",
    ),
    (
        TargetKind::Employer,
        "Samtale om praktik og gradvis opstart",
    ),
    (
        TargetKind::Psychiatry,
        "Koordinering med den psykiatriske behandling",
    ),
    (TargetKind::Other, "Introduktion til et lokalt fællesskab"),
];

/// A referral from a running support course, at the citizen's request.
pub fn referral(
    g: &mut Gen,
    ctx: &Context<'_>,
    bridges: &mut Bridges,
    citizen: &Citizen,
    r: &Running,
) -> Result<(), RuleBroken> {
    let weights: &[u32] = if citizen.programme == SYDDANMARK {
        &[50, 30, 10, 10]
    } else {
        &[25, 5, 30, 40]
    };
    let (kind, purpose) = PURPOSES[g.weighted(weights)];
    let target = match kind {
        TargetKind::Jobcentre => ctx
            .orgs
            .jobcentres
            .get(citizen.municipality)
            .copied()
            .unwrap_or_default(),
        TargetKind::Employer => *g.pick(&ctx.orgs.employers),
        TargetKind::Psychiatry => ctx.orgs.psychiatry_for(citizen.municipality),
        TargetKind::Other => *g.pick(&ctx.orgs.local_offers),
    };
    let mut errors = brobygger_domain::error::FieldErrors::new();
    check_request(Some(true), Some(purpose), &mut errors);
    if !errors.is_empty() {
        return Err(RuleBroken("referral request".to_owned()));
    }
    let day = g.day_between(r.from, r.until);
    // The consent its target needs: the citizen's, or given now at its request.
    let needed = kind.consent_purpose();
    let key = (citizen.id, needed.as_str());
    let (consent_id, given_on) = match bridges.consents.get(&key) {
        Some(found) => *found,
        None => {
            let given_on = day - Duration::days(g.rng.gen_range(0..4)).min(day - r.from);
            let id = consent(g, citizen.id, needed, given_on, r.recorder);
            bridges.consents.insert(key, (id, given_on));
            (id, given_on)
        }
    };
    if !is_active_on(given_on, None, None, day) {
        return Err(RuleBroken(
            "a referral without an active consent".to_owned(),
        ));
    }
    let recipient = bridges.recipient(g, target);
    let created = g.at(day);
    let id: ReferralId = g.id(created);
    let mut row = ReferralRow {
        id,
        support_course_id: r.course,
        citizen_id: citizen.id,
        target_organisation_id: target,
        target_kind: kind,
        sending_organisation_id: ctx.orgs.get(citizen.municipality),
        purpose: purpose.to_owned(),
        requested_by_citizen: true,
        consent_id,
        share_phone: g.chance(0.7),
        share_email: g.chance(0.4),
        status: ReferralStatus::Draft,
        sent_at: None,
        acknowledged_at: None,
        accepted_at: None,
        closed_at: None,
        created_by: r.recorder,
        version: 1,
        created_at: created,
        updated_at: created,
    };
    use ReferralStatus::*;
    let path: &[ReferralStatus] = match g.weighted(&[72, 8, 6, 5, 5, 4]) {
        0 => &[Sent, Acknowledged, Accepted, Completed],
        1 => &[Sent, Declined],
        2 => &[Sent, Acknowledged, Declined],
        3 => &[Cancelled],
        4 => &[Sent, Cancelled],
        _ => &[Sent, Acknowledged, Accepted, Cancelled],
    };
    let mut steps: Vec<(ReferralStatus, NaiveDateTime, Option<String>)> =
        vec![(Draft, created, None)];
    let mut at_day = day;
    for &to in path {
        at_day += Duration::days(match to {
            Sent => g.rng.gen_range(0..3),
            Acknowledged => g.rng.gen_range(1..8),
            Accepted => g.rng.gen_range(2..21),
            _ => g.rng.gen_range(20..120),
        });
        // A referral stays where it is today; a closed course's referral closes with it.
        if at_day > today() {
            break;
        }
        let reason = match to {
            Declined => Some("no capacity for new citizens at present".to_owned()),
            Cancelled => Some("the citizen changed its mind".to_owned()),
            _ => None,
        };
        let from = steps.last().map_or(Draft, |s| s.0);
        let side = to.moved_by().unwrap_or(Side::System);
        let plan = plan_transition(from, to, side, reason.as_deref())
            .map_err(|e| RuleBroken(format!("referral: {e}")))?;
        let at = g.at(at_day);
        match plan.stamp {
            Stamp::SentAt => row.sent_at = Some(at),
            Stamp::AcknowledgedAt => row.acknowledged_at = Some(at),
            Stamp::AcceptedAt => row.accepted_at = Some(at),
            Stamp::ClosedAt => row.closed_at = Some(at),
        }
        steps.push((to, at, plan.reason));
    }
    row.status = steps.last().map_or(Draft, |s| s.0);
    row.version = steps.len() as i64;
    row.updated_at = steps.last().map_or(created, |s| s.1);
    // Each step by the side that makes it: the sender's user or the recipient's.
    for (i, (status, at, reason)) in steps.iter().enumerate() {
        let by = if status.moved_by() == Some(Side::Recipient) {
            recipient
        } else {
            r.recorder
        };
        g.history("referral", &id, &[(*status, *at, reason.clone())], by)?;
        if i > 0 {
            let from = steps[i - 1].0;
            brobygger_domain::workflow::InvalidTransition::check(from, *status)
                .map_err(|e| RuleBroken(e.to_string()))?;
        }
    }
    g.batch.referrals.push(row);
    Ok(())
}

/// The citizen's labour-market situation when the course starts, and perhaps a job start
/// with its retention checks (3, 6 and 12 months).
pub fn employment(
    g: &mut Gen,
    ctx: &Context<'_>,
    bridges: &mut Bridges,
    citizen: &Citizen,
    r: &Running,
) -> Result<(), RuleBroken> {
    let days = &mut bridges.status_days;
    use EmploymentKind::*;
    let before = *g.pick(&[
        Unemployed,
        Unemployed,
        SickLeaveFromJob,
        OutsideLabourMarket,
        InEducation,
    ]);
    let start = r.from;
    status(g, days, citizen.id, start, before, None, r.recorder);
    let job_chance = if citizen.programme == SYDDANMARK {
        0.45
    } else {
        0.2
    };
    if !g.chance(job_chance) || r.until <= start + Duration::days(14) {
        return Ok(());
    }
    let kind = *g.pick(&[
        EmployedOrdinary,
        EmployedOrdinary,
        EmployedFlexjob,
        EmployedSubsidised,
    ]);
    if !starts_employment(Some(before), kind) {
        return Err(RuleBroken("a job start that is not one".to_owned()));
    }
    let job_day = g.day_between(start + Duration::days(14), r.until);
    let employer = *g.pick(&ctx.orgs.employers);
    let (job, job_day) = status(
        g,
        days,
        citizen.id,
        job_day,
        kind,
        Some(employer),
        r.recorder,
    );
    let mut retained = true;
    let mut previous_due = job_day;
    for (months, due) in retention_due_dates(job_day) {
        let outcome = if due > today() {
            None
        } else if !retained {
            Some(RetentionOutcome::NotRetained)
        } else {
            let o = [
                RetentionOutcome::Retained,
                RetentionOutcome::NotRetained,
                RetentionOutcome::Unknown,
            ][g.weighted(&[80, 14, 6])];
            if o == RetentionOutcome::NotRetained {
                retained = false;
                let lost = g.day_between(previous_due + Duration::days(1), due - Duration::days(1));
                status(g, days, citizen.id, lost, Unemployed, None, r.recorder);
            }
            Some(o)
        };
        previous_due = due;
        let created = g.at(job_day);
        let id: RetentionCheckId = g.id(created);
        let recorded_on =
            outcome.map(|_| (due + Duration::days(g.rng.gen_range(0..14))).min(today()));
        g.batch.retention_checks.push(RetentionCheckSeedRow {
            id,
            citizen_id: citizen.id,
            employment_status_id: job,
            months_after: i32::try_from(months).unwrap_or(0),
            due_on: due,
            outcome: RetentionCheckSeedRow::outcome_text(outcome),
            recorded_on,
            recorded_by: outcome.map(|_| r.recorder),
            version: if outcome.is_some() { 2 } else { 1 },
            created_at: created,
            updated_at: recorded_on.map_or(created, |d| d.and_hms_opt(12, 0, 0).unwrap_or(created)),
        });
    }
    Ok(())
}

/// Records a status from `on`, or the next day without one; returns it and its day.
fn status(
    g: &mut Gen,
    days: &mut HashSet<(CitizenId, NaiveDate)>,
    citizen: CitizenId,
    mut on: NaiveDate,
    kind: EmploymentKind,
    employer: Option<OrganisationId>,
    by: UserId,
) -> (EmploymentStatusId, NaiveDate) {
    while !days.insert((citizen, on)) {
        on += Duration::days(1);
    }
    let at = g.at(on);
    let id: EmploymentStatusId = g.id(at);
    let hours = kind.is_employment().then(|| g.rng.gen_range(8..=37));
    g.batch.employment_statuses.push(EmploymentStatusRow {
        id,
        citizen_id: citizen,
        effective_on: on,
        status: kind,
        hours_per_week: hours,
        employer_organisation_id: employer,
        recorded_by: by,
        version: 1,
        created_at: at,
        updated_at: at,
    });
    (id, on)
}
