//! What every part of the generator shares: the seeded random source, the data set's fixed
//! "today", ids drawn from the random source, and status histories checked against the
//! domain's workflows.

use brobygger_domain::workflow::{InvalidTransition, Workflow};
use brobygger_persistence::ids::{StatusChangeId, UserId};
use brobygger_persistence::seed::SeedBatch;
use brobygger_persistence::status_history::StatusHistoryRow;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// The day the data set is "as of": every fact lies on or before it, whatever the clock says,
/// so that one seed gives one data set.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or(NaiveDate::MIN)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// A generator bug: a fact the domain's rules refuse.
#[derive(Debug, thiserror::Error)]
#[error("the demo generator made data the domain refuses: {0}")]
pub struct RuleBroken(pub String);

pub struct Gen {
    pub rng: ChaCha8Rng,
    pub batch: SeedBatch,
}

impl Gen {
    pub fn new(rng: ChaCha8Rng) -> Self {
        Self {
            rng,
            batch: SeedBatch::default(),
        }
    }

    /// A time-ordered id (UUID v7) for a record created at `at`, its random bits from the seed.
    pub fn id<T: From<Uuid>>(&mut self, at: NaiveDateTime) -> T {
        let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
        let random: [u8; 10] = self.rng.r#gen();
        T::from(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
    }

    /// A time of the working day on `day` (08:00–16:59).
    pub fn at(&mut self, day: NaiveDate) -> NaiveDateTime {
        let minutes = self.rng.gen_range(8 * 60..17 * 60);
        let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, self.rng.gen_range(0..60))
            .unwrap_or(NaiveTime::MIN);
        day.and_time(time)
    }

    /// A day in `from..=to` (`from` when the range is empty).
    pub fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days();
        if span <= 0 {
            return from;
        }
        from + Duration::days(self.rng.gen_range(0..=span))
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.gen_range(0..items.len())]
    }

    /// An index into `weights` drawn in proportion to them.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut draw = self.rng.gen_range(0..total.max(1));
        for (i, w) in weights.iter().enumerate() {
            if draw < *w {
                return i;
            }
            draw -= w;
        }
        0
    }

    /// Keeps a resource's status history: `steps` oldest first, each move checked against the
    /// workflow, so the history is one the API could have produced.
    pub fn history<S: Workflow + std::fmt::Debug>(
        &mut self,
        resource_type: &str,
        resource_id: &dyn std::fmt::Display,
        steps: &[(S, NaiveDateTime, Option<String>)],
        by: UserId,
    ) -> Result<(), RuleBroken> {
        for pair in steps.windows(2) {
            InvalidTransition::check(pair[0].0, pair[1].0)
                .map_err(|e| RuleBroken(format!("{resource_type}: {e}")))?;
        }
        for (status, at, reason) in steps {
            let id: StatusChangeId = self.id(*at);
            self.batch.status_history.push(StatusHistoryRow {
                id,
                resource_type: resource_type.to_owned(),
                resource_id: resource_id.to_string(),
                status: status.as_str().to_owned(),
                at: *at,
                by_user_id: Some(by),
                reason: reason.clone(),
            });
        }
        Ok(())
    }
}

/// A count of the benchmark set (`spec/quality.md`) at `scale`, at least `minimum`.
pub fn scaled(base: u64, scale: f64, minimum: u64) -> usize {
    let n = (base as f64 * scale).round();
    let n = if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    };
    usize::try_from(n.max(minimum)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn scale_multiplies_the_benchmark_set_with_a_floor() {
        assert_eq!(scaled(100_000, 1.0, 10), 100_000);
        assert_eq!(scaled(100_000, 0.05, 10), 5_000);
        assert_eq!(scaled(100_000, 2.5, 10), 250_000);
        assert_eq!(scaled(400, 0.001, 24), 24);
        assert_eq!(scaled(2_000, 0.0004, 0), 1);
    }

    #[test]
    fn ids_and_times_come_from_the_seed() {
        let mut a = Gen::new(ChaCha8Rng::seed_from_u64(7));
        let mut b = Gen::new(ChaCha8Rng::seed_from_u64(7));
        let at = date(2020, 1, 1).and_hms_opt(9, 0, 0).expect("time");
        let x: Uuid = a.id(at);
        assert_eq!(x, b.id::<Uuid>(at));
        assert_eq!(x.get_version_num(), 7);
        assert_eq!(a.at(today()), b.at(today()));
    }

    #[test]
    fn histories_follow_the_workflow() {
        use brobygger_domain::support_course::SupportStatus::*;
        let mut g = Gen::new(ChaCha8Rng::seed_from_u64(1));
        let at = date(2020, 1, 1).and_hms_opt(9, 0, 0).expect("time");
        let by = UserId::new();
        assert!(
            g.history(
                "support_course",
                &"x",
                &[(Requested, at, None), (Matched, at, None)],
                by
            )
            .is_ok()
        );
        assert!(
            g.history(
                "support_course",
                &"x",
                &[(Requested, at, None), (Completed, at, None)],
                by
            )
            .is_err()
        );
    }
}
