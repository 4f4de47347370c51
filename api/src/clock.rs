//! The service's clock: the system time, which tests may move.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// "Now", as the service sees it. Cloning shares the clock.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// The current instant in UTC, to the microsecond (what both databases keep).
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now() + TimeDelta::seconds(self.offset_seconds.load(Ordering::Relaxed));
        now.with_nanosecond_micros()
    }

    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Moves the clock (tests only need this; production never calls it).
    pub fn advance(&self, by: TimeDelta) {
        self.offset_seconds
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

trait Micros {
    fn with_nanosecond_micros(self) -> Self;
}

impl Micros for DateTime<Utc> {
    fn with_nanosecond_micros(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1_000 * 1_000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

/// An instant as the API writes it: RFC 3339 in UTC with a `Z`.
pub fn to_utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
