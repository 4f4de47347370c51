//! The programme report's pure computations: rates, the median, hours, and each target beside
//! the figure that measures it.

use crate::programme::Metric;
use chrono::NaiveDateTime;

/// `part ÷ whole`, or `None` when there is nothing to divide by.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Minutes as hours, to two decimals.
pub fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// Calendar days from the day of `from` to the day of `to`.
pub fn days_between(from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    (to.date() - from.date()).num_days()
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
pub fn median(mut values: Vec<i64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Of the retention checks recorded `retained` or `not_retained`, the share retained
/// (`unknown` and not yet recorded checks count in neither).
pub fn retention_rate(retained: i64, not_retained: i64) -> Option<f64> {
    rate(retained, retained + not_retained)
}

/// The report's figures that measure a target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measured {
    pub peers_trained: i64,
    pub peers_active: i64,
    pub citizens_reached: i64,
    pub support_courses_started: i64,
    pub courses_held: i64,
    pub referrals_made: i64,
    pub citizens_in_employment: i64,
}

impl Measured {
    /// The figure measuring `metric`.
    pub fn of(&self, metric: Metric) -> i64 {
        match metric {
            Metric::PeersTrained => self.peers_trained,
            Metric::PeersActive => self.peers_active,
            Metric::CitizensReached => self.citizens_reached,
            Metric::SupportCoursesStarted => self.support_courses_started,
            Metric::CoursesHeld => self.courses_held,
            Metric::ReferralsMade => self.referrals_made,
            Metric::CitizensInEmployment => self.citizens_in_employment,
        }
    }
}

/// A target beside its measured value: the share achieved (`measured ÷ target`, `None` for a
/// target of 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetOutcome {
    pub metric: Metric,
    pub target: i64,
    pub measured: i64,
    pub share: Option<f64>,
}

pub fn target_outcome(metric: Metric, target: i64, measured: &Measured) -> TargetOutcome {
    let value = measured.of(metric);
    TargetOutcome {
        metric,
        target,
        measured: value,
        share: rate(value, target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2021, 3, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .expect("valid")
    }

    #[test]
    fn rates_divide_and_say_nothing_over_zero() {
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(0, 3), Some(0.0));
        assert_eq!(rate(3, 0), None);
        assert_eq!(retention_rate(2, 1), Some(2.0 / 3.0));
        assert_eq!(retention_rate(0, 0), None);
    }

    #[test]
    fn hours_round_to_two_decimals() {
        assert_eq!(hours(150), 2.5);
        assert_eq!(hours(100), 1.67);
        assert_eq!(hours(0), 0.0);
    }

    #[test]
    fn days_count_calendar_days() {
        assert_eq!(days_between(at(1, 23), at(2, 1)), 1);
        assert_eq!(days_between(at(1, 8), at(1, 20)), 0);
        assert_eq!(days_between(at(1, 8), at(11, 8)), 10);
    }

    #[test]
    fn the_median_takes_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7.0));
        assert_eq!(median(vec![9, 1, 5]), Some(5.0));
        assert_eq!(median(vec![4, 1, 10, 2]), Some(3.0));
    }

    #[test]
    fn every_metric_is_measured_by_its_figure() {
        let measured = Measured {
            peers_trained: 1,
            peers_active: 2,
            citizens_reached: 3,
            support_courses_started: 4,
            courses_held: 5,
            referrals_made: 6,
            citizens_in_employment: 7,
        };
        let values: Vec<i64> = Metric::ALL.iter().map(|&m| measured.of(m)).collect();
        assert_eq!(values, [1, 2, 3, 4, 5, 6, 7]);
        let outcome = target_outcome(Metric::CitizensReached, 12, &measured);
        assert_eq!(outcome.measured, 3);
        assert_eq!(outcome.share, Some(0.25));
        assert_eq!(
            target_outcome(Metric::CoursesHeld, 0, &measured).share,
            None
        );
    }
}
