//! Where a batch's time goes, for the benchmark (`accord::ingest=debug`).

use std::{fmt, time::Instant};

/// The time each phase of a batch took, in milliseconds, in the order they ran.
pub struct Phases {
    last: Instant,
    done: Vec<(&'static str, f64)>,
}

impl Phases {
    pub fn start() -> Self {
        Phases {
            last: Instant::now(),
            done: Vec::new(),
        }
    }

    /// Ends the phase that ran since the last one ended.
    pub fn done(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.done
            .push((phase, (now - self.last).as_secs_f64() * 1000.0));
        self.last = now;
    }
}

impl fmt::Display for Phases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (phase, ms)) in self.done.iter().enumerate() {
            let gap = if i == 0 { "" } else { " " };
            write!(f, "{gap}{phase} {ms:.0}")?;
        }
        Ok(())
    }
}
