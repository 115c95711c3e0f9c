//! The shared-metrics workspace: a year of revenue history generated straight into the
//! database (leads, their stays, deals, SLA clocks, rejections, touches and ~10 events per
//! lead), reused across runs, and the timing of the metrics queries over it.
//!
//! - `target`: which database and size, and whether a complete workspace is already there;
//! - `world`: the team, sources, campaigns, plays and spend a run builds on, and `review`:
//!   the leaders, assets, messaging test and 13 weeks of review meetings;
//! - `lead`: one lead's year, as rows (pure; a run's seed gives the same history), with
//!   `sales` (SLA clocks, touches, rejections and disputes), `deal` (the opportunity and its
//!   stages) and `events` (its engagement);
//! - `batch`: rows of many leads, inserted with multi-row INSERTs;
//! - `build`: generation in chunks, then the completion marker;
//! - `measure`: warm-ups, timed requests, percentiles and the table.

pub mod batch;
pub mod build;
pub mod deal;
mod events;
pub mod lead;
pub mod measure;
mod review;
mod sales;
pub mod target;
pub mod world;

use chrono::Duration;
use uuid::Uuid;

use super::generate::Rng;

/// Sequential ids: one time-ordered (v7) prefix per run and a counter in the low bits, so every
/// index on `id` is appended to rather than written at random, and no id costs a syscall.
pub struct Ids {
    base: u128,
    next: u64,
}

impl Ids {
    pub fn new() -> Self {
        Ids {
            base: Uuid::now_v7().as_u128() & !((1u128 << 48) - 1),
            next: 0,
        }
    }

    pub fn next(&mut self) -> Uuid {
        self.next += 1;
        Uuid::from_u128(self.base | u128::from(self.next))
    }
}

/// Helpers on the shared generator for times and odds.
pub trait Draw {
    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool;
    /// A duration between `lo` and `hi`; `skew` > 1 favours the short end.
    fn within(&mut self, lo: Duration, hi: Duration, skew: i32) -> Duration;
    /// A uniform number in [0, 1).
    fn unit(&mut self) -> f64;
}

impl Draw for Rng {
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn within(&mut self, lo: Duration, hi: Duration, skew: i32) -> Duration {
        let span = (hi - lo).num_seconds().max(1) as f64;
        lo + Duration::seconds((span * self.unit().powi(skew.max(1))) as i64)
    }
}
