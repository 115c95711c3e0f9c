//! Marketing's side of the contract, measured (seed 002's marketing-to-sales SLA: "deliver X
//! MQLs per month", "Y% must meet the ICP", "100% complete contact info", "behavioural data
//! attached"), beside sales' side (the SLA clocks), for one calendar month in the contract's
//! time zone, so the review reads both columns.
//!
//! What each line counts (the store counts, this module judges):
//! - MQLs delivered: entries into MQL in the month, as the shared metrics count them (a lead
//!   qualifying twice is two hand-overs); target `commitments.mqlsPerMonth`, met when reached;
//! - ICP share: of those MQLs, the ones whose account is in the ICP, by the rule the ICP
//!   insights use (the account's fit reaches half of what the active ICP's account criteria can
//!   give), judged on the account's fit now; target `commitments.icpShare`;
//! - contact completeness: of those MQLs, the ones whose contact has the four fields the
//!   contract names (`Commitments::contact_completeness`): a name, a title, a business email
//!   (present and not a personal address) and an account; target
//!   `commitments.contactCompleteness`;
//! - MQLs with intel: of those MQLs, the ones whose lead received, at or after the hand-over, a
//!   trigger carrying a lead intel package with behavioural data attached (at least one scored
//!   event: `domain::intel`). The contract states no share for it; the seed's "behavioural data
//!   attached" means every MQL, so the target is 1;
//! - sales' SLA compliance: clocks due in the month whose outcome is known, met on time, per
//!   kind and together, as the shared metrics count `slaCompliance`; the contract promises the
//!   SLA to every MQL and writes no tolerance, so the target is 1.
//!
//! Shares are `None` (and not judged) when nothing was there to divide.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::{share, MetricsError, Range};
use crate::domain::contract::Commitments;

/// What one scorecard line measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    MqlVolume,
    IcpShare,
    ContactCompleteness,
    MqlsWithIntel,
    SlaCompliance,
    FirstTouchSla,
    StatusUpdateSla,
}

/// One commitment: its target, what happened, and whether it was kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardLine {
    pub commitment: Commitment,
    pub target: f64,
    /// A count for MQL volume, a share otherwise; `None` when there was nothing to divide.
    pub actual: Option<f64>,
    /// `None` when `actual` is.
    pub met: Option<bool>,
    /// The count behind `actual` (MQLs, or the part of the whole that qualifies).
    pub count: u64,
    /// What the share divides by (MQLs, or settled clocks); the count itself for MQL volume.
    pub of: u64,
}

/// The MQLs handed over in the month, counted by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MqlCounts {
    pub mqls: u64,
    pub in_icp: u64,
    pub complete: u64,
    pub with_intel: u64,
}

/// SLA clocks of one kind due in the month: settled (met, breached or past due) and met on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockCounts {
    pub due: u64,
    pub met: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// The first day of the month.
    pub month: NaiveDate,
    /// The month in UTC instants: local midnight of the 1st to local midnight of the next 1st.
    pub range: Range,
    /// Whether the month was over when the scorecard was read (otherwise it is judged so far).
    pub complete: bool,
    pub marketing: Vec<ScorecardLine>,
    pub sales: Vec<ScorecardLine>,
}

/// The month `raw` names ("2026-11" or any day of it, "2026-11-15"), or the month holding
/// `now` in `tz`; its first day.
pub fn month_of(raw: Option<&str>, tz: Tz, now: DateTime<Utc>) -> Result<NaiveDate, MetricsError> {
    let day = match raw.map(str::trim) {
        None => now.with_timezone(&tz).date_naive(),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d"))
            .map_err(|_| {
                MetricsError::at("month", "must be a month (2026-11) or a date (2026-11-15)")
            })?,
    };
    day.with_day(1)
        .ok_or_else(|| MetricsError::at("month", "has no first day"))
}

/// Local midnight of `day` in `tz` as an instant; where midnight does not exist (a clock
/// change at midnight), the first instant of the day that does.
fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut at = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    for _ in 0..4 {
        if let Some(local) = tz.from_local_datetime(&at).earliest() {
            return local.with_timezone(&Utc);
        }
        at += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

/// The month that starts on `first`, in `tz`.
pub fn month_range(first: NaiveDate, tz: Tz) -> Result<Range, MetricsError> {
    let next = first
        .checked_add_months(Months::new(1))
        .ok_or_else(|| MetricsError::at("month", "is out of range"))?;
    Ok(Range {
        from: local_midnight(first, tz),
        to: local_midnight(next, tz),
    })
}

fn share_line(commitment: Commitment, target: f64, count: u64, of: u64) -> ScorecardLine {
    let actual = share(count, of);
    ScorecardLine {
        commitment,
        target,
        actual,
        met: actual.map(|a| a >= target),
        count,
        of,
    }
}

/// Both columns of the month that starts on `month` and spans `range`, read at `as_of`.
pub fn scorecard(
    month: NaiveDate,
    range: Range,
    as_of: DateTime<Utc>,
    commitments: &Commitments,
    mqls: MqlCounts,
    first_touch: ClockCounts,
    status_update: ClockCounts,
) -> Scorecard {
    let volume = ScorecardLine {
        commitment: Commitment::MqlVolume,
        target: f64::from(commitments.mqls_per_month),
        actual: Some(mqls.mqls as f64),
        met: Some(mqls.mqls >= u64::from(commitments.mqls_per_month)),
        count: mqls.mqls,
        of: mqls.mqls,
    };
    let marketing = vec![
        volume,
        share_line(
            Commitment::IcpShare,
            commitments.icp_share,
            mqls.in_icp,
            mqls.mqls,
        ),
        share_line(
            Commitment::ContactCompleteness,
            commitments.contact_completeness,
            mqls.complete,
            mqls.mqls,
        ),
        share_line(Commitment::MqlsWithIntel, 1.0, mqls.with_intel, mqls.mqls),
    ];
    let sales = vec![
        share_line(
            Commitment::SlaCompliance,
            1.0,
            first_touch.met + status_update.met,
            first_touch.due + status_update.due,
        ),
        share_line(
            Commitment::FirstTouchSla,
            1.0,
            first_touch.met,
            first_touch.due,
        ),
        share_line(
            Commitment::StatusUpdateSla,
            1.0,
            status_update.met,
            status_update.due,
        ),
    ];
    Scorecard {
        month,
        range,
        complete: range.to <= as_of,
        marketing,
        sales,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("an instant")
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_month_is_named_by_itself_or_any_of_its_days() {
        let tz = chrono_tz::America::New_York;
        let now = at("2026-12-01T03:00:00Z"); // still November 30th in New York
        assert_eq!(month_of(None, tz, now), Ok(day("2026-11-01")));
        assert_eq!(month_of(Some("2026-02"), tz, now), Ok(day("2026-02-01")));
        assert_eq!(
            month_of(Some(" 2026-02-17 "), tz, now),
            Ok(day("2026-02-01"))
        );
        for bad in ["2026-13", "February", "2026-02-30", ""] {
            let err = month_of(Some(bad), tz, now).unwrap_err();
            assert_eq!(err.field, "month", "{bad}");
        }
    }

    #[test]
    fn the_month_runs_from_local_midnight_to_local_midnight() {
        let tz = chrono_tz::America::New_York;
        // November 2026: EDT (UTC-4) on the 1st, EST (UTC-5) from the 1st of December.
        let r = month_range(day("2026-11-01"), tz).unwrap();
        assert_eq!(r.from, at("2026-11-01T04:00:00Z"));
        assert_eq!(r.to, at("2026-12-01T05:00:00Z"));
        // A clock change at midnight: in Santiago, 6 September 2026 starts at 01:00 (UTC-3).
        assert_eq!(
            local_midnight(day("2026-09-06"), chrono_tz::America::Santiago),
            at("2026-09-06T04:00:00Z")
        );
    }

    fn commitments() -> Commitments {
        Commitments {
            mqls_per_month: 10,
            icp_share: 0.8,
            contact_completeness: 0.9,
        }
    }

    /// 12 MQLs against 10 promised; 9 in the ICP (0.75 < 0.8); 11 complete (0.9166 >= 0.9);
    /// 6 with intel. Sales: 8 first-touch clocks settled, 6 met; 4 status clocks, all
    /// met: 10 of 12 together.
    #[test]
    fn each_commitment_is_judged_against_its_target() {
        let range = month_range(day("2026-11-01"), chrono_tz::UTC).unwrap();
        let card = scorecard(
            day("2026-11-01"),
            range,
            at("2026-12-02T00:00:00Z"),
            &commitments(),
            MqlCounts {
                mqls: 12,
                in_icp: 9,
                complete: 11,
                with_intel: 6,
            },
            ClockCounts { due: 8, met: 6 },
            ClockCounts { due: 4, met: 4 },
        );
        assert!(card.complete);
        let judged: Vec<(Commitment, f64, Option<f64>, Option<bool>)> = card
            .marketing
            .iter()
            .chain(&card.sales)
            .map(|l| (l.commitment, l.target, l.actual, l.met))
            .collect();
        assert_eq!(
            judged,
            vec![
                (Commitment::MqlVolume, 10.0, Some(12.0), Some(true)),
                (Commitment::IcpShare, 0.8, Some(0.75), Some(false)),
                (
                    Commitment::ContactCompleteness,
                    0.9,
                    Some(11.0 / 12.0),
                    Some(true)
                ),
                (Commitment::MqlsWithIntel, 1.0, Some(0.5), Some(false)),
                (
                    Commitment::SlaCompliance,
                    1.0,
                    Some(10.0 / 12.0),
                    Some(false)
                ),
                (Commitment::FirstTouchSla, 1.0, Some(0.75), Some(false)),
                (Commitment::StatusUpdateSla, 1.0, Some(1.0), Some(true)),
            ]
        );
    }

    #[test]
    fn an_empty_month_in_progress_judges_only_the_volume() {
        let range = month_range(day("2026-12-01"), chrono_tz::UTC).unwrap();
        let card = scorecard(
            day("2026-12-01"),
            range,
            at("2026-12-06T12:00:00Z"),
            &commitments(),
            MqlCounts::default(),
            ClockCounts::default(),
            ClockCounts::default(),
        );
        assert!(!card.complete);
        assert_eq!(card.marketing[0].met, Some(false));
        assert_eq!(card.marketing[0].actual, Some(0.0));
        assert!(card.marketing[1..]
            .iter()
            .chain(&card.sales)
            .all(|l| l.actual.is_none() && l.met.is_none()));
    }
}
