//! Win/loss (seed 002's "weekly win/loss reviews: what worked, what didn't"): the deals closed
//! in a range, won against lost, split by the lost reason, the account's segment, the deal's
//! source, the competitor or the owner.
//!
//! The store hands over the closed deals already counted per (group, outcome, lost reason), so
//! the work here is adding up, dividing and ranking:
//! - a deal counts when it closed (won or lost) inside the range;
//! - its cycle is `closed_at - created_at` in days; a deal closed before it was recorded (an
//!   import of history) has no cycle of its own and is left out of the cycle averages only;
//! - the win rate is won / (won + lost);
//! - lost reasons are counted as written (trimmed at write time); a lost deal without one
//!   counts as [`UNSPECIFIED`];
//! - grouped by REASON, a group holds the lost deals of one reason: a won deal has no lost
//!   reason, so it is in the total only (each group's win rate is then 0, and shown as such).

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{share, ReasonCount};

/// The reasons a group's line names.
pub const TOP_LOST_REASONS: usize = 3;

/// What a lost deal without a reason counts as.
pub const UNSPECIFIED: &str = "Unspecified";

/// What the closed deals are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinLossGroup {
    Reason,
    Segment,
    Source,
    Competitor,
    Owner,
}

/// A group's value: an id (source, owner), a text (reason, segment, competitor), or none.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WinLossKey {
    None,
    Id(Uuid),
    Text(String),
}

/// Closed deals of one group, one outcome and one lost reason, as the store counts them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedCount {
    pub key: WinLossKey,
    pub won: bool,
    /// The lost reason (always `None` for won deals).
    pub reason: Option<String>,
    pub deals: u64,
    pub amount: f64,
    /// Of `deals`, those closed at or after they were recorded (they have a cycle).
    pub cycle_deals: u64,
    /// The sum of those deals' cycles, in days.
    pub cycle_days: f64,
}

/// Won against lost in one group, or in total.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WinLossLine {
    pub won: u64,
    pub lost: u64,
    pub won_amount: f64,
    pub lost_amount: f64,
    /// won / (won + lost).
    pub win_rate: Option<f64>,
    /// Mean days from creation to close over the closed deals with a cycle.
    pub average_cycle_days: Option<f64>,
    pub average_won_cycle_days: Option<f64>,
    pub average_lost_cycle_days: Option<f64>,
    /// The most frequent lost reasons, most first (ties by reason), share of the lost deals.
    pub top_lost_reasons: Vec<ReasonCount>,
}

/// One group of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct WinLossGroupLine {
    pub key: WinLossKey,
    pub line: WinLossLine,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WinLoss {
    pub total: WinLossLine,
    /// Most closed deals first, then the larger amount, then by key.
    pub groups: Vec<WinLossGroupLine>,
}

/// Sums of one outcome.
#[derive(Debug, Clone, Copy, Default)]
struct Side {
    deals: u64,
    amount: f64,
    cycle_deals: u64,
    cycle_days: f64,
}

impl Side {
    fn add(&mut self, count: &ClosedCount) {
        self.deals += count.deals;
        self.amount += count.amount;
        self.cycle_deals += count.cycle_deals;
        self.cycle_days += count.cycle_days;
    }

    fn average(&self) -> Option<f64> {
        (self.cycle_deals > 0).then(|| self.cycle_days / self.cycle_deals as f64)
    }
}

#[derive(Debug, Default)]
struct Tally {
    won: Side,
    lost: Side,
    reasons: BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, count: &ClosedCount) {
        if count.won {
            self.won.add(count);
        } else {
            self.lost.add(count);
            let reason = count.reason.clone().unwrap_or_else(|| UNSPECIFIED.into());
            *self.reasons.entry(reason).or_default() += count.deals;
        }
    }

    fn line(&self) -> WinLossLine {
        let mut reasons: Vec<(&String, &u64)> = self.reasons.iter().collect();
        // Most frequent first; the map's order breaks ties by reason.
        reasons.sort_by(|a, b| b.1.cmp(a.1));
        let both = Side {
            deals: self.won.deals + self.lost.deals,
            amount: self.won.amount + self.lost.amount,
            cycle_deals: self.won.cycle_deals + self.lost.cycle_deals,
            cycle_days: self.won.cycle_days + self.lost.cycle_days,
        };
        WinLossLine {
            won: self.won.deals,
            lost: self.lost.deals,
            won_amount: self.won.amount,
            lost_amount: self.lost.amount,
            win_rate: share(self.won.deals, both.deals),
            average_cycle_days: both.average(),
            average_won_cycle_days: self.won.average(),
            average_lost_cycle_days: self.lost.average(),
            top_lost_reasons: reasons
                .into_iter()
                .take(TOP_LOST_REASONS)
                .map(|(reason, count)| ReasonCount {
                    reason: reason.clone(),
                    count: *count,
                    share: share(*count, self.lost.deals).unwrap_or(0.0),
                })
                .collect(),
        }
    }
}

/// The win/loss report of the counted deals, split by `group_by`.
pub fn win_loss(counts: &[ClosedCount], group_by: WinLossGroup) -> WinLoss {
    let mut total = Tally::default();
    let mut groups: BTreeMap<WinLossKey, Tally> = BTreeMap::new();
    for count in counts {
        total.add(count);
        let key = match group_by {
            // The reason is the group: a won deal has none and stays in the total.
            WinLossGroup::Reason if count.won => continue,
            WinLossGroup::Reason => {
                WinLossKey::Text(count.reason.clone().unwrap_or_else(|| UNSPECIFIED.into()))
            }
            _ => count.key.clone(),
        };
        groups.entry(key).or_default().add(count);
    }
    let mut groups: Vec<WinLossGroupLine> = groups
        .into_iter()
        .map(|(key, tally)| WinLossGroupLine {
            key,
            line: tally.line(),
        })
        .collect();
    // Stable: equal groups keep the key order of the map.
    groups.sort_by(|a, b| {
        let deals = |g: &WinLossGroupLine| g.line.won + g.line.lost;
        let amount = |g: &WinLossGroupLine| g.line.won_amount + g.line.lost_amount;
        deals(b)
            .cmp(&deals(a))
            .then(amount(b).total_cmp(&amount(a)))
    });
    WinLoss {
        total: total.line(),
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(key: WinLossKey, won: bool, reason: Option<&str>, deals: u64) -> ClosedCount {
        ClosedCount {
            key,
            won,
            reason: reason.map(str::to_owned),
            deals,
            amount: 0.0,
            cycle_deals: deals,
            cycle_days: 0.0,
        }
    }

    fn text(s: &str) -> WinLossKey {
        WinLossKey::Text(s.into())
    }

    /// Two segments. MID_MARKET: 2 won (10,000 in 30 and 50 days), 1 lost to "No budget"
    /// (4,000 in 20 days). ENTERPRISE: 1 won (60,000 in 90 days), 3 lost: 2 "Competitor"
    /// (30,000 in 40 + 60 days), 1 without a reason, imported (5,000, no cycle).
    fn deals() -> Vec<ClosedCount> {
        vec![
            ClosedCount {
                amount: 10_000.0,
                cycle_days: 80.0,
                ..count(text("MID_MARKET"), true, None, 2)
            },
            ClosedCount {
                amount: 4_000.0,
                cycle_days: 20.0,
                ..count(text("MID_MARKET"), false, Some("No budget"), 1)
            },
            ClosedCount {
                amount: 60_000.0,
                cycle_days: 90.0,
                ..count(text("ENTERPRISE"), true, None, 1)
            },
            ClosedCount {
                amount: 30_000.0,
                cycle_days: 100.0,
                ..count(text("ENTERPRISE"), false, Some("Competitor"), 2)
            },
            ClosedCount {
                amount: 5_000.0,
                cycle_deals: 0,
                ..count(text("ENTERPRISE"), false, None, 1)
            },
        ]
    }

    #[test]
    fn the_total_adds_every_closed_deal() {
        let report = win_loss(&deals(), WinLossGroup::Segment);
        let t = &report.total;
        assert_eq!((t.won, t.lost), (3, 4));
        assert_eq!((t.won_amount, t.lost_amount), (70_000.0, 39_000.0));
        assert_eq!(t.win_rate, Some(3.0 / 7.0));
        // Cycles: 30 + 50 + 90 = 170 over 3 won; 20 + 40 + 60 = 120 over 3 lost with a cycle.
        assert_eq!(t.average_won_cycle_days, Some(170.0 / 3.0));
        assert_eq!(t.average_lost_cycle_days, Some(40.0));
        assert_eq!(t.average_cycle_days, Some(290.0 / 6.0));
        let reasons: Vec<(&str, u64, f64)> = t
            .top_lost_reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.count, r.share))
            .collect();
        // Competitor 2 of 4; then the tie of one each, by reason.
        assert_eq!(
            reasons,
            vec![
                ("Competitor", 2, 0.5),
                ("No budget", 1, 0.25),
                ("Unspecified", 1, 0.25)
            ]
        );
    }

    #[test]
    fn groups_split_by_segment_largest_first() {
        let report = win_loss(&deals(), WinLossGroup::Segment);
        let keys: Vec<&WinLossKey> = report.groups.iter().map(|g| &g.key).collect();
        assert_eq!(keys, vec![&text("ENTERPRISE"), &text("MID_MARKET")]);
        let ent = &report.groups[0].line;
        assert_eq!((ent.won, ent.lost), (1, 3));
        assert_eq!(ent.win_rate, Some(0.25));
        assert_eq!(ent.average_lost_cycle_days, Some(50.0));
        let mid = &report.groups[1].line;
        assert_eq!(mid.win_rate, Some(2.0 / 3.0));
        assert_eq!(mid.average_won_cycle_days, Some(40.0));
        assert_eq!(mid.top_lost_reasons[0].share, 1.0);
    }

    #[test]
    fn by_reason_the_groups_hold_the_lost_deals_only() {
        let report = win_loss(&deals(), WinLossGroup::Reason);
        let groups: Vec<(&WinLossKey, u64, u64, f64)> = report
            .groups
            .iter()
            .map(|g| (&g.key, g.line.won, g.line.lost, g.line.lost_amount))
            .collect();
        assert_eq!(
            groups,
            vec![
                (&text("Competitor"), 0, 2, 30_000.0),
                // One deal each: the larger amount first.
                (&text("Unspecified"), 0, 1, 5_000.0),
                (&text("No budget"), 0, 1, 4_000.0),
            ]
        );
        assert_eq!(report.total.won, 3);
        assert_eq!(report.groups[0].line.win_rate, Some(0.0));
        assert_eq!(report.groups[1].line.average_lost_cycle_days, None);
    }

    #[test]
    fn nothing_closed_has_no_rates() {
        let report = win_loss(&[], WinLossGroup::Owner);
        assert_eq!(report.total, WinLossLine::default());
        assert!(report.groups.is_empty());
    }
}
