//! The live figures a play is judged by (seed 000): time to first touch, reply rate and
//! conversion to qualified opportunity against the 8-12% target.

use chrono::{DateTime, Utc};

/// Seed 000: conversion to qualified opportunity of 8-12%.
pub const CONVERSION_TARGET: (f64, f64) = (0.08, 0.12);

/// What is known about one enrollment.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentFacts {
    pub enrolled_at: DateTime<Utc>,
    pub active: bool,
    pub first_touch_at: Option<DateTime<Utc>>,
    /// A touch with a REPLIED or MEETING_BOOKED outcome happened while enrolled.
    pub replied: bool,
    /// The lead reached SQL or OPPORTUNITY after enrolling.
    pub qualified: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlayFigures {
    pub enrolled: u64,
    pub active: u64,
    /// Minutes from enrollment to first touch, over enrollments that had one.
    pub first_touch_p50_minutes: Option<i64>,
    pub first_touch_p90_minutes: Option<i64>,
    /// Share of enrollments with a reply or a booked meeting; `None` before any enrollment.
    pub reply_rate: Option<f64>,
    pub conversion_rate: Option<f64>,
}

/// The nearest-rank percentile (`p` in 0..=1) of `values`; `None` when there are none.
pub fn percentile(values: &[i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (p.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

impl PlayFigures {
    pub fn from_enrollments(facts: &[EnrollmentFacts]) -> Self {
        let enrolled = facts.len() as u64;
        let minutes: Vec<i64> = facts
            .iter()
            .filter_map(|f| {
                f.first_touch_at
                    .map(|t| (t - f.enrolled_at).num_minutes().max(0))
            })
            .collect();
        let share = |count: usize| (enrolled > 0).then(|| count as f64 / enrolled as f64);
        Self {
            enrolled,
            active: facts.iter().filter(|f| f.active).count() as u64,
            first_touch_p50_minutes: percentile(&minutes, 0.5),
            first_touch_p90_minutes: percentile(&minutes, 0.9),
            reply_rate: share(facts.iter().filter(|f| f.replied).count()),
            conversion_rate: share(facts.iter().filter(|f| f.qualified).count()),
        }
    }

    /// Whether conversion reached the low end of the 8-12% target.
    pub fn on_target(&self) -> Option<bool> {
        self.conversion_rate.map(|r| r >= CONVERSION_TARGET.0)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&values, 0.5), Some(5));
        assert_eq!(percentile(&values, 0.9), Some(9));
        assert_eq!(percentile(&[30, 10, 20], 0.5), Some(20));
    }

    #[test]
    fn figures_from_enrollments() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        let fact = |touch_after: Option<i64>, replied, qualified, active| EnrollmentFacts {
            enrolled_at: t0,
            active,
            first_touch_at: touch_after.map(|m| t0 + Duration::minutes(m)),
            replied,
            qualified,
        };
        let figures = PlayFigures::from_enrollments(&[
            fact(Some(10), true, true, false),
            fact(Some(60), false, false, true),
            fact(Some(240), false, false, true),
            fact(None, false, false, true),
        ]);
        assert_eq!(figures.enrolled, 4);
        assert_eq!(figures.active, 3);
        assert_eq!(figures.first_touch_p50_minutes, Some(60));
        assert_eq!(figures.first_touch_p90_minutes, Some(240));
        assert_eq!(figures.reply_rate, Some(0.25));
        assert_eq!(figures.conversion_rate, Some(0.25));
        assert_eq!(figures.on_target(), Some(true));
        assert_eq!(PlayFigures::from_enrollments(&[]).reply_rate, None);
    }
}
