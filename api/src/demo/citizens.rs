//! Citizens with their consents and support courses (goals, progress, contacts), each
//! course's status path checked against the workflow and its peer guide against the guide
//! rule (qualified, active, under capacity).

use super::bridges::{self, Bridges};
use super::draw::{Gen, RuleBroken, today};
use super::facts::{Citizen, Context, Running, consent};
use super::names;
use super::people::Peer;
use super::programmes::PROGRAMMES;
use brobygger_domain::citizen::ConsentPurpose;
use brobygger_domain::peer_worker::{GuideFacts, check_guide};
use brobygger_domain::support_course::{
    ContactMode, GoalDomain, GoalStatus, SupportModel, SupportStatus, TransitionFacts,
    plan_transition,
};
use brobygger_persistence::citizen::CitizenRow;
use brobygger_persistence::ids::{
    CitizenId, ContactId, GoalId, ProgressId, SupportCourseId, UserId,
};
use brobygger_persistence::support_course::{ContactRow, GoalRow, ProgressRow, SupportCourseRow};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::Rng;
use std::collections::HashSet;

/// A citizen as the courses (teaching model) need it.
#[derive(Debug, Clone, Copy)]
pub struct Registered {
    pub id: CitizenId,
    pub programme: usize,
}

/// What the population aims at (the benchmark set at the chosen scale).
#[derive(Debug, Clone, Copy)]
pub struct Targets {
    pub citizens: usize,
    pub support_courses: usize,
    pub contacts: usize,
    pub referrals: usize,
}

const GOALS: &[(GoalDomain, &str)] = &[
    (
        GoalDomain::Work,
        "Jeg vil gerne tilbage på arbejde nogle timer om ugen",
    ),
    (
        GoalDomain::Work,
        "Finde et job hvor jeg kan bruge mine hænder",
    ),
    (GoalDomain::Education, "Gøre min uddannelse færdig"),
    (
        GoalDomain::Housing,
        "Få styr på økonomien så jeg kan blive boende",
    ),
    (
        GoalDomain::SocialNetwork,
        "Se mine venner igen og ikke isolere mig",
    ),
    (GoalDomain::Health, "Sove bedre og få en fast døgnrytme"),
    (
        GoalDomain::EverydayLife,
        "Kunne handle ind og lave mad selv",
    ),
    (GoalDomain::EverydayLife, "Tage bussen alene"),
    (GoalDomain::Leisure, "Begynde at gå til svømning igen"),
    (GoalDomain::Other, "Forstå mine egne tegn på tilbagefald"),
];
const NOTES: &[&str] = &[
    "Godt i gang, har taget de første skridt",
    "En svær periode, men holder fast",
    "Har selv kontaktet foreningen",
    "Mærker fremgang og mere overskud",
];
const SUMMARIES: &[&str] = &[
    "Gåtur og snak om ugen",
    "Fulgte med til møde på jobcentret",
    "Telefonsamtale om søvn og rutiner",
    "Kaffe og planlægning af næste skridt",
    "Talte om erfaringer med tilbagefald",
];
const ENDED_EARLY: &[&str] = &[
    "the citizen moved away",
    "the citizen wished to stop",
    "admitted to hospital for a longer period",
];
const CANCELLED: &[&str] = &[
    "the citizen declined the offer",
    "no peer guide was available",
    "the citizen could not be reached",
];

/// Every citizen with consents and support courses; returns the citizens for the courses.
pub fn citizens(
    g: &mut Gen,
    ctx: &Context<'_>,
    peers: &mut [Peer],
    targets: Targets,
    bridges: &mut Bridges,
) -> Result<Vec<Registered>, RuleBroken> {
    let shares: Vec<u32> = PROGRAMMES.iter().map(|p| p.share).collect();
    let total_share: u32 = shares.iter().sum();
    let extra = targets
        .support_courses
        .saturating_sub(targets.citizens)
        .min(targets.citizens);
    // Contacts and referrals per course that runs (about nine in ten do).
    let running = (targets.support_courses as f64 * 0.9).max(1.0);
    let contacts_per_course = targets.contacts as f64 / running;
    let referral_chance = targets.referrals as f64 / running;
    let mut cprs = HashSet::new();
    let mut registered = Vec::with_capacity(targets.citizens);
    let n = targets.citizens;
    for i in 0..n {
        // Programmes by share, in blocks of the index; a second course spread evenly.
        let position = (i as u64 * u64::from(total_share) / n.max(1) as u64) as u32;
        let mut p = 0;
        let mut acc = 0;
        for (j, s) in shares.iter().enumerate() {
            acc += s;
            if position < acc {
                p = j;
                break;
            }
        }
        let courses = 1 + usize::from((i * extra) / n != ((i + 1) * extra) / n);
        let citizen = one_citizen(g, ctx, p, &mut cprs)?;
        registered.push(Registered {
            id: citizen.id,
            programme: p,
        });
        let mut day = first_request_day(g, p);
        for _ in 0..courses {
            let Some(next) = support_course(
                g,
                ctx,
                peers,
                &citizen,
                day,
                (contacts_per_course, referral_chance),
                bridges,
            )?
            else {
                break;
            };
            day = next;
        }
    }
    Ok(registered)
}

fn first_request_day(g: &mut Gen, p: usize) -> NaiveDate {
    let spec = &PROGRAMMES[p];
    let start = spec.start_date() + Duration::days(90);
    let span = (spec.live_until() - start).num_days();
    g.day_between(start, start + Duration::days(span * 85 / 100))
}

fn one_citizen(
    g: &mut Gen,
    ctx: &Context<'_>,
    p: usize,
    cprs: &mut HashSet<String>,
) -> Result<Citizen, RuleBroken> {
    let spec = &PROGRAMMES[p];
    let municipality = *g.pick(spec.municipalities);
    let name = names::person_name(g);
    let born = g.day_between(
        super::draw::date(1955, 1, 1),
        super::draw::date(2005, 12, 31),
    );
    let registered_on = first_request_day(g, p) - Duration::days(g.rng.gen_range(0..5));
    let at = g.at(registered_on);
    let id: CitizenId = g.id(at);
    let (cpr_ciphertext, cpr_index) = if g.chance(0.85) {
        let cpr = loop {
            let cpr = names::fictitious_cpr(g, born);
            if cprs.insert(cpr.digits().to_owned()) {
                break cpr;
            }
        };
        let sealed = ctx
            .vault
            .encrypt(&cpr)
            .map_err(|e| RuleBroken(e.to_string()))?;
        (Some(sealed), Some(ctx.vault.blind_index(&cpr)))
    } else {
        (None, None)
    };
    let email = g
        .chance(0.5)
        .then(|| names::email_of(&name, g.batch.citizens.len()));
    let phone = g.chance(0.8).then(|| names::phone(g));
    let language = if g.chance(0.9) {
        "da"
    } else {
        *g.pick(&["en", "ar", "tr", "pl", "so"])
    };
    g.batch.citizens.push(CitizenRow {
        id,
        name,
        cpr_ciphertext,
        cpr_index,
        email,
        phone,
        municipality_code: municipality.to_owned(),
        preferred_language: Some(language.to_owned()),
        organisation_id: ctx.orgs.get(municipality),
        anonymised_at: None,
        version: 1,
        created_at: at,
        updated_at: at,
    });
    let recorder = ctx.staff[p].coordinator;
    consent(
        g,
        id,
        ConsentPurpose::DataProcessing,
        registered_on,
        recorder,
    );
    if g.chance(0.6) {
        let evaluation = consent(g, id, ConsentPurpose::Evaluation, registered_on, recorder);
        if g.chance(0.05) {
            let withdrawn = g.day_between(registered_on + Duration::days(30), today());
            if let Some(row) = g
                .batch
                .consents
                .iter_mut()
                .rev()
                .find(|c| c.id == evaluation)
            {
                row.withdrawn_on = Some(withdrawn);
                row.withdrawn_by = Some(recorder);
                row.version = 2;
            }
        }
    }
    Ok(Citizen {
        id,
        programme: p,
        municipality,
    })
}

/// A peer guide for a course matched on `day`: for a course still open today the guide rule
/// as the API checks it (active, `peer_guide`, a free place); for a closed one, a guide who was
/// active then.
fn choose_guide(
    g: &mut Gen,
    peers: &[Peer],
    p: usize,
    day: NaiveDate,
    open_today: bool,
) -> Option<usize> {
    let candidates: Vec<usize> = peers
        .iter()
        .enumerate()
        .filter(|(_, peer)| peer.programme == p && peer.was_active_on(day))
        .filter(|(_, peer)| {
            if open_today {
                check_guide(&GuideFacts::new(
                    peer.status,
                    &peer.holds,
                    peer.open,
                    peer.capacity,
                ))
                .is_ok()
            } else {
                brobygger_domain::peer_worker::may_guide(
                    brobygger_domain::peer_worker::PeerWorkerStatus::Active,
                    &peer.holds,
                )
            }
        })
        .map(|(i, _)| i)
        .collect();
    (!candidates.is_empty()).then(|| *g.pick(&candidates))
}

fn step(g: &mut Gen, day: NaiveDate) -> NaiveDateTime {
    g.at(day)
}

/// One support course from `requested_on`; returns the day the citizen's next one could be
/// requested, or `None` when there is no room for another.
#[allow(clippy::too_many_lines)]
fn support_course(
    g: &mut Gen,
    ctx: &Context<'_>,
    peers: &mut [Peer],
    citizen: &Citizen,
    requested_on: NaiveDate,
    (contacts_per_course, referral_chance): (f64, f64),
    bridges: &mut Bridges,
) -> Result<Option<NaiveDate>, RuleBroken> {
    use SupportStatus::*;
    let p = citizen.programme;
    let spec = &PROGRAMMES[p];
    let Some(model) = spec.support_model else {
        return Ok(None);
    };
    let live = spec.live_until();
    if requested_on > live.min(today()) {
        return Ok(None);
    }
    let staff = ctx.staff[p];
    let matched_on = requested_on + Duration::days(g.rng.gen_range(2..15));
    let active_on = matched_on + Duration::days(g.rng.gen_range(3..11));
    let ends_on = active_on + Duration::days(g.rng.gen_range(60..300));
    let planned_end = active_on + Duration::days(g.rng.gen_range(120..366));
    let open_today = ends_on > live && live >= today();
    let guide = choose_guide(g, peers, p, matched_on, open_today && matched_on <= today());
    let requested_at = step(g, requested_on);
    let id: SupportCourseId = g.id(requested_at);
    let mut steps: Vec<(SupportStatus, NaiveDateTime, Option<String>)> =
        vec![(Requested, requested_at, None)];
    let cancelled = g.chance(0.05) || (guide.is_none() && !open_today);
    let mut pause: Option<(NaiveDate, NaiveDate)> = None;
    if cancelled {
        if guide.is_some() && g.chance(0.5) {
            steps.push((Matched, step(g, matched_on), None));
        }
        let reason = (*g.pick(CANCELLED)).to_owned();
        steps.push((
            Cancelled,
            step(g, matched_on + Duration::days(3)),
            Some(reason),
        ));
    } else if guide.is_some() {
        for (status, day) in [(Matched, matched_on), (Active, active_on)] {
            if day <= today() {
                steps.push((status, step(g, day), None));
            }
        }
        let last_day = ends_on.min(live);
        if g.chance(0.12) && active_on + Duration::days(40) < last_day.min(today()) {
            let from = active_on + Duration::days(g.rng.gen_range(10..30));
            let to = from + Duration::days(g.rng.gen_range(7..28));
            steps.push((Paused, step(g, from), None));
            if to < last_day.min(today()) {
                steps.push((Active, step(g, to), None));
            }
            pause = Some((from, to));
        }
        let still_paused = steps.last().is_some_and(|s| s.0 == Paused);
        if !open_today && last_day <= today() {
            let (to, reason) = if still_paused || g.chance(0.22) {
                (EndedEarly, Some((*g.pick(ENDED_EARLY)).to_owned()))
            } else {
                (Completed, None)
            };
            steps.push((to, step(g, last_day), reason));
        }
    }
    // Every move as the API would plan it.
    for pair in steps.windows(2) {
        plan_transition(&TransitionFacts {
            from: pair[0].0,
            to: pair[1].0,
            reason: pair[1].2.as_deref(),
            has_peer_worker: guide.is_some(),
        })
        .map_err(|e| RuleBroken(format!("support course: {e}")))?;
    }
    let status = steps.last().map_or(Requested, |s| s.0);
    // A course without a match keeps no peer worker; an open one counts against capacity.
    let peer_index = guide.filter(|_| status != Requested || !open_today);
    if status.is_open()
        && let Some(i) = peer_index
    {
        let peer = &mut peers[i];
        check_guide(&GuideFacts::new(
            peer.status,
            &peer.holds,
            peer.open,
            peer.capacity,
        ))
        .map_err(|e| RuleBroken(e.to_string()))?;
        peer.open += 1;
    }
    let peer_id = peer_index.map(|i| peers[i].id);
    let recorder = if peer_id == Some(ctx.demo_peer.0) {
        ctx.demo_peer.1
    } else {
        staff.coordinator
    };
    let closed_at = (!status.is_open()).then(|| steps.last().map_or(requested_at, |s| s.1));
    let context = match model {
        SupportModel::PeerGuide => format!(
            "discharged from a psychiatric ward on {}",
            requested_on - Duration::days(g.rng.gen_range(1..20))
        ),
        SupportModel::EmploymentSupport => "referred by the jobcentre".to_owned(),
        SupportModel::IndividualPeerSupport => {
            "asked for peer support through the municipality".to_owned()
        }
    };
    let updated_at = steps.last().map_or(requested_at, |s| s.1);
    g.history("support_course", &id, &steps, staff.coordinator)?;
    g.batch.support_courses.push(SupportCourseRow {
        id,
        citizen_id: citizen.id,
        model,
        programme_id: ctx.programme_ids[p],
        peer_worker_id: peer_id,
        coordinator_user_id: Some(staff.coordinator),
        context: Some(context),
        planned_end_date: Some(planned_end),
        status,
        closed_at,
        version: steps.len() as i64,
        created_at: requested_at,
        updated_at,
    });
    let ran = steps.iter().any(|s| s.0 == Active);
    if ran && let Some(peer) = peer_id {
        let until = closed_at.map_or(today(), |c| c.date()).min(today());
        let running = Running {
            course: id,
            peer,
            from: active_on,
            until,
            pause,
            status,
            recorder,
        };
        goals(g, &running, staff.coordinator);
        contacts(g, &running, contacts_per_course);
        if g.chance(referral_chance) {
            bridges::referral(g, ctx, bridges, citizen, &running)?;
        }
        if model == SupportModel::EmploymentSupport || g.chance(0.2) {
            bridges::employment(g, ctx, bridges, citizen, &running)?;
        }
    }
    let next =
        ends_on.max(requested_on + Duration::days(20)) + Duration::days(g.rng.gen_range(30..240));
    Ok((!status.is_open() && next < live.min(today()) - Duration::days(30)).then_some(next))
}

fn goals(g: &mut Gen, r: &Running, coordinator: UserId) {
    let count = if g.chance(0.3) { 2 } else { 1 };
    for _ in 0..count {
        let (domain, text) = *g.pick(GOALS);
        let status = match r.status {
            SupportStatus::Completed => *g.pick(&[
                GoalStatus::Achieved,
                GoalStatus::Achieved,
                GoalStatus::InProgress,
                GoalStatus::Dropped,
            ]),
            SupportStatus::EndedEarly => *g.pick(&[GoalStatus::Dropped, GoalStatus::InProgress]),
            _ => *g.pick(&[
                GoalStatus::Open,
                GoalStatus::InProgress,
                GoalStatus::InProgress,
            ]),
        };
        let at = g.at(r.from);
        let id: GoalId = g.id(at);
        g.batch.goals.push(GoalRow {
            id,
            support_course_id: r.course,
            text: text.to_owned(),
            domain,
            status,
            version: 1,
            created_at: at,
            updated_at: at,
        });
        for _ in 0..g.rng.gen_range(0..3) {
            let day = g.day_between(r.from, r.until);
            let at = g.at(day);
            let progress: ProgressId = g.id(at);
            let note = (*g.pick(NOTES)).to_owned();
            let rating = g.rng.gen_range(1..=10);
            g.batch.goal_progress.push(ProgressRow {
                id: progress,
                goal_id: id,
                date: day,
                note,
                self_rating: Some(rating),
                recorded_by: coordinator,
                created_at: at,
            });
        }
    }
}

fn contacts(g: &mut Gen, r: &Running, mean: f64) {
    let high = (mean * 2.0).round().max(1.0) as u32;
    let count = g.rng.gen_range(0..=high);
    const MODES: [ContactMode; 5] = [
        ContactMode::InPerson,
        ContactMode::Phone,
        ContactMode::Video,
        ContactMode::Text,
        ContactMode::Accompaniment,
    ];
    for _ in 0..count {
        let mut day = g.day_between(r.from, r.until);
        if let Some((from, to)) = r.pause
            && day >= from
            && day < to
        {
            day = from - Duration::days(1);
        }
        let mode = MODES[g.weighted(&[50, 25, 5, 10, 10])];
        let at = g.at(day);
        let id: ContactId = g.id(at);
        let summary = g.chance(0.25).then(|| (*g.pick(SUMMARIES)).to_owned());
        g.batch.contacts.push(ContactRow {
            id,
            support_course_id: r.course,
            date: day,
            minutes: g.rng.gen_range(3..=24) * 5,
            mode,
            summary,
            peer_worker_id: r.peer,
            recorded_by: r.recorder,
            version: 1,
            created_at: at,
            updated_at: at,
        });
    }
}
