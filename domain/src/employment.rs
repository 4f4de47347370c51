//! Employment statuses and retention checks: the citizen's labour-market situation over time,
//! and the follow-ups 3, 6 and 12 months after a job start (`spec/domain.md`, "Employment
//! status").

use crate::error::{FieldErrors, HasCode};
use crate::text_enum;
use chrono::{Months, NaiveDate};

text_enum! {
    /// The citizen's labour-market situation from an effective date on.
    pub enum EmploymentKind {
        EmployedOrdinary => "employed_ordinary",
        EmployedFlexjob => "employed_flexjob",
        EmployedSubsidised => "employed_subsidised",
        SickLeaveFromJob => "sick_leave_from_job",
        Unemployed => "unemployed",
        InEducation => "in_education",
        OutsideLabourMarket => "outside_labour_market",
        Other => "other",
    }
}

impl EmploymentKind {
    /// The three statuses that are employment.
    pub const EMPLOYED: [Self; 3] = [
        Self::EmployedOrdinary,
        Self::EmployedFlexjob,
        Self::EmployedSubsidised,
    ];

    /// Whether the citizen is in a job (ordinary, flexjob or subsidised). Sick leave from a job
    /// is not: a return from it to the job is not a new job start.
    pub fn is_employment(self) -> bool {
        Self::EMPLOYED.contains(&self)
    }
}

/// Whether moving to `next` from `previous` (the status in force before, if any) is a job
/// start: a move into employment from a status that is not employment, or from none. A
/// change between employed statuses (ordinary to flexjob) is not a new start.
pub fn starts_employment(previous: Option<EmploymentKind>, next: EmploymentKind) -> bool {
    next.is_employment() && !previous.is_some_and(EmploymentKind::is_employment)
}

/// After how many months a job start is followed up.
pub const RETENTION_MONTHS: [u32; 3] = [3, 6, 12];

/// The retention checks of a job start on `start`: `(months after, due date)` for 3, 6 and 12
/// calendar months later. A day the month does not have becomes its last day
/// (31 January + 3 months = 30 April; 30 November + 3 months = 28 or 29 February).
pub fn retention_due_dates(start: NaiveDate) -> [(u32, NaiveDate); 3] {
    RETENTION_MONTHS.map(|months| {
        // Only fails past chrono's year 262 143; the last representable day is the answer.
        let due = start
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX);
        (months, due)
    })
}

/// The status in force on `day`: the one with the latest effective date on or before it;
/// `None` before the first. `timeline` is `(effective date, status)` in any order.
pub fn status_on(
    timeline: &[(NaiveDate, EmploymentKind)],
    day: NaiveDate,
) -> Option<EmploymentKind> {
    timeline
        .iter()
        .filter(|(effective_on, _)| *effective_on <= day)
        .max_by_key(|(effective_on, _)| *effective_on)
        .map(|(_, status)| *status)
}

/// The most hours per week a status may carry.
pub const MAX_HOURS_PER_WEEK: i32 = 80;

/// Checks a new status: hours per week within 0–80, and an effective date after the latest
/// one already on the timeline (`latest`), so the timeline only grows forward and a job start
/// stays a job start (a correction is a new, later entry).
pub fn check_status(
    hours_per_week: Option<i32>,
    effective_on: NaiveDate,
    latest: Option<NaiveDate>,
    errors: &mut FieldErrors,
) {
    if hours_per_week.is_some_and(|h| !(0..=MAX_HOURS_PER_WEEK).contains(&h)) {
        errors.push(
            "hours_per_week",
            "out_of_range",
            format!("must be between 0 and {MAX_HOURS_PER_WEEK}"),
        );
    }
    if let Some(latest) = latest
        && effective_on <= latest
    {
        errors.push(
            "effective_on",
            "not_after_latest",
            format!("must come after the latest status's effective date, {latest}"),
        );
    }
}

text_enum! {
    /// What a retention check found.
    pub enum RetentionOutcome {
        Retained => "retained",
        NotRetained => "not_retained",
        Unknown => "unknown",
    }
}

/// Why a retention check may not be recorded as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordingRefusal {
    /// A check is recorded once: a second time is `409 conflict`.
    #[error("the retention check is already recorded")]
    AlreadyRecorded,
    /// Field `recorded_on`, code `in_future`.
    #[error("cannot lie in the future")]
    InFuture,
    /// Field `recorded_on`, code `before_start`: the job had not started.
    #[error("cannot come before the job start it follows up")]
    BeforeStart,
}

impl HasCode for RecordingRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyRecorded => "conflict",
            Self::InFuture => "in_future",
            Self::BeforeStart => "before_start",
        }
    }
}

impl RecordingRefusal {
    /// The field a refusal is about; `None` for a conflict with the stored state.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::AlreadyRecorded => None,
            Self::InFuture | Self::BeforeStart => Some("recorded_on"),
        }
    }
}

/// Whether a check of the job start on `started_on`, whose outcome so far is `recorded`, may
/// be recorded on `recorded_on`, in this order: not already recorded, not in the future
/// (after `today`), not before the job start.
pub fn check_recording(
    recorded: Option<RetentionOutcome>,
    started_on: NaiveDate,
    recorded_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), RecordingRefusal> {
    if recorded.is_some() {
        return Err(RecordingRefusal::AlreadyRecorded);
    }
    if recorded_on > today {
        return Err(RecordingRefusal::InFuture);
    }
    if recorded_on < started_on {
        return Err(RecordingRefusal::BeforeStart);
    }
    Ok(())
}

text_enum! {
    /// The `status` filter of retention checks: `pending` (not recorded yet) or an outcome.
    pub enum RetentionCheckState {
        Pending => "pending",
        Retained => "retained",
        NotRetained => "not_retained",
        Unknown => "unknown",
    }
}

impl RetentionCheckState {
    /// The outcome this state filters on; `None` for `pending` (no outcome yet).
    pub fn outcome(self) -> Option<RetentionOutcome> {
        match self {
            Self::Pending => None,
            Self::Retained => Some(RetentionOutcome::Retained),
            Self::NotRetained => Some(RetentionOutcome::NotRetained),
            Self::Unknown => Some(RetentionOutcome::Unknown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn the_three_employed_statuses_are_employment() {
        let employed: Vec<_> = EmploymentKind::ALL
            .iter()
            .filter(|k| k.is_employment())
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            employed,
            [
                "employed_ordinary",
                "employed_flexjob",
                "employed_subsidised"
            ]
        );
        assert_eq!(EmploymentKind::ALL.len(), 8);
        assert_eq!(
            EmploymentKind::parse("sick_leave_from_job"),
            Some(EmploymentKind::SickLeaveFromJob)
        );
        assert_eq!(EmploymentKind::parse("retired"), None);
    }

    #[test]
    fn a_job_start_is_a_move_into_employment_from_outside_it() {
        use EmploymentKind::*;
        assert!(
            starts_employment(None, EmployedOrdinary),
            "the first status"
        );
        assert!(starts_employment(Some(Unemployed), EmployedFlexjob));
        assert!(starts_employment(Some(InEducation), EmployedSubsidised));
        assert!(starts_employment(
            Some(OutsideLabourMarket),
            EmployedOrdinary
        ));
        assert!(starts_employment(Some(Other), EmployedOrdinary));
        assert!(
            starts_employment(Some(SickLeaveFromJob), EmployedOrdinary),
            "sick leave is not employment"
        );
        for from in EmploymentKind::EMPLOYED {
            for to in EmploymentKind::EMPLOYED {
                assert!(!starts_employment(Some(from), to), "{from:?} → {to:?}");
            }
        }
        for to in [
            Unemployed,
            SickLeaveFromJob,
            InEducation,
            OutsideLabourMarket,
            Other,
        ] {
            assert!(!starts_employment(None, to));
            assert!(!starts_employment(Some(EmployedOrdinary), to));
        }
    }

    #[test]
    fn checks_fall_due_in_calendar_months_clamped_to_the_month_end() {
        assert_eq!(
            retention_due_dates(date(2026, 1, 31)),
            [
                (3, date(2026, 4, 30)),
                (6, date(2026, 7, 31)),
                (12, date(2027, 1, 31))
            ]
        );
        assert_eq!(
            retention_due_dates(date(2026, 11, 30))[0],
            (3, date(2027, 2, 28))
        );
        // 2028 is a leap year: 29 February exists.
        assert_eq!(
            retention_due_dates(date(2027, 11, 30))[0],
            (3, date(2028, 2, 29))
        );
        assert_eq!(
            retention_due_dates(date(2027, 11, 29))[0],
            (3, date(2028, 2, 29))
        );
        assert_eq!(
            retention_due_dates(date(2025, 11, 29))[0],
            (3, date(2026, 2, 28))
        );
        // A start on 29 February: 12 months later is 28 February of a common year.
        assert_eq!(
            retention_due_dates(date(2028, 2, 29))[2],
            (12, date(2029, 2, 28))
        );
        assert_eq!(
            retention_due_dates(date(2026, 3, 15)),
            [
                (3, date(2026, 6, 15)),
                (6, date(2026, 9, 15)),
                (12, date(2027, 3, 15))
            ]
        );
        assert_eq!(
            retention_due_dates(date(2026, 8, 31))[1],
            (6, date(2027, 2, 28))
        );
    }

    #[test]
    fn the_status_on_a_day_is_the_latest_in_force() {
        use EmploymentKind::*;
        let timeline = [
            (date(2026, 6, 1), Unemployed),
            (date(2026, 1, 31), EmployedOrdinary),
            (date(2025, 9, 1), InEducation),
        ];
        assert_eq!(status_on(&timeline, date(2025, 8, 31)), None);
        assert_eq!(status_on(&timeline, date(2025, 9, 1)), Some(InEducation));
        assert_eq!(status_on(&timeline, date(2026, 1, 30)), Some(InEducation));
        assert_eq!(
            status_on(&timeline, date(2026, 1, 31)),
            Some(EmployedOrdinary)
        );
        assert_eq!(
            status_on(&timeline, date(2026, 5, 31)),
            Some(EmployedOrdinary)
        );
        assert_eq!(status_on(&timeline, date(2027, 1, 1)), Some(Unemployed));
        assert_eq!(status_on(&[], date(2027, 1, 1)), None);
    }

    #[test]
    fn hours_lie_between_0_and_80_and_the_timeline_grows_forward() {
        let day = date(2026, 1, 31);
        let mut errors = FieldErrors::new();
        for hours in [None, Some(0), Some(37), Some(80)] {
            check_status(hours, day, None, &mut errors);
        }
        check_status(Some(37), day, Some(date(2026, 1, 30)), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        check_status(Some(-1), day, None, &mut errors);
        check_status(Some(81), day, None, &mut errors);
        check_status(None, day, Some(day), &mut errors);
        check_status(None, day, Some(date(2026, 2, 1)), &mut errors);
        let found: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("hours_per_week", "out_of_range"),
                ("hours_per_week", "out_of_range"),
                ("effective_on", "not_after_latest"),
                ("effective_on", "not_after_latest"),
            ]
        );
    }

    #[test]
    fn a_check_is_recorded_once_not_in_the_future_nor_before_the_start() {
        let (start, today) = (date(2026, 1, 31), date(2026, 11, 29));
        assert_eq!(
            check_recording(None, start, date(2026, 5, 2), today),
            Ok(())
        );
        assert_eq!(check_recording(None, start, today, today), Ok(()));
        assert_eq!(check_recording(None, start, start, today), Ok(()));
        assert_eq!(
            check_recording(None, start, date(2026, 11, 30), today),
            Err(RecordingRefusal::InFuture)
        );
        assert_eq!(
            check_recording(None, start, date(2026, 1, 30), today),
            Err(RecordingRefusal::BeforeStart)
        );
        assert_eq!(
            check_recording(
                Some(RetentionOutcome::Unknown),
                start,
                date(2030, 1, 1),
                today
            ),
            Err(RecordingRefusal::AlreadyRecorded),
            "already recorded is said first"
        );
        assert_eq!(RecordingRefusal::AlreadyRecorded.code(), "conflict");
        assert_eq!(RecordingRefusal::AlreadyRecorded.field(), None);
        assert_eq!(RecordingRefusal::InFuture.field(), Some("recorded_on"));
        assert_eq!(RecordingRefusal::InFuture.code(), "in_future");
        assert_eq!(RecordingRefusal::BeforeStart.code(), "before_start");
    }

    #[test]
    fn the_status_filter_is_pending_or_an_outcome() {
        assert_eq!(RetentionCheckState::Pending.outcome(), None);
        for outcome in RetentionOutcome::ALL {
            let state = RetentionCheckState::parse(outcome.as_str()).expect("a state");
            assert_eq!(state.outcome(), Some(*outcome));
        }
        assert_eq!(RetentionOutcome::ALL.len(), 3);
    }
}
