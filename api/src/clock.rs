//! The time the domain runs on. Production reads the system clock; tests move it forward to
//! make a two-week cadence, an SLA breach or a 60-day return to nurture happen in a second.
//! Auth (token expiry, lockouts) deliberately stays on the system clock.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// Marks a clock that runs (the system clock plus the offset) rather than standing still.
const RUNNING: i64 = i64::MIN;

/// The system clock plus an offset that only ever grows; or, once frozen, a fixed instant that
/// moves only when told (tests whose expected numbers are exact to the second).
#[derive(Clone)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    frozen_ms: Arc<AtomicI64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            offset_ms: Arc::default(),
            frozen_ms: Arc::new(AtomicI64::new(RUNNING)),
        }
    }
}

impl Clock {
    /// A new clock standing at `at`, past or future: for building a history (`accord demo`)
    /// on a state of its own, never on a running server's clock.
    pub fn frozen_at(at: DateTime<Utc>) -> Self {
        Self {
            offset_ms: Arc::default(),
            frozen_ms: Arc::new(AtomicI64::new(at.timestamp_millis())),
        }
    }

    /// Now, to the microsecond: what both databases store, so a time kept in memory (an event
    /// just recorded, a lead just written) equals the same time read back.
    pub fn now(&self) -> DateTime<Utc> {
        match self.frozen_ms.load(Ordering::Relaxed) {
            RUNNING => (Utc::now()
                + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed)))
            .trunc_subsecs(6),
            frozen => DateTime::from_timestamp_millis(frozen).unwrap_or_default(),
        }
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = by.num_milliseconds().max(0);
        if self.frozen_ms.load(Ordering::Relaxed) == RUNNING {
            self.offset_ms.fetch_add(by, Ordering::Relaxed);
        } else {
            self.frozen_ms.fetch_add(by, Ordering::Relaxed);
        }
    }

    /// Stops the clock at `at` (or now, if `at` has passed): from then on it moves only with
    /// [`Clock::advance`] and [`Clock::advance_to`].
    pub fn freeze_at(&self, at: DateTime<Utc>) {
        let at = at.max(self.now());
        self.frozen_ms
            .store(at.timestamp_millis(), Ordering::Relaxed);
    }

    /// Moves the clock forward to `at` (never back: time in the database must not reverse).
    pub fn advance_to(&self, at: DateTime<Utc>) {
        let gap = at - self.now();
        if gap > Duration::zero() {
            self.advance(gap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let clock = Clock::default();
        let at = Utc::now() + Duration::days(100);
        clock.freeze_at(at);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now().timestamp_millis(), at.timestamp_millis());
        clock.advance(Duration::minutes(3));
        assert_eq!(
            clock.now().timestamp_millis(),
            (at + Duration::minutes(3)).timestamp_millis()
        );
        clock.advance_to(at);
        assert_eq!(
            clock.now().timestamp_millis(),
            (at + Duration::minutes(3)).timestamp_millis(),
            "never back"
        );
    }

    #[test]
    fn a_running_clock_keeps_what_the_databases_store() {
        let now = Clock::default().now();
        assert_eq!(now.timestamp_subsec_nanos() % 1_000, 0);
    }

    #[test]
    fn advancing_moves_every_clone_and_never_goes_back() {
        let clock = Clock::default();
        let other = clock.clone();
        let before = clock.now();
        clock.advance(Duration::days(3));
        assert!(other.now() - before >= Duration::days(3));
        let later = other.now();
        clock.advance_to(later - Duration::days(10));
        assert!(clock.now() >= later);
    }
}
