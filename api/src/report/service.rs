//! The programme report: the stored aggregates (`persistence::report`, 17 statements) turned
//! into figures with the domain's rates, median and targets.

use super::dto::{
    Amount, ContactFigures, Count, CourseFigures, EmploymentFigures, GoalCount, ParticipantCount,
    PeerFigures, ProgrammeReport, ReferralCount, ReferralFigures, ReportParams, RetentionFigures,
    SupportCourseCount, SupportFigures, TargetFigures,
};
use super::suppress;
use crate::access;
use crate::actor::Actor;
use crate::error::ApiError;
use brobygger_domain::FieldErrors;
use brobygger_domain::course::AttendanceStatus;
use brobygger_domain::disclosure::sees_exact_counts;
use brobygger_domain::employment::RetentionOutcome;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::programme::Period;
use brobygger_domain::report::{
    Measured, days_between, hours, median, rate, retention_rate, target_outcome,
};
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::DbConnection;
use brobygger_persistence::report::{self as store, ReportFigures, ReportScope};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The report's scope: the period (default: the programme's) with `from` not after `to`, and
/// an official municipality code.
fn scope(
    programme: &brobygger_persistence::programme::ProgrammeRow,
    params: &ReportParams,
    actor: &Actor,
) -> Result<ReportScope, ApiError> {
    let mut errors = FieldErrors::new();
    let from = params.from.unwrap_or(programme.start_date);
    let to = match params.to {
        Some(to) => to,
        // A default end never falls before the start asked for.
        None => programme.end_date.unwrap_or(actor.today).max(from),
    };
    if let Err(e) = Period::parse(from, Some(to), "to") {
        errors.0.extend(e.0);
    }
    if let Some(code) = &params.municipality_code {
        errors.check("municipality_code", MunicipalityCode::parse(code));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(ReportScope {
        programme_id: programme.id,
        from,
        to,
        municipality_code: params.municipality_code.clone(),
    })
}

fn courses(figures: &ReportFigures) -> (Vec<CourseFigures>, Vec<ParticipantCount>) {
    let mut by_format: BTreeMap<_, CourseFigures> = BTreeMap::new();
    for &(format, n) in &figures.courses {
        by_format
            .entry(format)
            .or_insert_with(|| blank(format))
            .courses = n;
    }
    for &(format, n) in &figures.sessions {
        by_format
            .entry(format)
            .or_insert_with(|| blank(format))
            .sessions = n;
    }
    let mut by_type: BTreeMap<String, i64> = BTreeMap::new();
    for &(format, kind, n) in &figures.participants {
        let course = by_format.entry(format).or_insert_with(|| blank(format));
        course.participants = Count::exact(course.participants.value.unwrap_or(0) + n);
        let name = kind.map_or("citizen", |k| k.as_str()).to_owned();
        *by_type.entry(name).or_default() += n;
    }
    let mut marks: BTreeMap<_, (i64, i64)> = BTreeMap::new();
    for &(format, status, n) in &figures.attendance {
        let (present, all) = marks.entry(format).or_default();
        *all += n;
        if status == AttendanceStatus::Present {
            *present += n;
        }
    }
    for (format, (present, all)) in marks {
        by_format
            .entry(format)
            .or_insert_with(|| blank(format))
            .attendance_rate = Amount::exact(rate(present, all));
    }
    let participants = by_type
        .into_iter()
        .map(|(participant_type, count)| ParticipantCount {
            participant_type,
            count: Count::exact(count),
        })
        .collect();
    (by_format.into_values().collect(), participants)
}

fn blank(format: brobygger_domain::course::CourseFormat) -> CourseFigures {
    CourseFigures {
        format,
        courses: 0,
        sessions: 0,
        participants: Count::exact(0),
        attendance_rate: Amount::exact(None),
    }
}

fn retention(figures: &ReportFigures) -> Vec<RetentionFigures> {
    [3, 6, 12]
        .into_iter()
        .map(|months| {
            let count = |outcome: Option<RetentionOutcome>| {
                figures
                    .retention
                    .iter()
                    .filter(|(m, o, _)| *m == months && *o == outcome)
                    .map(|(_, _, n)| n)
                    .sum::<i64>()
            };
            let retained = count(Some(RetentionOutcome::Retained));
            let not_retained = count(Some(RetentionOutcome::NotRetained));
            RetentionFigures {
                months_after: months,
                retained: Count::exact(retained),
                not_retained: Count::exact(not_retained),
                unknown: Count::exact(count(Some(RetentionOutcome::Unknown))),
                pending: Count::exact(count(None)),
                rate: Amount::exact(retention_rate(retained, not_retained)),
            }
        })
        .collect()
}

fn report(programme_id: Uuid, scope: ReportScope, mut f: ReportFigures) -> ProgrammeReport {
    // The database groups in no particular order: the domain's order, for a stable answer.
    f.support_courses.sort_unstable();
    f.goals.sort_unstable();
    f.referrals.sort_unstable();
    let (courses, participants) = courses(&f);
    let sent: i64 = f.referrals.iter().map(|(_, _, n)| n).sum();
    let days = f
        .accepted
        .iter()
        .map(|&(s, a)| days_between(s, a))
        .collect();
    let measured = Measured {
        peers_trained: f.peers_trained,
        peers_active: f.peers_active,
        citizens_reached: f.citizens_reached,
        support_courses_started: f.support_courses_started,
        courses_held: courses.iter().map(|c| c.courses).sum(),
        referrals_made: sent,
        citizens_in_employment: f.citizens_employed,
    };
    let targets = f
        .targets
        .iter()
        .map(|&(metric, target, deadline)| {
            let outcome = target_outcome(metric, target, &measured);
            TargetFigures {
                metric,
                target,
                deadline,
                measured: Count::exact(outcome.measured),
                share: Amount::exact(outcome.share),
            }
        })
        .collect();
    ProgrammeReport {
        programme_id,
        from: scope.from,
        to: scope.to,
        municipality_code: scope.municipality_code,
        peers: PeerFigures {
            recruited: f.peers_recruited,
            trained: f.peers_trained,
            active: f.peers_active,
            supervised: f.peers_supervised,
            supervision_coverage: rate(f.peers_supervised, f.peers_active),
        },
        citizens_reached: Count::exact(f.citizens_reached),
        support_courses: SupportFigures {
            started: Count::exact(f.support_courses_started),
            by_model_and_status: f
                .support_courses
                .iter()
                .map(|&(model, status, count)| SupportCourseCount {
                    model,
                    status,
                    count: Count::exact(count),
                })
                .collect(),
        },
        contacts: ContactFigures {
            count: Count::exact(f.contacts),
            minutes: Count::exact(f.contact_minutes),
            hours: Amount::exact(Some(hours(f.contact_minutes))),
        },
        goals: f
            .goals
            .iter()
            .map(|&(status, count)| GoalCount {
                status,
                count: Count::exact(count),
            })
            .collect(),
        courses,
        participants,
        referrals: ReferralFigures {
            sent: Count::exact(sent),
            by_target_kind_and_status: f
                .referrals
                .iter()
                .map(|&(target_kind, status, count)| ReferralCount {
                    target_kind,
                    status,
                    count: Count::exact(count),
                })
                .collect(),
            accepted: Count::exact(i64::try_from(f.accepted.len()).unwrap_or(i64::MAX)),
            median_days_sent_to_accepted: Amount::exact(median(days)),
        },
        employment: EmploymentFigures {
            moves: Count::exact(f.employment_moves),
            citizens: Count::exact(f.citizens_employed),
            retention: retention(&f),
        },
        targets,
    }
}

/// The report of programme `id` for the period and municipality asked.
pub fn programme_report(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    params: &ReportParams,
) -> Result<ProgrammeReport, ApiError> {
    let programme = access::programme_reports(conn, actor, id)?;
    let scope = scope(&programme, params, actor)?;
    let figures = store::figures(conn, &scope)?;
    let mut report = report(programme.id.into(), scope, figures);
    if !sees_exact_counts(actor.role) {
        suppress::small_counts(&mut report);
    }
    Ok(report)
}
