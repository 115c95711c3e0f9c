//! The time the domain runs on. Production reads the system clock; tests move it forward to
//! make a two-week cadence, an SLA breach or a 60-day return to nurture happen in a second.
//! Auth (token expiry, lockouts) deliberately stays on the system clock.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use chrono::{DateTime, Duration, Utc};

/// The system clock plus an offset that only ever grows.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds().max(0), Ordering::Relaxed);
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
