//! Courses of the teaching model: co-created, taught together by a peer teacher and a
//! professional (the opening rule), with sessions, enrolments (a waitlist beyond capacity that
//! moves up in order) and attendance.

use super::citizens::Registered;
use super::draw::{Gen, RuleBroken, today};
use super::names;
use super::people::{Peer, Staff};
use super::programmes::{Organisations, PROGRAMMES};
use brobygger_domain::course::{
    AttendanceStatus, CoCreator, CourseFormat, CourseStatus, EnrolmentStatus, ParticipantType,
    Placement, TeachingFacts, move_up, place, plan_transition,
};
use brobygger_domain::peer_worker::{PeerWorkerStatus, may_teach};
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::course::{AttendanceRow, CourseRow, CourseSessionRow, CourseTeacherRow};
use brobygger_persistence::ids::{
    AttendanceId, CourseEnrolmentId, CourseId, CourseSessionId, CourseTeacherId, ProgrammeId,
};
use brobygger_persistence::seed::{CoCreatorRow, CourseEnrolmentSeedRow};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;

const TITLES: &[&str] = &[
    "Recovery – at komme sig",
    "Håb og hverdagsliv",
    "Min recoveryplan",
    "Pårørende og recovery",
    "Stress og mestring",
    "Tilbage til arbejdslivet",
    "Netværk og relationer",
    "Søvn og trivsel",
    "At leve med angst",
    "Mine styrker og værdier",
];
const TOPICS: &[&str] = &[
    "Velkomst og forventninger",
    "Egne erfaringer",
    "Håb",
    "Mestring",
    "Netværk",
    "Afrunding",
];

pub struct Context<'a> {
    pub orgs: &'a Organisations,
    pub programme_ids: &'a [ProgrammeId],
    pub staff: &'a [Staff],
    pub peers: &'a [Peer],
    pub citizens: &'a [Registered],
}

/// `count` courses shared among the programmes that teach, about `enrolments` participants.
pub fn courses(
    g: &mut Gen,
    ctx: &Context<'_>,
    count: usize,
    enrolments: usize,
) -> Result<(), RuleBroken> {
    let teaching: Vec<usize> = (0..PROGRAMMES.len())
        .filter(|p| PROGRAMMES[*p].share > 0)
        .collect();
    let per_course = enrolments as f64 / count.max(1) as f64;
    for i in 0..count {
        let p = teaching[i % teaching.len()];
        course(g, ctx, p, per_course)?;
    }
    Ok(())
}

fn session_time(day: NaiveDate, evening: bool) -> NaiveDateTime {
    let hour = if evening { 17 } else { 10 };
    day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN))
}

#[allow(clippy::too_many_lines)]
fn course(g: &mut Gen, ctx: &Context<'_>, p: usize, per_course: f64) -> Result<(), RuleBroken> {
    let spec = &PROGRAMMES[p];
    let staff = ctx.staff[p];
    // A peer teacher who was active and qualified when the course opened.
    let start_span = (spec.live_until() - spec.start_date()).num_days() - 120;
    let opens_on =
        spec.start_date() + Duration::days(120 + g.rng.gen_range(0..start_span.max(1)) + 30);
    let teachers: Vec<&Peer> = ctx
        .peers
        .iter()
        .filter(|peer| peer.programme == p && peer.was_active_on(opens_on))
        .filter(|peer| may_teach(PeerWorkerStatus::Active, &peer.holds))
        .collect();
    let Some(teacher) = (!teachers.is_empty()).then(|| *g.pick(&teachers)) else {
        return Ok(());
    };
    let planned_on = opens_on - Duration::days(g.rng.gen_range(14..45));
    let created = g.at(planned_on);
    let id: CourseId = g.id(created);
    let format = if p == super::programmes::SYDDANMARK {
        CourseFormat::RecoveryCollege
    } else {
        *g.pick(&[
            CourseFormat::GroupCourse,
            CourseFormat::Workshop,
            CourseFormat::Lecture,
        ])
    };
    let capacity = g.rng.gen_range(12..=24);
    let sessions = g.rng.gen_range(4..=8);
    let first_session = opens_on + Duration::days(g.rng.gen_range(14..35));
    let last_session = first_session + Duration::weeks(sessions - 1);
    let cancelled = g.chance(0.04);
    use CourseStatus::*;
    let mut steps = vec![(Planned, created, None)];
    let together = TeachingFacts {
        qualified_peer_teachers: 1,
        professional_teachers: 1,
    };
    let mut moves = vec![
        (OpenForEnrolment, opens_on),
        (Running, first_session),
        (Completed, last_session + Duration::days(1)),
    ];
    if cancelled {
        moves.truncate(1);
        moves.push((Cancelled, opens_on + Duration::days(7)));
    }
    for (to, day) in moves {
        if day > today() {
            break;
        }
        let from = steps.last().map_or(Planned, |s| s.0);
        plan_transition(from, to, together).map_err(|e| RuleBroken(format!("course: {e}")))?;
        let reason = (to == Cancelled).then(|| "too few participants".to_owned());
        steps.push((to, g.at(day), reason));
    }
    let status = steps.last().map_or(Planned, |s| s.0);
    g.history("course", &id, &steps, staff.coordinator)?;
    let title = (*g.pick(TITLES)).to_owned();
    let location = Some(format!(
        "Kursuslokalet, {}",
        brobygger_domain::reference::municipality(teacher.municipality)
            .map_or("", |m| m.name.as_str())
    ));
    g.batch.courses.push(CourseRow {
        id,
        programme_id: ctx.programme_ids[p],
        title,
        description: Some("Co-created by people with lived experience, relatives and professionals; taught together by a peer teacher and a professional.".to_owned()),
        format,
        provider_organisation_id: ctx.orgs.get(spec.provider),
        location: location.clone(),
        capacity,
        status,
        version: steps.len() as i64,
        created_at: created,
        updated_at: steps.last().map_or(created, |s| s.1),
    });
    for kind in [CoCreator::Peer, CoCreator::Professional] {
        g.batch.course_co_creators.push(CoCreatorRow {
            course_id: id,
            kind,
        });
    }
    if g.chance(0.6) {
        g.batch.course_co_creators.push(CoCreatorRow {
            course_id: id,
            kind: CoCreator::Citizen,
        });
    }
    if g.chance(0.3) {
        g.batch.course_co_creators.push(CoCreatorRow {
            course_id: id,
            kind: CoCreator::Relative,
        });
    }
    for (peer, user, role) in [
        (
            Some(teacher.id),
            None,
            brobygger_domain::course::TeacherRole::PeerTeacher,
        ),
        (
            None,
            Some(staff.professional),
            brobygger_domain::course::TeacherRole::Professional,
        ),
    ] {
        let t: CourseTeacherId = g.id(created);
        g.batch.course_teachers.push(CourseTeacherRow {
            id: t,
            course_id: id,
            peer_worker_id: peer,
            user_id: user,
            role,
            version: 1,
            created_at: created,
            updated_at: created,
        });
    }
    if cancelled || !steps.iter().any(|s| s.0 == OpenForEnrolment) {
        return Ok(());
    }
    let evening = g.chance(0.5);
    let mut session_ids = Vec::new();
    for k in 0..sessions {
        let day = first_session + Duration::weeks(k);
        let starts_at = session_time(day, evening);
        let s: CourseSessionId = g.id(created);
        let topic = TOPICS.get(k as usize).copied().unwrap_or("Fordybelse");
        g.batch.course_sessions.push(CourseSessionRow {
            id: s,
            course_id: id,
            starts_at,
            ends_at: starts_at + Duration::minutes(150),
            location: location.clone(),
            topic: Some(topic.to_owned()),
            version: 1,
            created_at: created,
            updated_at: created,
        });
        session_ids.push((s, day));
    }
    enrolments(
        g,
        ctx,
        (id, p, capacity, opens_on, first_session),
        per_course,
        &session_ids,
        teacher,
    )
}

fn enrolments(
    g: &mut Gen,
    ctx: &Context<'_>,
    (id, p, capacity, opens_on, first_session): (CourseId, usize, i32, NaiveDate, NaiveDate),
    per_course: f64,
    sessions: &[(CourseSessionId, NaiveDate)],
    teacher: &Peer,
) -> Result<(), RuleBroken> {
    let wanted = g
        .rng
        .gen_range((per_course * 0.6) as usize..=((per_course * 1.4) as usize).max(1));
    let of_programme: Vec<&Registered> = ctx.citizens.iter().filter(|c| c.programme == p).collect();
    let (mut enrolled, mut waiting) = (0i64, Vec::new());
    let mut rows: Vec<CourseEnrolmentSeedRow> = Vec::new();
    let mut taken = std::collections::HashSet::new();
    let recorder = ctx.staff[p].coordinator;
    for _ in 0..wanted {
        let day = g.day_between(opens_on, first_session - Duration::days(1));
        let at = g.at(day);
        let e: CourseEnrolmentId = g.id(at);
        let (citizen_id, name, kind) = if g.chance(0.7) && !of_programme.is_empty() {
            let c = *g.pick(&of_programme);
            if !taken.insert(c.id) {
                continue;
            }
            (Some(c.id), None, None)
        } else {
            let kind = [
                ParticipantType::Relative,
                ParticipantType::Professional,
                ParticipantType::Peer,
                ParticipantType::Other,
            ][g.weighted(&[45, 25, 15, 15])];
            (None, Some(names::person_name(g)), Some(kind.as_str()))
        };
        let (status, position) = match place(capacity, enrolled, waiting.len() as i64) {
            Placement::Enrolled => {
                enrolled += 1;
                (EnrolmentStatus::Enrolled, None)
            }
            Placement::Waitlisted { position } => {
                waiting.push(rows.len());
                (EnrolmentStatus::Waitlisted, Some(position))
            }
        };
        rows.push(CourseEnrolmentSeedRow {
            id: e,
            course_id: id,
            citizen_id,
            participant_name: name,
            participant_type: kind,
            status,
            waitlist_position: position,
            version: 1,
            created_at: at,
            updated_at: at,
        });
    }
    // Some withdraw before the start; the waitlist moves up in order.
    let withdrawing: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].status == EnrolmentStatus::Enrolled && g.chance(0.08))
        .collect();
    for i in withdrawing {
        rows[i].status = EnrolmentStatus::Withdrawn;
        rows[i].version += 1;
        enrolled -= 1;
        let plan = move_up(capacity, enrolled, &waiting);
        for promoted in &plan.promoted {
            rows[*promoted].status = EnrolmentStatus::Enrolled;
            rows[*promoted].waitlist_position = None;
            rows[*promoted].version += 1;
            enrolled += 1;
        }
        for (row, position) in &plan.waiting {
            rows[*row].waitlist_position = Some(*position);
        }
        waiting = plan.waiting.into_iter().map(|(row, _)| row).collect();
    }
    let _ = teacher;
    for row in &rows {
        if row.status != EnrolmentStatus::Enrolled {
            continue;
        }
        for (session, day) in sessions.iter().filter(|(_, day)| *day <= today()) {
            let status = [
                AttendanceStatus::Present,
                AttendanceStatus::Absent,
                AttendanceStatus::Excused,
            ][g.weighted(&[80, 12, 8])];
            let at = session_time(*day, false) + Duration::hours(8);
            let a: AttendanceId = g.id(at);
            g.batch.course_attendance.push(AttendanceRow {
                id: a,
                session_id: *session,
                enrolment_id: row.id,
                status,
                recorded_by: recorder,
                created_at: at,
            });
        }
    }
    g.batch.course_enrolments.extend(rows);
    Ok(())
}
