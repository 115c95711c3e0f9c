//! Spend in a range. Spend is recorded per calendar month; a month's amount is spread evenly over
//! its seconds, so a range (or a week) gets the share of the month it covers, and a full month
//! gets all of it. Spend is recorded against a source or a campaign only, so it can be split by
//! SOURCE, CAMPAIGN, WEEK and MONTH, and not by SEGMENT, REP or PLAY.

use uuid::Uuid;

use super::range::GroupKey;
use super::{week_start, GroupBy, Range, Spend};

/// What one spend row contributes to a report.
pub(crate) struct SpendShare {
    /// The part of the row that falls in the range.
    pub in_range: f64,
    /// That part split over the report's groups; `None` when the grouping cannot carry spend.
    pub groups: Option<Vec<(GroupKey, f64)>>,
}

pub(crate) fn carries_spend(group_by: GroupBy) -> bool {
    !matches!(group_by, GroupBy::Segment | GroupBy::Rep | GroupBy::Play)
}

pub(crate) fn share_of(row: &Spend, range: &Range, group_by: Option<GroupBy>) -> SpendShare {
    let month = Range::month_of(row.month);
    let Some(overlap) = month.intersect(range) else {
        return SpendShare {
            in_range: 0.0,
            groups: group_by.filter(|g| carries_spend(*g)).map(|_| Vec::new()),
        };
    };
    let month_seconds = month.duration().num_seconds() as f64;
    let part = |r: &Range| row.amount * (r.duration().num_seconds() as f64 / month_seconds);
    let in_range = part(&overlap);
    let id = |id: Option<Uuid>| id.map_or(GroupKey::Unattributed, GroupKey::Id);
    let groups = match group_by {
        None | Some(GroupBy::Segment | GroupBy::Rep | GroupBy::Play) => None,
        Some(GroupBy::Source) => Some(vec![(id(row.source_id), in_range)]),
        Some(GroupBy::Campaign) => Some(vec![(id(row.campaign_id), in_range)]),
        Some(GroupBy::Month) => Some(vec![(GroupKey::Period(month.from.date_naive()), in_range)]),
        Some(GroupBy::Week) => {
            let mut pieces = Vec::new();
            let mut from = overlap.from;
            while from < overlap.to {
                let week = Range::week_of(from.date_naive());
                let piece = Range {
                    from,
                    to: week.to.min(overlap.to),
                };
                pieces.push((
                    GroupKey::Period(week_start(from.date_naive())),
                    part(&piece),
                ));
                from = piece.to;
            }
            Some(pieces)
        }
    };
    SpendShare { in_range, groups }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_month_of_spend_spread_over_its_days() {
        let source = Uuid::now_v7();
        let row = Spend {
            amount: 3_100.0,
            month: date(3, 15),
            source_id: Some(source),
            campaign_id: None,
        };
        let march = Range::month_of(date(3, 1));
        let all = share_of(&row, &march, Some(GroupBy::Source));
        assert!(close(all.in_range, 3_100.0));
        assert_eq!(all.groups.unwrap()[0].0, GroupKey::Id(source));

        // March 10 to March 20: 10 of March's 31 days, 3,100 / 31 * 10 = 1,000.
        let part = Range::new(
            Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 20, 0, 0, 0).unwrap(),
        )
        .unwrap();
        assert!(close(share_of(&row, &part, None).in_range, 1_000.0));
        let by_segment = share_of(&row, &part, Some(GroupBy::Segment));
        assert!(by_segment.groups.is_none());
        let campaign = share_of(&row, &part, Some(GroupBy::Campaign));
        assert_eq!(campaign.groups.unwrap()[0].0, GroupKey::Unattributed);

        // By week, March splits into the week of Feb 23 (March 1 only, 1 day: 100), four
        // full weeks from March 2, 9, 16, 23 (7 days: 700 each) and March 30-31 (2 days: 200).
        let weeks = share_of(&row, &march, Some(GroupBy::Week)).groups.unwrap();
        let expected = [
            (date(2, 23), 100.0),
            (date(3, 2), 700.0),
            (date(3, 9), 700.0),
            (date(3, 16), 700.0),
            (date(3, 23), 700.0),
            (date(3, 30), 200.0),
        ];
        assert_eq!(weeks.len(), expected.len());
        for ((key, amount), (day, want)) in weeks.iter().zip(expected) {
            assert_eq!(*key, GroupKey::Period(day));
            assert!(close(*amount, want), "{key:?}: {amount} != {want}");
        }

        // April spend is not in March.
        let april = Spend {
            month: date(4, 1),
            ..row
        };
        let none = share_of(&april, &march, Some(GroupBy::Month));
        assert_eq!(none.in_range, 0.0);
        assert!(none.groups.unwrap().is_empty());
    }
}
