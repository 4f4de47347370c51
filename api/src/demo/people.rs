//! Peer workers with their training cohorts, qualifications and supervision; the programmes'
//! staff users.

use super::draw::{Gen, RuleBroken, today};
use super::names;
use super::programmes::{Organisations, PROGRAMMES, ProgrammeSpec, SYDDANMARK};
use brobygger_domain::peer_worker::{
    EarnedVia, Engagement, PeerWorkerStatus, QualificationKind, check_engagement,
};
use brobygger_domain::supervision::SupervisionFormat;
use brobygger_domain::training_cohort::{
    EnrolmentOutcome, check_peer_trainer, qualifications_to_grant,
};
use brobygger_domain::user::Role;
use brobygger_persistence::ids::{
    EnrolmentId, PeerWorkerId, ProgrammeId, QualificationId, SupervisionSessionId, TrainerId,
    TrainingCohortId, UserId,
};
use brobygger_persistence::peer_worker::{PeerWorkerRow, QualificationRow};
use brobygger_persistence::seed::{
    CohortGrantRow, PeerWorkerLanguageRow, PeerWorkerMunicipalityRow, PeerWorkerProgrammeRow,
    SupervisionAttendeeRow,
};
use brobygger_persistence::supervision::SupervisionSessionRow;
use brobygger_persistence::training_cohort::{EnrolmentRow, TrainerRow, TrainingCohortRow};
use brobygger_persistence::user::UserRow;
use chrono::{Duration, Months, NaiveDate};
use rand::Rng;

/// A peer worker as the rest of the generator needs it.
#[derive(Debug, Clone)]
pub struct Peer {
    pub id: PeerWorkerId,
    pub programme: usize,
    pub municipality: &'static str,
    pub status: PeerWorkerStatus,
    pub holds: Vec<QualificationKind>,
    pub capacity: i64,
    /// Open support courses it guides today.
    pub open: i64,
    /// The days it could guide and teach: from qualifying to ending (or today).
    pub active_from: NaiveDate,
    pub active_until: NaiveDate,
}

impl Peer {
    pub fn was_active_on(&self, day: NaiveDate) -> bool {
        self.active_from <= day && day <= self.active_until
    }
}

/// A programme's staff: a coordinator who records, a professional who teaches, trains and
/// supervises. They cannot sign in (no password).
#[derive(Debug, Clone, Copy)]
pub struct Staff {
    pub coordinator: UserId,
    pub professional: UserId,
}

pub fn user_row(
    g: &mut Gen,
    username: &str,
    display_name: &str,
    role: Role,
    organisation_id: brobygger_persistence::ids::OrganisationId,
) -> UserRow {
    let at = g.at(super::draw::date(2014, 1, 2));
    UserRow {
        id: g.id(at),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        email: None,
        role,
        organisation_id,
        active: true,
        password_hash: None,
        client_id: None,
        client_secret_hash: None,
        scopes: String::new(),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// Staff users of each programme; the demo coordinator coordinates Syddanmark's programme.
pub fn staff(g: &mut Gen, orgs: &Organisations, demo_coordinator: UserId) -> Vec<Staff> {
    let mut all = Vec::new();
    for (i, spec) in PROGRAMMES.iter().enumerate() {
        let coordinator = if i == SYDDANMARK {
            demo_coordinator
        } else {
            let name = names::person_name(g);
            let row = user_row(
                g,
                &format!("staff-{i}-coordinator"),
                &name,
                Role::Coordinator,
                orgs.get(spec.lead),
            );
            let id = row.id;
            g.batch.users.push(row);
            id
        };
        let name = names::person_name(g);
        let row = user_row(
            g,
            &format!("staff-{i}-professional"),
            &name,
            Role::Professional,
            orgs.get(spec.provider),
        );
        let professional = row.id;
        g.batch.users.push(row);
        all.push(Staff {
            coordinator,
            professional,
        });
    }
    all
}

const COHORT_SIZE: usize = 12;
const LANGUAGES: &[&str] = &["ar", "tr", "pl", "so", "uk"];
const SUPERVISION_TOPICS: &[&str] = &[
    "Roller og grænser i peer-arbejdet",
    "At bruge egne erfaringer",
    "Samarbejde med jobcentret",
    "Tavshedspligt og samtykke",
    "Egenomsorg og belastning",
    "Når et forløb slutter",
];

/// The peer workers of every programme with their cohorts and supervision. `counts[p]` peers
/// for programme `p`; the first of Syddanmark's is active in Vejle (the demo peer worker).
pub fn peer_workers(
    g: &mut Gen,
    orgs: &Organisations,
    programme_ids: &[ProgrammeId],
    staff: &[Staff],
    counts: &[usize],
    demo_user: UserId,
) -> Result<Vec<Peer>, RuleBroken> {
    let mut peers = Vec::new();
    for (p, spec) in PROGRAMMES.iter().enumerate() {
        let n = counts.get(p).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        let first = peers.len();
        cohorts_and_peers(
            g,
            orgs,
            (p, spec, programme_ids[p]),
            staff[p],
            n,
            &mut peers,
        )?;
        if p == SYDDANMARK
            && let Some(row) = g.batch.peer_workers.get_mut(first)
        {
            row.user_id = Some(demo_user);
        }
        supervision(g, &peers[first..], staff[p])?;
    }
    Ok(peers)
}

fn cohorts_and_peers(
    g: &mut Gen,
    orgs: &Organisations,
    (p, spec, programme_id): (usize, &ProgrammeSpec, ProgrammeId),
    staff: Staff,
    n: usize,
    peers: &mut Vec<Peer>,
) -> Result<(), RuleBroken> {
    let start = spec.start_date();
    let live_until = spec.live_until();
    let cohorts = n.div_ceil(COHORT_SIZE);
    // Cohorts spread over the first part of the period; a live programme's last may still run.
    let window = if live_until == today() {
        (today() - start).num_days() - 30
    } else {
        ((live_until - start).num_days() * 2) / 3
    };
    let mut peer_trainer: Option<(PeerWorkerId, PeerWorkerStatus, Vec<QualificationKind>)> = None;
    for k in 0..cohorts {
        let offset = window * k as i64 / cohorts.max(1) as i64;
        let cohort_start = start + Duration::days(offset + 14);
        let cohort_end = cohort_start + Duration::days(56);
        let created = g.at(cohort_start - Duration::days(30));
        let cohort: TrainingCohortId = g.id(created);
        g.batch.training_cohorts.push(TrainingCohortRow {
            id: cohort,
            programme_id,
            provider_organisation_id: orgs.get(spec.provider),
            start_date: cohort_start,
            end_date: Some(cohort_end),
            version: 1,
            created_at: created,
            updated_at: created,
        });
        let mut grants = vec![QualificationKind::PeerGuide, QualificationKind::PeerTeacher];
        if p == SYDDANMARK && k == 0 {
            grants.push(QualificationKind::PeerTrainer);
        }
        for kind in &grants {
            g.batch.training_cohort_grants.push(CohortGrantRow {
                training_cohort_id: cohort,
                kind: *kind,
            });
        }
        let trainer: TrainerId = g.id(created);
        g.batch.training_cohort_trainers.push(TrainerRow {
            id: trainer,
            training_cohort_id: cohort,
            peer_worker_id: None,
            user_id: Some(staff.professional),
            version: 1,
            created_at: created,
            updated_at: created,
        });
        if let Some((id, status, holds)) = &peer_trainer {
            check_peer_trainer(*status, holds).map_err(|e| RuleBroken(e.to_string()))?;
            let trainer: TrainerId = g.id(created);
            g.batch.training_cohort_trainers.push(TrainerRow {
                id: trainer,
                training_cohort_id: cohort,
                peer_worker_id: Some(*id),
                user_id: None,
                version: 1,
                created_at: created,
                updated_at: created,
            });
        }
        let members = (k * COHORT_SIZE)..((k + 1) * COHORT_SIZE).min(n);
        for i in members {
            let forced = p == SYDDANMARK && i == 0;
            let peer = one_peer(
                g,
                orgs,
                (p, spec, programme_id),
                staff,
                (cohort, cohort_start, cohort_end),
                &grants,
                forced,
            )?;
            if p == SYDDANMARK
                && k == 0
                && peer_trainer.is_none()
                && peer.status == PeerWorkerStatus::Active
            {
                peer_trainer = Some((peer.id, peer.status, peer.holds.clone()));
            }
            peers.push(peer);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_lines)]
fn one_peer(
    g: &mut Gen,
    orgs: &Organisations,
    (p, spec, programme_id): (usize, &ProgrammeSpec, ProgrammeId),
    staff: Staff,
    (cohort, cohort_start, cohort_end): (TrainingCohortId, NaiveDate, NaiveDate),
    grants: &[QualificationKind],
    forced: bool,
) -> Result<Peer, RuleBroken> {
    let live_until = spec.live_until();
    let municipality = if forced {
        "630"
    } else {
        *g.pick(spec.municipalities)
    };
    let name = names::person_name(g);
    let recruited_on = cohort_start - Duration::days(g.rng.gen_range(20..60));
    let recruited_at = g.at(recruited_on);
    let id: PeerWorkerId = g.id(recruited_at);
    let engagement = match g.weighted(&[60, 30, 10]) {
        _ if forced => Engagement::Employed,
        0 => Engagement::Employed,
        1 => Engagement::Volunteer,
        _ => Engagement::Mentor,
    };
    let hours = (engagement == Engagement::Employed).then(|| g.rng.gen_range(8..=37));
    let mut errors = brobygger_domain::error::FieldErrors::default();
    check_engagement(engagement, hours, &mut errors);
    if !errors.is_empty() {
        return Err(RuleBroken("peer worker engagement".to_owned()));
    }
    // The cohort's outcome: still running, completed or dropped out.
    let running = cohort_end > today();
    let outcome = if running {
        EnrolmentOutcome::Enrolled
    } else if forced || g.chance(0.92) {
        EnrolmentOutcome::Completed
    } else {
        EnrolmentOutcome::DroppedOut
    };
    let enrolled_at = g.at(cohort_start);
    let enrolment: EnrolmentId = g.id(enrolled_at);
    let completed_on = (outcome == EnrolmentOutcome::Completed).then_some(cohort_end);
    g.batch.training_cohort_enrolments.push(EnrolmentRow {
        id: enrolment,
        training_cohort_id: cohort,
        peer_worker_id: id,
        outcome,
        completed_on,
        version: 1,
        created_at: cohort_start.and_hms_opt(9, 0, 0).unwrap_or_default(),
        updated_at: cohort_end.and_hms_opt(15, 0, 0).unwrap_or_default(),
    });
    let mut holds = Vec::new();
    if outcome.grants_qualifications() {
        for kind in qualifications_to_grant(grants, &holds) {
            let at = cohort_end.and_hms_opt(15, 0, 0).unwrap_or_default();
            let q: QualificationId = g.id(at);
            g.batch.peer_worker_qualifications.push(QualificationRow {
                id: q,
                peer_worker_id: id,
                kind,
                earned_via: EarnedVia::TrainingCohort,
                training_cohort_id: Some(cohort),
                evidence: None,
                earned_on: cohort_end,
                recorded_by: Some(staff.coordinator),
                created_at: at,
            });
            holds.push(kind);
        }
    }
    // The status path, checked against the workflow by `history`.
    use PeerWorkerStatus::*;
    let t = |g: &mut Gen, d: NaiveDate| g.at(d);
    let mut steps = vec![
        (Recruited, recruited_at, None),
        (InTraining, t(g, cohort_start), None),
    ];
    let mut active_until = live_until;
    match outcome {
        EnrolmentOutcome::Enrolled => {}
        EnrolmentOutcome::DroppedOut => {
            steps.push((
                Ended,
                t(g, cohort_start + Duration::days(20)),
                Some("stopped during the training".to_owned()),
            ));
            active_until = cohort_start;
        }
        EnrolmentOutcome::Completed => {
            steps.push((Active, t(g, cohort_end), None));
            let span = (live_until - cohort_end).num_days().max(1);
            if live_until < today() {
                steps.push((
                    Ended,
                    t(g, live_until),
                    Some("the programme closed".to_owned()),
                ));
            } else if !forced && g.chance(0.07) {
                let leave = cohort_end + Duration::days(g.rng.gen_range(0..span));
                steps.push((OnLeave, t(g, leave), Some("sick leave".to_owned())));
            } else if !forced && g.chance(0.08) {
                active_until = cohort_end + Duration::days(g.rng.gen_range(0..span));
                steps.push((
                    Ended,
                    t(g, active_until),
                    Some("left for another job".to_owned()),
                ));
            }
        }
    }
    let status = steps.last().map_or(Recruited, |s| s.0);
    g.history("peer_worker", &id, &steps, staff.coordinator)?;
    let phone = names::phone(g);
    g.batch.peer_workers.push(PeerWorkerRow {
        id,
        email: Some(names::email_of(&name, g.batch.peer_workers.len())),
        name,
        phone: Some(phone),
        organisation_id: orgs.get(municipality),
        engagement,
        hours_per_week: hours,
        status,
        capacity: g.rng.gen_range(4..=10),
        user_id: None,
        version: steps.len() as i64,
        created_at: recruited_at,
        updated_at: steps.last().map_or(recruited_at, |s| s.1),
    });
    let capacity = i64::from(g.batch.peer_workers.last().map_or(4, |r| r.capacity));
    g.batch.peer_worker_programmes.push(PeerWorkerProgrammeRow {
        peer_worker_id: id,
        programme_id,
    });
    let mut served = vec![municipality];
    if g.chance(0.3) {
        let other = *g.pick(spec.municipalities);
        if other != municipality {
            served.push(other);
        }
    }
    for code in &served {
        g.batch
            .peer_worker_municipalities
            .push(PeerWorkerMunicipalityRow {
                peer_worker_id: id,
                municipality_code: (*code).to_owned(),
            });
    }
    let mut languages = vec!["da"];
    if g.chance(0.25) {
        languages.push("en");
    }
    if g.chance(0.06) {
        languages.push(*g.pick(LANGUAGES));
    }
    for language in &languages {
        g.batch.peer_worker_languages.push(PeerWorkerLanguageRow {
            peer_worker_id: id,
            language: (*language).to_owned(),
        });
    }
    let _ = p;
    Ok(Peer {
        id,
        programme: p,
        municipality,
        status,
        holds,
        capacity,
        open: 0,
        active_from: cohort_end,
        active_until: if status == OnLeave {
            steps.last().map_or(live_until, |s| s.1.date())
        } else {
            active_until
        },
    })
}

/// Monthly group supervision per municipality, with an individual session now and then.
fn supervision(g: &mut Gen, peers: &[Peer], staff: Staff) -> Result<(), RuleBroken> {
    let Some(first) = peers
        .iter()
        .filter(|p| !p.holds.is_empty())
        .map(|p| p.active_from)
        .min()
    else {
        return Ok(());
    };
    let last = peers.iter().map(|p| p.active_until).max().unwrap_or(first);
    let mut groups: Vec<&str> = peers.iter().map(|p| p.municipality).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut month = first;
    while month <= last {
        for group in &groups {
            let day = month + Duration::days(g.rng.gen_range(0..25));
            let present: Vec<PeerWorkerId> = peers
                .iter()
                .filter(|p| p.municipality == *group && !p.holds.is_empty() && p.was_active_on(day))
                .filter(|_| g.chance(0.85))
                .map(|p| p.id)
                .collect();
            if present.is_empty() || day > today() {
                continue;
            }
            let format = if present.len() == 1 || g.chance(0.1) {
                SupervisionFormat::Individual
            } else {
                SupervisionFormat::Group
            };
            let attendees = if format == SupervisionFormat::Individual {
                &present[..1]
            } else {
                &present[..]
            };
            if !format.allows_attendees(attendees.len()) {
                return Err(RuleBroken("supervision attendees".to_owned()));
            }
            let at = g.at(day);
            let id: SupervisionSessionId = g.id(at);
            let topic = (*g.pick(SUPERVISION_TOPICS)).to_owned();
            g.batch.supervision_sessions.push(SupervisionSessionRow {
                id,
                date: day,
                supervisor_user_id: Some(staff.professional),
                supervisor_peer_worker_id: None,
                format,
                topic: Some(topic),
                version: 1,
                created_at: at,
                updated_at: at,
            });
            for peer in attendees {
                g.batch.supervision_attendees.push(SupervisionAttendeeRow {
                    supervision_session_id: id,
                    peer_worker_id: *peer,
                });
            }
        }
        month = month
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    Ok(())
}
