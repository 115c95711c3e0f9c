//! The contract's source rule as arithmetic: which months it judges, in the contract's time zone,
//! and whether their figures breach it. Only months that are over can pause a source; the month
//! in progress can only warn. A resumed source is judged from the instant it was resumed (its
//! fresh window), so the months that paused it do not pause it again.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::contract::SourceRule;

/// A stretch of one calendar month the rule counts MQLs and rejections in: `[start, end)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// `YYYY-MM`, in the contract's time zone.
    pub month: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A span's MQLs and rejections.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    pub mqls: u64,
    pub rejections: u64,
}

impl Figures {
    pub fn rate(&self) -> f64 {
        match self.mqls {
            0 => 0.0,
            mqls => self.rejections as f64 / mqls as f64,
        }
    }

    /// Enough MQLs to be judged, and a rejection rate over the limit.
    pub fn over_limit(&self, rule: &SourceRule) -> bool {
        self.mqls >= u64::from(rule.min_mqls) && self.rate() > rule.max_rejection_rate
    }
}

/// The first instant of a month in `tz` (midnight, or the first local time after a gap).
fn month_start(tz: Tz, year: i32, month: u32) -> DateTime<Utc> {
    let midnight = NaiveDate::from_ymd_opt(year, month, 1)
        .expect("valid month")
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    tz.from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&midnight))
        .with_timezone(&Utc)
}

fn previous(year: i32, month: u32) -> (i32, u32) {
    match month {
        1 => (year - 1, 12),
        m => (year, m - 1),
    }
}

fn next(year: i32, month: u32) -> (i32, u32) {
    match month {
        12 => (year + 1, 1),
        m => (year, m + 1),
    }
}

/// Clips a month to the window that starts at `window_from`; `None` when it ended before.
fn clipped(span: Span, window_from: Option<DateTime<Utc>>) -> Option<Span> {
    match window_from {
        Some(from) if from >= span.end => None,
        Some(from) if from > span.start => Some(Span {
            start: from,
            ..span
        }),
        _ => Some(span),
    }
}

/// The month in progress at `now` in `tz`, from its first instant (or the window's start, when
/// later) to `now`.
pub fn month_in_progress(now: DateTime<Utc>, tz: Tz, window_from: Option<DateTime<Utc>>) -> Span {
    let local = now.with_timezone(&tz);
    let start = month_start(tz, local.year(), local.month());
    let span = Span {
        month: format!("{:04}-{:02}", local.year(), local.month()),
        start,
        end: now,
    };
    clipped(span.clone(), window_from).unwrap_or(Span { start: now, ..span })
}

/// The `count` calendar months that ended before the month of `now` (in `tz`), oldest first.
/// Months that ended before `window_from` are left out, and the one it falls in starts there.
pub fn completed_months(
    now: DateTime<Utc>,
    tz: Tz,
    count: u32,
    window_from: Option<DateTime<Utc>>,
) -> Vec<Span> {
    let local = now.with_timezone(&tz);
    let (mut year, mut month) = previous(local.year(), local.month());
    let mut spans = Vec::new();
    for _ in 0..count {
        let (next_year, next_month) = next(year, month);
        let span = Span {
            month: format!("{year:04}-{month:02}"),
            start: month_start(tz, year, month),
            end: month_start(tz, next_year, next_month),
        };
        if let Some(span) = clipped(span, window_from) {
            spans.push(span);
        }
        (year, month) = previous(year, month);
    }
    spans.reverse();
    spans
}

/// Whether the completed months' figures pause the source: all the rule's consecutive months
/// are there (none before the window), and each is over the limit.
pub fn breached(rule: &SourceRule, months: &[Figures]) -> bool {
    months.len() == rule.consecutive_months as usize
        && !months.is_empty()
        && months.iter().all(|m| m.over_limit(rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rule() -> SourceRule {
        SourceRule {
            max_rejection_rate: 0.2,
            consecutive_months: 2,
            min_mqls: 5,
        }
    }

    #[test]
    fn completed_months_are_the_ones_before_the_month_in_progress_in_the_contracts_zone() {
        // 03:00 UTC on March 1st is still February 28th in New York.
        let spans = completed_months(at("2027-03-01T03:00:00Z"), New_York, 2, None);
        let months: Vec<&str> = spans.iter().map(|s| s.month.as_str()).collect();
        assert_eq!(months, ["2026-12", "2027-01"]);
        assert_eq!(spans[1].start, at("2027-01-01T05:00:00Z"));
        assert_eq!(spans[1].end, at("2027-02-01T05:00:00Z"));
        let now = month_in_progress(at("2027-03-01T03:00:00Z"), New_York, None);
        assert_eq!(now.month, "2027-02");
        assert_eq!(now.start, at("2027-02-01T05:00:00Z"));
    }

    #[test]
    fn a_fresh_window_leaves_out_the_months_before_it() {
        let resumed = Some(at("2027-01-10T12:00:00Z"));
        let spans = completed_months(at("2027-02-20T12:00:00Z"), New_York, 2, resumed);
        assert_eq!(spans.len(), 1, "December ended before the window");
        assert_eq!(spans[0].month, "2027-01");
        assert_eq!(spans[0].start, at("2027-01-10T12:00:00Z"));
        let current = month_in_progress(at("2027-01-20T12:00:00Z"), New_York, resumed);
        assert_eq!(current.start, at("2027-01-10T12:00:00Z"));
    }

    #[test]
    fn only_all_the_consecutive_months_over_the_limit_breach_the_rule() {
        let bad = Figures {
            mqls: 10,
            rejections: 3,
        };
        let fine = Figures {
            mqls: 10,
            rejections: 2,
        };
        let few = Figures {
            mqls: 4,
            rejections: 4,
        };
        assert!(breached(&rule(), &[bad, bad]));
        assert!(!breached(&rule(), &[fine, bad]));
        assert!(!breached(&rule(), &[few, bad]), "too few MQLs to judge");
        assert!(!breached(&rule(), &[bad]), "one month since the window");
        assert!(!breached(&rule(), &[]));
    }
}
