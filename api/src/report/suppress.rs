//! The report as an evaluator reads it: every count about citizens below 5 suppressed, with
//! the domain's secondary suppression over the sums the report shows, and every rate, median or
//! share computed from a suppressed count suppressed with it.

use super::dto::{Amount, Count, ProgrammeReport};
use brobygger_domain::disclosure::suppressed;
use brobygger_domain::programme::Metric;

/// Suppresses `report`'s small counts in place (see `disclosure`).
pub fn small_counts(report: &mut ProgrammeReport) {
    let r = report;
    {
        let mut cells: Vec<&mut Count> = Vec::new();
        let mut sums: Vec<Vec<usize>> = Vec::new();
        // Counts with no total shown beside them: suppressed when small.
        cells.push(&mut r.citizens_reached);
        cells.push(&mut r.support_courses.started);
        cells.extend(
            r.support_courses
                .by_model_and_status
                .iter_mut()
                .map(|c| &mut c.count),
        );
        cells.push(&mut r.contacts.count);
        cells.extend(r.goals.iter_mut().map(|g| &mut g.count));
        cells.push(&mut r.referrals.accepted);
        cells.push(&mut r.employment.citizens);
        // Referrals: sent = the sum of the cells by target kind and status.
        let start = cells.len();
        cells.push(&mut r.referrals.sent);
        cells.extend(
            r.referrals
                .by_target_kind_and_status
                .iter_mut()
                .map(|c| &mut c.count),
        );
        sums.push((start..cells.len()).collect());
        // Participants: by format and by type add up to the same (unshown) total.
        let start = cells.len();
        cells.extend(r.courses.iter_mut().map(|c| &mut c.participants));
        cells.extend(r.participants.iter_mut().map(|p| &mut p.count));
        sums.push((start..cells.len()).collect());
        // Retention: each follow-up's four outcomes add up to the moves.
        let moves = cells.len();
        cells.push(&mut r.employment.moves);
        for row in &mut r.employment.retention {
            let start = cells.len();
            cells.extend([
                &mut row.retained,
                &mut row.not_retained,
                &mut row.unknown,
                &mut row.pending,
            ]);
            sums.push(std::iter::once(moves).chain(start..cells.len()).collect());
        }
        let values: Vec<i64> = cells.iter().map(|c| c.value.unwrap_or(0)).collect();
        for (cell, hide) in cells.into_iter().zip(suppressed(&values, &sums)) {
            if hide {
                *cell = Count::hidden();
            }
        }
    }
    // What is computed from a suppressed count is suppressed with it.
    if r.contacts.count.suppressed {
        r.contacts.minutes = Count::hidden();
        r.contacts.hours = Amount::hidden();
    }
    for course in &mut r.courses {
        if course.participants.suppressed {
            course.attendance_rate = Amount::hidden();
        }
    }
    if r.referrals.accepted.suppressed {
        r.referrals.median_days_sent_to_accepted = Amount::hidden();
    }
    for row in &mut r.employment.retention {
        if row.retained.suppressed || row.not_retained.suppressed {
            row.rate = Amount::hidden();
        }
    }
    let measured = |metric: Metric| match metric {
        Metric::CitizensReached => Some(r.citizens_reached),
        Metric::SupportCoursesStarted => Some(r.support_courses.started),
        Metric::ReferralsMade => Some(r.referrals.sent),
        Metric::CitizensInEmployment => Some(r.employment.citizens),
        Metric::PeersTrained | Metric::PeersActive | Metric::CoursesHeld => None,
    };
    let figures: Vec<Option<Count>> = r.targets.iter().map(|t| measured(t.metric)).collect();
    for (target, figure) in r.targets.iter_mut().zip(figures) {
        if let Some(figure) = figure.filter(|f| f.suppressed) {
            target.measured = figure;
            target.share = Amount::hidden();
        }
    }
}
