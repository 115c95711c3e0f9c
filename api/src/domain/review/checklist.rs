//! "You are aligned when" (seed 004), answered with last week's data instead of asked of people:
//! every rejected lead has a coded reason within 48 hours; the CMO can name the top three
//! rejection reasons; the CRO can name the campaign test marketing ran.

use chrono::Duration;

use super::agenda::TestResult;
use super::metrics::{Range, ReasonCount, Rejection};

/// The checklist for one reviewed week.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedChecklist {
    /// Rejections recorded in the reviewed week.
    pub rejections: u64,
    /// Of those, the ones with a reason code, made within the rejection window of the MQL's
    /// hand-over.
    pub coded_in_time: u64,
    /// coded_in_time == rejections (true when there were none).
    pub every_rejection_coded_in_time: bool,
    /// The week's top reason codes (up to three).
    pub top_reasons: Vec<ReasonCount>,
    /// No rejection of the week lacks a code, so the ranking of reasons is complete.
    pub top_reasons_known: bool,
    /// The name of the test that ran in the reviewed week.
    pub campaign_test: Option<String>,
    /// A test ran in the reviewed week and at least two of its variants were used.
    pub campaign_test_recorded: bool,
    /// All three hold.
    pub aligned: bool,
}

/// Answers the checklist for the week `reviewed`.
pub fn aligned_checklist(
    rejections: &[Rejection],
    reviewed: &Range,
    window: Duration,
    top_reasons: &[ReasonCount],
    test: Option<&TestResult>,
) -> AlignedChecklist {
    let week: Vec<&Rejection> = rejections
        .iter()
        .filter(|r| reviewed.contains(r.at))
        .collect();
    let coded_in_time = week
        .iter()
        .filter(|r| r.reason.is_some() && r.at - r.handed_over_at <= window)
        .count() as u64;
    let every_rejection_coded_in_time = coded_in_time == week.len() as u64;
    let top_reasons_known = week.iter().all(|r| r.reason.is_some());
    let campaign_test_recorded =
        test.is_some_and(|t| t.variants.iter().filter(|v| v.touches > 0).count() >= 2);
    AlignedChecklist {
        rejections: week.len() as u64,
        coded_in_time,
        every_rejection_coded_in_time,
        top_reasons: top_reasons.to_vec(),
        top_reasons_known,
        campaign_test: test.map(|t| t.name.clone()),
        campaign_test_recorded,
        aligned: every_rejection_coded_in_time && top_reasons_known && campaign_test_recorded,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::super::metrics::fixture::{self, date};
    use super::super::{reviewed_week, VariantResult};
    use super::*;

    fn test(used: &[u64]) -> TestResult {
        TestResult {
            test_id: Uuid::now_v7(),
            name: "Subject line".into(),
            variants: used
                .iter()
                .map(|&touches| VariantResult {
                    label: "v".into(),
                    touches,
                    replies: 0,
                    reply_rate: None,
                })
                .collect(),
            leader: None,
            lift: None,
            z: None,
            conclusive: false,
        }
    }

    #[test]
    fn a_week_with_every_rejection_coded_in_time() {
        // Reviewed Mar 9-16: E rejected Mar 12 09:00, handed over Mar 10 09:00: exactly 48 h.
        let week = reviewed_week(date(3, 16));
        let list = aligned_checklist(
            &fixture::rejections(),
            &week,
            Duration::hours(48),
            &[],
            Some(&test(&[200, 200])),
        );
        assert_eq!((list.rejections, list.coded_in_time), (1, 1));
        assert!(list.every_rejection_coded_in_time);
        assert!(list.top_reasons_known);
        assert!(list.campaign_test_recorded);
        assert_eq!(list.campaign_test.as_deref(), Some("Subject line"));
        assert!(list.aligned);
    }

    #[test]
    fn a_late_rejection_an_uncoded_one_and_no_test() {
        // Reviewed Mar 23-30: G rejected Mar 28 09:00, handed over Mar 25 09:00: 72 h, late.
        let week = reviewed_week(date(3, 30));
        let mut rejections = fixture::rejections();
        let mut uncoded = rejections[2].clone();
        uncoded.reason = None;
        uncoded.handed_over_at = uncoded.at;
        rejections.push(uncoded);
        let list = aligned_checklist(&rejections, &week, Duration::hours(48), &[], None);
        // Two rejections: G (coded, late) and the uncoded one (in time, no code).
        assert_eq!((list.rejections, list.coded_in_time), (2, 0));
        assert!(!list.every_rejection_coded_in_time);
        assert!(!list.top_reasons_known);
        assert!(!list.campaign_test_recorded);
        assert!(!list.aligned);
        // A test with only one variant used is not a test.
        let one = aligned_checklist(&[], &week, Duration::hours(48), &[], Some(&test(&[50, 0])));
        assert!(one.every_rejection_coded_in_time && one.top_reasons_known);
        assert!(!one.campaign_test_recorded);
    }
}
