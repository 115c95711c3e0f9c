//! The time range a report covers and the groups it is split into.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Attribution, MetricsError};

/// A half-open span of time: `from` is in it, `to` is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    /// A range that ends after it starts.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, MetricsError> {
        let range = Range { from, to };
        range.validate("range")?;
        Ok(range)
    }

    /// The calendar month (UTC) that holds `day`.
    pub fn month_of(day: NaiveDate) -> Self {
        let start = month_start(day);
        Range {
            from: midnight(start),
            to: midnight(start + Months::new(1)),
        }
    }

    /// The week (Monday to Monday, UTC) that holds `day`.
    pub fn week_of(day: NaiveDate) -> Self {
        let start = week_start(day);
        Range {
            from: midnight(start),
            to: midnight(start + Duration::days(7)),
        }
    }

    pub(crate) fn validate(&self, field: &str) -> Result<(), MetricsError> {
        if self.from < self.to {
            Ok(())
        } else {
            Err(MetricsError::at(
                format!("{field}.to"),
                "must be later than `from`",
            ))
        }
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// The part of `self` that `other` covers, if any.
    pub fn intersect(&self, other: &Range) -> Option<Range> {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        (from < to).then_some(Range { from, to })
    }

    pub fn duration(&self) -> Duration {
        self.to - self.from
    }

    /// How far back stage changes must be loaded for the lead velocity rate of this range: the
    /// first instant of the month before the month that holds `from`.
    pub fn history_from(&self) -> DateTime<Utc> {
        midnight(month_start(self.from.date_naive()) - Months::new(1))
    }
}

/// The Monday of the week that holds `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first day of the month that holds `day`.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// How a span of time is read: whole UTC days from the rollups, the rest row by row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DaySplit {
    /// Runs of whole days, half-open: `(first, after_last)`.
    pub days: Vec<(NaiveDate, NaiveDate)>,
    /// The parts of the span outside those days, in order.
    pub rows: Vec<Range>,
}

impl DaySplit {
    /// Splits `span`: a day is counted when it lies wholly inside the span, ends by `until`,
    /// and no instant of `cuts` falls strictly inside it (a report compares spans that start
    /// there); every other instant of the span is read as rows.
    pub fn of(span: Range, until: DateTime<Utc>, cuts: &[DateTime<Utc>]) -> Self {
        let day = Duration::days(1);
        let first = span.from.date_naive();
        let mut start = midnight(first);
        if start < span.from {
            start += day;
        }
        let end = span.to.min(until);
        let mut days: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        while start + day <= end {
            let cut = cuts.iter().any(|c| start < *c && *c < start + day);
            if !cut {
                let (from, to) = (start.date_naive(), (start + day).date_naive());
                match days.last_mut() {
                    Some(run) if run.1 == from => run.1 = to,
                    _ => days.push((from, to)),
                }
            }
            start += day;
        }
        let mut rows = Vec::new();
        let mut at = span.from;
        for (from, to) in &days {
            if at < midnight(*from) {
                rows.push(Range {
                    from: at,
                    to: midnight(*from),
                });
            }
            at = midnight(*to);
        }
        if at < span.to {
            rows.push(Range {
                from: at,
                to: span.to,
            });
        }
        DaySplit { days, rows }
    }

    /// Whether `at` is read as rows.
    pub fn in_rows(&self, at: DateTime<Utc>) -> bool {
        self.rows.iter().any(|r| r.contains(at))
    }
}

/// What a report is split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupBy {
    Source,
    Segment,
    Rep,
    Campaign,
    Play,
    Week,
    Month,
}

impl GroupBy {
    /// Whether the groups are periods of time rather than attributes of the facts.
    pub fn is_time(self) -> bool {
        matches!(self, GroupBy::Week | GroupBy::Month)
    }

    /// The group of a fact credited to `attribution` that happened at `at`.
    pub fn key(self, attribution: &Attribution, at: DateTime<Utc>) -> GroupKey {
        let id = |id: Option<Uuid>| id.map_or(GroupKey::Unattributed, GroupKey::Id);
        match self {
            GroupBy::Source => id(attribution.source_id),
            GroupBy::Rep => id(attribution.owner_id),
            GroupBy::Campaign => id(attribution.campaign_id),
            GroupBy::Play => id(attribution.play_id),
            GroupBy::Segment => attribution
                .segment
                .clone()
                .map_or(GroupKey::Unattributed, GroupKey::Segment),
            GroupBy::Week => GroupKey::Period(week_start(at.date_naive())),
            GroupBy::Month => GroupKey::Period(month_start(at.date_naive())),
        }
    }

    /// The span of time a WEEK or MONTH group covers; `None` for the other groupings.
    pub fn period(self, key: &GroupKey) -> Option<Range> {
        match (self, key) {
            (GroupBy::Week, GroupKey::Period(day)) => Some(Range::week_of(*day)),
            (GroupBy::Month, GroupKey::Period(day)) => Some(Range::month_of(*day)),
            _ => None,
        }
    }
}

/// One group of a report. Groups sort unattributed first, then by id, name or date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    /// The facts that carry no value for the dimension (no source, no campaign, ...).
    Unattributed,
    /// A source, rep, campaign or play.
    Id(Uuid),
    Segment(String),
    /// The first day of a week (Monday) or of a month.
    Period(NaiveDate),
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ranges_are_half_open_and_validated() {
        let a = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        let march = Range::new(a, b).unwrap();
        assert!(march.contains(a));
        assert!(!march.contains(b));
        assert_eq!(march, Range::month_of(date(2026, 3, 17)));
        let err = Range::new(b, a).unwrap_err();
        assert_eq!(err.field, "range.to");
        assert!(Range::new(a, a).is_err());
        // The month before March starts on February 1st.
        assert_eq!(
            march.history_from(),
            Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()
        );
        let april = Range::month_of(date(2026, 4, 1));
        assert_eq!(march.intersect(&april), None);
        assert_eq!(march.intersect(&march), Some(march));
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-01 is a Sunday: its week began on Monday 2026-02-23.
        assert_eq!(week_start(date(2026, 3, 1)), date(2026, 2, 23));
        assert_eq!(week_start(date(2026, 3, 2)), date(2026, 3, 2));
        assert_eq!(week_start(date(2026, 3, 8)), date(2026, 3, 2));
        assert_eq!(month_start(date(2026, 2, 28)), date(2026, 2, 1));
        let week = Range::week_of(date(2026, 3, 4));
        assert_eq!(week.from.date_naive(), date(2026, 3, 2));
        assert_eq!(week.duration(), Duration::days(7));
    }

    #[test]
    fn spans_split_into_counted_days_and_rows() {
        let t = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
        // From Mar 2 09:00 to Mar 6 12:00, known until Mar 5 18:00, a report starting Mar 3
        // 10:00: Mar 3 is cut, Mar 4 counted, Mar 5 not over by `until`.
        let split = DaySplit::of(
            Range::new(t(2, 9), t(6, 12)).unwrap(),
            t(5, 18),
            &[t(3, 10)],
        );
        assert_eq!(split.days, vec![(date(2026, 3, 4), date(2026, 3, 5))]);
        assert_eq!(
            split.rows,
            vec![
                Range::new(t(2, 9), t(4, 0)).unwrap(),
                Range::new(t(5, 0), t(6, 12)).unwrap()
            ]
        );
        assert!(split.in_rows(t(3, 23)) && !split.in_rows(t(4, 23)));
        // A cut at midnight cuts nothing; consecutive days make one run.
        let split = DaySplit::of(Range::new(t(2, 0), t(5, 0)).unwrap(), t(9, 0), &[t(3, 0)]);
        assert_eq!(split.days, vec![(date(2026, 3, 2), date(2026, 3, 5))]);
        assert!(split.rows.is_empty());
        // Shorter than a day: all rows.
        let split = DaySplit::of(Range::new(t(2, 1), t(2, 5)).unwrap(), t(9, 0), &[]);
        assert!(split.days.is_empty());
        assert_eq!(split.rows, vec![Range::new(t(2, 1), t(2, 5)).unwrap()]);
    }

    #[test]
    fn group_keys() {
        let source = Uuid::now_v7();
        let attribution = Attribution {
            source_id: Some(source),
            segment: Some("SMB".into()),
            ..Default::default()
        };
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap();
        assert_eq!(GroupBy::Source.key(&attribution, at), GroupKey::Id(source));
        assert_eq!(
            GroupBy::Segment.key(&attribution, at),
            GroupKey::Segment("SMB".into())
        );
        assert_eq!(GroupBy::Rep.key(&attribution, at), GroupKey::Unattributed);
        assert_eq!(
            GroupBy::Week.key(&attribution, at),
            GroupKey::Period(date(2026, 3, 2))
        );
        assert_eq!(
            GroupBy::Month.key(&attribution, at),
            GroupKey::Period(date(2026, 3, 1))
        );
        assert!(GroupKey::Unattributed < GroupKey::Id(source));
    }
}
