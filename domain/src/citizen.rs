//! Citizens and their consents. Everything here is personal data under GDPR art. 9.

use crate::error::{FieldErrors, HasCode};
use chrono::NaiveDate;

/// A Danish CPR number: `DDMMYY-SSSS` (dash optional) with a real calendar date. The
/// modulus-11 check is not required: numbers without it have been issued since 2007.
///
/// Never printed: `Debug` shows only that it is a CPR number.
#[derive(Clone, PartialEq, Eq)]
pub struct Cpr(String);

impl std::fmt::Debug for Cpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cpr(…)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("must be DDMMYY-SSSS or DDMMYYSSSS")]
    Format,
    #[error("does not start with a real date")]
    Date,
}

impl HasCode for CprError {
    fn code(&self) -> &'static str {
        match self {
            Self::Format => "invalid_format",
            Self::Date => "invalid_date",
        }
    }
}

impl Cpr {
    pub fn parse(value: &str) -> Result<Self, CprError> {
        let digits: String = match value.len() {
            11 if value.as_bytes()[6] == b'-' => format!("{}{}", &value[..6], &value[7..]),
            10 => value.to_owned(),
            _ => return Err(CprError::Format),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CprError::Format);
        }
        let cpr = Self(digits);
        cpr.birth_date().ok_or(CprError::Date)?;
        Ok(cpr)
    }

    /// The ten digits, without a dash.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The date of birth, its century read from the 7th digit by the CPR rules.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let number = |range: std::ops::Range<usize>| self.0.get(range)?.parse::<u32>().ok();
        let (day, month, year) = (number(0..2)?, number(2..4)?, number(4..6)?);
        let seventh = number(6..7)?;
        let century = match (seventh, year) {
            (0..=3, _) => 1900,
            (4 | 9, 0..=36) => 2000,
            (4 | 9, _) => 1900,
            (5..=8, 0..=57) => 2000,
            (5..=8, _) => 1800,
            _ => return None,
        };
        NaiveDate::from_ymd_opt(i32::try_from(century + year).ok()?, month, day)
    }
}

crate::text_enum! {
    /// What a consent permits.
    pub enum ConsentPurpose {
        DataProcessing => "data_processing",
        ShareWithJobcentre => "share_with_jobcentre",
        ShareWithEmployer => "share_with_employer",
        ShareWithPsychiatry => "share_with_psychiatry",
        ShareWithOther => "share_with_other",
        Evaluation => "evaluation",
    }
}

crate::text_enum! {
    /// How a consent was given.
    pub enum ConsentMethod {
        Written => "written",
        Oral => "oral",
        Digital => "digital",
    }
}

/// The dates that decide whether a consent is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentPeriod {
    pub given_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

impl ConsentPeriod {
    /// Active on `day`: given by then, not expired and not withdrawn (an expiry or withdrawal
    /// date is the first day it no longer holds).
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.given_on <= day
            && self.expires_on.is_none_or(|e| day < e)
            && self.withdrawn_on.is_none_or(|w| day < w)
    }

    /// Whether the consent may be withdrawn from `on`, in this order: not already withdrawn,
    /// and not from before it was given.
    pub fn check_withdrawal(&self, on: NaiveDate) -> Result<(), WithdrawalRefusal> {
        if self.withdrawn_on.is_some() {
            return Err(WithdrawalRefusal::AlreadyWithdrawn);
        }
        if on < self.given_on {
            return Err(WithdrawalRefusal::BeforeGiven);
        }
        Ok(())
    }
}

/// Whether a consent given on `given_on`, expiring on `expires_on` and withdrawn on
/// `withdrawn_on` is active on `day` (see [`ConsentPeriod::active_on`]: the expiry and
/// withdrawal dates are the first days it no longer holds).
pub fn is_active_on(
    given_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    ConsentPeriod {
        given_on,
        expires_on,
        withdrawn_on,
    }
    .active_on(day)
}

/// Checks a new consent's dates: not given in the future, and expiring (if at all) after the
/// day it was given.
pub fn check_consent_dates(
    given_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
    errors: &mut FieldErrors,
) {
    if given_on > today {
        errors.push(
            "given_on",
            "in_future",
            "a consent cannot be given in the future",
        );
    }
    if expires_on.is_some_and(|e| e <= given_on) {
        errors.push("expires_on", "before_start", "must come after given_on");
    }
}

/// Why a consent may not be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WithdrawalRefusal {
    /// Withdrawal is one fact: a second is `409 conflict`.
    #[error("the consent is already withdrawn")]
    AlreadyWithdrawn,
    /// Field `withdrawn_on`, code `before_start`.
    #[error("cannot come before given_on")]
    BeforeGiven,
}

impl HasCode for WithdrawalRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyWithdrawn => "conflict",
            Self::BeforeGiven => "before_start",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_real_date_is_enough_without_modulus_11() {
        // 070761-4286 fails modulus 11 but is a real date: valid since 2007.
        let cpr = Cpr::parse("070761-4286").expect("valid");
        assert_eq!(cpr.digits(), "0707614286");
        assert_eq!(cpr.birth_date(), Some(date(1961, 7, 7)));
        assert_eq!(Cpr::parse("0707614286"), Ok(cpr));
    }

    #[test]
    fn impossible_dates_and_shapes_are_refused() {
        assert_eq!(Cpr::parse("310299-1234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("320199-1234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("011399-1234"), Err(CprError::Date));
        assert_eq!(Cpr::parse("0101991234X"), Err(CprError::Format));
        assert_eq!(Cpr::parse("010199_1234"), Err(CprError::Format));
        assert_eq!(Cpr::parse("01019912"), Err(CprError::Format));
        assert_eq!(Cpr::parse("01019a-1234"), Err(CprError::Format));
    }

    #[test]
    fn the_century_comes_from_the_seventh_digit() {
        assert_eq!(
            Cpr::parse("010100-3000").ok().and_then(|c| c.birth_date()),
            Some(date(1900, 1, 1))
        );
        assert_eq!(
            Cpr::parse("010110-4000").ok().and_then(|c| c.birth_date()),
            Some(date(2010, 1, 1))
        );
        assert_eq!(
            Cpr::parse("010150-4000").ok().and_then(|c| c.birth_date()),
            Some(date(1950, 1, 1))
        );
        assert_eq!(
            Cpr::parse("010150-5000").ok().and_then(|c| c.birth_date()),
            Some(date(2050, 1, 1))
        );
        assert_eq!(
            Cpr::parse("010180-6000").ok().and_then(|c| c.birth_date()),
            Some(date(1880, 1, 1))
        );
        assert_eq!(
            Cpr::parse("010136-9000").ok().and_then(|c| c.birth_date()),
            Some(date(2036, 1, 1))
        );
        assert_eq!(
            Cpr::parse("010137-9000").ok().and_then(|c| c.birth_date()),
            Some(date(1937, 1, 1))
        );
        // 29 February exists only in leap years of the right century.
        assert!(Cpr::parse("290200-4000").is_ok()); // 2000
        assert!(Cpr::parse("290200-1000").is_err()); // 1900
    }

    #[test]
    fn debug_never_shows_the_number() {
        let cpr = Cpr::parse("070761-4286").expect("valid");
        assert!(!format!("{cpr:?}").contains("0707"));
    }

    #[test]
    fn a_consent_is_active_from_the_day_it_is_given() {
        let given = date(2026, 1, 10);
        assert!(!is_active_on(given, None, None, date(2026, 1, 9)));
        assert!(is_active_on(given, None, None, given));
        assert!(
            is_active_on(given, None, None, date(2099, 12, 31)),
            "no end"
        );
    }

    #[test]
    fn a_consent_is_no_longer_active_on_its_expiry_date() {
        let (given, expires) = (date(2026, 1, 10), Some(date(2026, 6, 1)));
        assert!(is_active_on(given, expires, None, date(2026, 5, 31)));
        assert!(!is_active_on(given, expires, None, date(2026, 6, 1)));
        assert!(!is_active_on(given, expires, None, date(2026, 6, 2)));
    }

    #[test]
    fn a_consent_is_no_longer_active_on_its_withdrawal_date() {
        let (given, withdrawn) = (date(2026, 1, 10), Some(date(2026, 3, 1)));
        assert!(is_active_on(given, None, withdrawn, date(2026, 2, 28)));
        assert!(!is_active_on(given, None, withdrawn, date(2026, 3, 1)));
        assert!(!is_active_on(given, None, withdrawn, date(2026, 3, 2)));
        assert!(
            !is_active_on(given, None, Some(given), given),
            "withdrawn the day it was given: never active"
        );
    }

    #[test]
    fn the_earlier_of_expiry_and_withdrawal_ends_a_consent() {
        let given = date(2026, 1, 10);
        let (early, late) = (Some(date(2026, 3, 1)), Some(date(2026, 6, 1)));
        for (expires, withdrawn) in [(early, late), (late, early)] {
            assert!(is_active_on(given, expires, withdrawn, date(2026, 2, 28)));
            assert!(!is_active_on(given, expires, withdrawn, date(2026, 3, 1)));
        }
    }

    #[test]
    fn a_consent_is_not_given_in_the_future_and_expires_after_it_is_given() {
        let today = date(2026, 1, 10);
        let mut errors = FieldErrors::new();
        check_consent_dates(today, Some(date(2026, 1, 11)), today, &mut errors);
        check_consent_dates(date(2025, 1, 1), None, today, &mut errors);
        assert!(errors.is_empty());
        check_consent_dates(date(2026, 1, 11), None, today, &mut errors);
        check_consent_dates(today, Some(today), today, &mut errors);
        let fields: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("given_on", "in_future"), ("expires_on", "before_start")]
        );
    }

    #[test]
    fn a_consent_is_withdrawn_once_and_not_before_it_was_given() {
        let period = ConsentPeriod {
            given_on: date(2026, 1, 10),
            expires_on: None,
            withdrawn_on: None,
        };
        assert_eq!(period.check_withdrawal(date(2026, 1, 10)), Ok(()));
        assert_eq!(
            period.check_withdrawal(date(2026, 1, 9)),
            Err(WithdrawalRefusal::BeforeGiven)
        );
        let withdrawn = ConsentPeriod {
            withdrawn_on: Some(date(2026, 2, 1)),
            ..period
        };
        assert_eq!(
            withdrawn.check_withdrawal(date(2026, 1, 9)),
            Err(WithdrawalRefusal::AlreadyWithdrawn),
            "already withdrawn is said first"
        );
        assert_eq!(
            WithdrawalRefusal::AlreadyWithdrawn.to_string(),
            "the consent is already withdrawn"
        );
    }

    #[test]
    fn consent_activity() {
        let period = ConsentPeriod {
            given_on: date(2026, 1, 10),
            expires_on: Some(date(2026, 6, 1)),
            withdrawn_on: None,
        };
        assert!(!period.active_on(date(2026, 1, 9)));
        assert!(period.active_on(date(2026, 1, 10)));
        assert!(period.active_on(date(2026, 5, 31)));
        assert!(!period.active_on(date(2026, 6, 1)));
        let withdrawn = ConsentPeriod {
            withdrawn_on: Some(date(2026, 3, 1)),
            ..period
        };
        assert!(withdrawn.active_on(date(2026, 2, 28)));
        assert!(!withdrawn.active_on(date(2026, 3, 1)));
    }
}
