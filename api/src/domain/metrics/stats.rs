//! The few statistics the metrics use, with the conventions of the rest of the domain: the
//! nearest-rank percentile of `plays::percentile` and the lower median of
//! `pipeline::stage_medians`, so that a value shown in two places is the same value.

use chrono::Duration;

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

/// The lower median: the middle value, or the smaller of the two middle ones. `None` when
/// there are no values.
pub fn lower_median<T: Ord + Copy>(values: &[T]) -> Option<T> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    Some(sorted[(sorted.len() - 1) / 2])
}

/// `part / whole` as a share; `None` when `whole` is zero.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A duration in days, with fractions (36 hours is 1.5).
pub(crate) fn days(duration: Duration) -> f64 {
    duration.num_seconds() as f64 / 86_400.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 0.5), None);
        // [5, 20, 30, 60, 240]: p50 is rank ceil(2.5) = 3, p90 rank ceil(4.5) = 5.
        assert_eq!(percentile(&[30, 240, 5, 60, 20], 0.5), Some(30));
        assert_eq!(percentile(&[30, 240, 5, 60, 20], 0.9), Some(240));
    }

    #[test]
    fn lower_medians_and_shares() {
        assert_eq!(lower_median::<i64>(&[]), None);
        assert_eq!(lower_median(&[3, 1, 2]), Some(2));
        // Two middle values 2 and 3: the lower one.
        assert_eq!(lower_median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(share(1, 4), Some(0.25));
        assert_eq!(share(3, 0), None);
        assert_eq!(days(Duration::hours(36)), 1.5);
    }
}
