//! Time in stage, from a deal's stage history: how long finished stays in each stage took (their
//! median is the yardstick for "stalled"), and which open deals have outstayed it.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// One move of one deal (or lead): it entered `to` at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Move<S> {
    pub subject: Uuid,
    pub to: S,
    pub at: DateTime<Utc>,
}

/// The median duration of finished stays per stage (a stay ends when the subject moves on).
/// Stages nobody has left yet have no median.
pub fn stage_medians<S: Copy + Eq + Hash>(moves: &[Move<S>]) -> HashMap<S, Duration> {
    let mut by_subject: HashMap<Uuid, Vec<&Move<S>>> = HashMap::new();
    for m in moves {
        by_subject.entry(m.subject).or_default().push(m);
    }
    let mut stays: HashMap<S, Vec<Duration>> = HashMap::new();
    for history in by_subject.values_mut() {
        history.sort_by_key(|m| m.at);
        for pair in history.windows(2) {
            stays
                .entry(pair[0].to)
                .or_default()
                .push(pair[1].at - pair[0].at);
        }
    }
    stays
        .into_iter()
        .map(|(stage, mut durations)| {
            durations.sort();
            // The lower median: with two stays, the shorter one is the yardstick.
            let median = durations[(durations.len() - 1) / 2];
            (stage, median)
        })
        .collect()
}

/// Whether a subject that entered `stage` at `entered` has, at `now`, stayed longer than the
/// stage's median.
pub fn is_stalled<S: Eq + Hash>(
    medians: &HashMap<S, Duration>,
    stage: S,
    entered: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    medians
        .get(&stage)
        .is_some_and(|median| now - entered > *median)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::days(n)
    }

    #[test]
    fn medians_of_finished_stays_and_stalled_deals() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let moves = vec![
            Move {
                subject: a,
                to: "DISCOVERY",
                at: day(0),
            },
            Move {
                subject: a,
                to: "PROPOSAL",
                at: day(10),
            },
            Move {
                subject: b,
                to: "DISCOVERY",
                at: day(0),
            },
            Move {
                subject: b,
                to: "PROPOSAL",
                at: day(20),
            },
            Move {
                subject: c,
                to: "DISCOVERY",
                at: day(5),
            },
            Move {
                subject: c,
                to: "PROPOSAL",
                at: day(35),
            },
        ];
        let medians = stage_medians(&moves);
        assert_eq!(medians["DISCOVERY"], Duration::days(20));
        assert!(!medians.contains_key("PROPOSAL"));
        assert!(is_stalled(&medians, "DISCOVERY", day(40), day(61)));
        assert!(!is_stalled(&medians, "DISCOVERY", day(40), day(59)));
        assert!(!is_stalled(&medians, "PROPOSAL", day(0), day(400)));
    }
}
