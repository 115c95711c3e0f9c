//! Content that works (seed 002's "content by buyer journey stage"; the content gap audit):
//! per asset, how often cadences and plays used it, what the buyers did with it, and what
//! happened after it reached them; and the funnel stages where no asset performs.
//!
//! Definitions (the store counts, this module judges), over a range `[from, to)`:
//! - **cadence uses**: cadence tasks carrying the asset (a play's cadence step put to one lead)
//!   due in the range, cancelled ones left out;
//! - **play uses**: touches logged with the asset in the range as part of a play (the touch
//!   names the play); **touches**: every touch logged with the asset (a rep sent or showed it);
//! - **engagements**: events carrying the asset in the range (the buyer downloaded, watched,
//!   opened it);
//! - a lead is **reached** by the asset once, at the first touch or event carrying it (ever);
//!   **leads reached** counts the leads first reached in the range, so that the counts of two
//!   ranges add up to the count of both (a lead an asset reached in January and again in
//!   March counts in January only);
//! - **replies** and **meetings**: touches with the asset in the range whose outcome is REPLIED
//!   or MEETING_BOOKED;
//! - **stage advances**: stage changes in the range of a lead after the asset first reached it
//!   (in the range or before), that move it further down the funnel's path (LEAD, MQL, SAL, SQL, OPPORTUNITY, CUSTOMER;
//!   into NURTURE or DISQUALIFIED or out of them is no advance);
//! - **won deals**: deals won in the range at an account where some contact was touched by, or
//!   engaged with, the asset before the close (at any time), with their amount;
//! - an asset **performs** when it has at least one reply, meeting, stage advance or won deal in
//!   the range; a funnel stage is a **content gap** when none of its assets performs (none
//!   exists, or none earned a result).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use entity::FunnelStage;
use uuid::Uuid;

use super::Stage;

/// What the store counted for one asset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetCounts {
    pub cadence_uses: u64,
    pub play_uses: u64,
    pub touches: u64,
    pub engagements: u64,
    pub leads_reached: u64,
    pub replies: u64,
    pub meetings: u64,
    pub stage_advances: u64,
    pub won_deals: u64,
    pub won_amount: f64,
}

impl AssetCounts {
    /// Whether the asset earned a result in the range.
    pub fn performs(&self) -> bool {
        self.replies + self.meetings + self.stage_advances + self.won_deals > 0
    }
}

/// One asset of the catalog with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetPerformance {
    pub asset_id: Uuid,
    pub name: String,
    pub funnel_stage: FunnelStage,
    pub counts: AssetCounts,
}

/// A funnel stage no asset performs at: how many assets it has and how many of them were used
/// (by a cadence, a touch, or a buyer's event) in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentGap {
    pub stage: FunnelStage,
    pub assets: u64,
    pub used: u64,
}

/// The funnel stages in the buyer's order.
pub const FUNNEL_STAGES: [FunnelStage; 4] = [
    FunnelStage::Awareness,
    FunnelStage::Consideration,
    FunnelStage::Decision,
    FunnelStage::Validation,
];

/// The stage advances per asset, from the stage changes of reached leads after they were
/// reached, counted per `(asset, from, to)`.
pub fn advances_by_asset(moves: &[(Uuid, Option<Stage>, Stage, u64)]) -> HashMap<Uuid, u64> {
    let mut counts = HashMap::new();
    for (asset, from, to, n) in moves {
        if from.is_some_and(|from| from.advances_to(*to)) {
            *counts.entry(*asset).or_insert(0) += n;
        }
    }
    counts
}

/// What the assets did for one lead at one time: reached it (its first touch or event carrying
/// the asset), advanced it (a stage change after that). Summed over a range, a lead's lines
/// give its part of the range's `leads reached` and `stage advances`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReachLine {
    pub asset_id: Uuid,
    pub at: DateTime<Utc>,
    pub reached: u32,
    pub advances: u32,
}

/// One lead's lines, from each asset's first reach of it (`(asset, when)`) and its stage
/// changes (`(from, to, when)`), one line per asset and time, in that order.
pub fn reach_lines(
    first_reaches: &[(Uuid, DateTime<Utc>)],
    moves: &[(Option<Stage>, Stage, DateTime<Utc>)],
) -> Vec<ReachLine> {
    let mut lines: BTreeMap<(Uuid, DateTime<Utc>), (u32, u32)> = BTreeMap::new();
    for &(asset, reached_at) in first_reaches {
        lines.entry((asset, reached_at)).or_default().0 += 1;
        for &(from, to, at) in moves {
            if at > reached_at && from.is_some_and(|from| from.advances_to(to)) {
                lines.entry((asset, at)).or_default().1 += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|((asset_id, at), (reached, advances))| ReachLine {
            asset_id,
            at,
            reached,
            advances,
        })
        .collect()
}

/// Orders the assets: those with more won deals, then stage advances, meetings and replies
/// first; then by name.
pub fn rank(assets: &mut [AssetPerformance]) {
    assets.sort_by(|a, b| {
        let key = |p: &AssetPerformance| {
            (
                p.counts.won_deals,
                p.counts.stage_advances,
                p.counts.meetings,
                p.counts.replies,
            )
        };
        key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
    });
}

/// The content gaps among `stages` (in that order): the stages none of whose assets performs.
pub fn content_gaps(assets: &[AssetPerformance], stages: &[FunnelStage]) -> Vec<ContentGap> {
    stages
        .iter()
        .filter_map(|stage| {
            let of_stage: Vec<&AssetPerformance> =
                assets.iter().filter(|a| a.funnel_stage == *stage).collect();
            if of_stage.iter().any(|a| a.counts.performs()) {
                return None;
            }
            let used = of_stage
                .iter()
                .filter(|a| a.counts.cadence_uses + a.counts.touches + a.counts.engagements > 0)
                .count() as u64;
            Some(ContentGap {
                stage: *stage,
                assets: of_stage.len() as u64,
                used,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(n: u128, name: &str, stage: FunnelStage, counts: AssetCounts) -> AssetPerformance {
        AssetPerformance {
            asset_id: Uuid::from_u128(n),
            name: name.into(),
            funnel_stage: stage,
            counts,
        }
    }

    #[test]
    fn an_asset_performs_with_any_result_and_not_with_use_alone() {
        let used = AssetCounts {
            cadence_uses: 5,
            touches: 4,
            engagements: 9,
            leads_reached: 6,
            ..Default::default()
        };
        assert!(!used.performs());
        for counts in [
            AssetCounts {
                replies: 1,
                ..Default::default()
            },
            AssetCounts {
                meetings: 1,
                ..Default::default()
            },
            AssetCounts {
                stage_advances: 1,
                ..Default::default()
            },
            AssetCounts {
                won_deals: 1,
                ..Default::default()
            },
        ] {
            assert!(counts.performs());
        }
    }

    #[test]
    fn only_moves_down_the_path_are_advances() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let moves = vec![
            (a, Some(Stage::Lead), Stage::Mql, 1),
            (a, Some(Stage::Mql), Stage::Sal, 3),
            (a, Some(Stage::Sal), Stage::Nurture, 2),
            (b, Some(Stage::Nurture), Stage::Mql, 4),
            (b, None, Stage::Lead, 5),
            (b, Some(Stage::Sql), Stage::Opportunity, 1),
        ];
        let counts = advances_by_asset(&moves);
        assert_eq!(counts.get(&a), Some(&4));
        assert_eq!(counts.get(&b), Some(&1));
    }

    #[test]
    fn a_lead_is_reached_once_and_advanced_by_each_later_move_down_the_path() {
        use chrono::TimeZone;
        let day = |d: u32| Utc.with_ymd_and_hms(2027, 3, d, 9, 0, 0).unwrap();
        let (deck, report) = (Uuid::from_u128(1), Uuid::from_u128(2));
        // The deck reached the lead on the 2nd, the report on the 6th. On the 1st it became an
        // MQL (before either); on the 4th an SQL in two moves at once; on the 8th it went to
        // nurture (no advance) and on the 9th back to MQL (none either).
        let moves = vec![
            (Some(Stage::Lead), Stage::Mql, day(1)),
            (Some(Stage::Mql), Stage::Sal, day(4)),
            (Some(Stage::Sal), Stage::Sql, day(4)),
            (Some(Stage::Sql), Stage::Nurture, day(8)),
            (Some(Stage::Nurture), Stage::Mql, day(9)),
        ];
        let line = |asset_id, at, reached, advances| ReachLine {
            asset_id,
            at,
            reached,
            advances,
        };
        assert_eq!(
            reach_lines(&[(report, day(6)), (deck, day(2))], &moves),
            vec![
                line(deck, day(2), 1, 0),
                line(deck, day(4), 0, 2),
                line(report, day(6), 1, 0),
            ]
        );
        // A move at the very time of the reach came with it, not after it.
        assert_eq!(
            reach_lines(&[(deck, day(4))], &moves),
            vec![line(deck, day(4), 1, 0)]
        );
        assert!(reach_lines(&[], &moves).is_empty());
    }

    #[test]
    fn gaps_are_the_stages_where_nothing_performs() {
        let mut assets = vec![
            asset(
                1,
                "Blog",
                FunnelStage::Awareness,
                AssetCounts {
                    engagements: 3,
                    ..Default::default()
                },
            ),
            asset(
                2,
                "Case study",
                FunnelStage::Decision,
                AssetCounts {
                    meetings: 1,
                    won_deals: 1,
                    ..Default::default()
                },
            ),
            asset(
                3,
                "ROI calculator",
                FunnelStage::Decision,
                AssetCounts::default(),
            ),
            asset(
                4,
                "Webinar",
                FunnelStage::Consideration,
                AssetCounts {
                    replies: 2,
                    ..Default::default()
                },
            ),
            asset(5, "Guide", FunnelStage::Awareness, AssetCounts::default()),
        ];
        let gaps = content_gaps(&assets, &FUNNEL_STAGES);
        assert_eq!(
            gaps,
            vec![
                // Two assets, the blog was read, neither earned a result.
                ContentGap {
                    stage: FunnelStage::Awareness,
                    assets: 2,
                    used: 1
                },
                // No asset at all.
                ContentGap {
                    stage: FunnelStage::Validation,
                    assets: 0,
                    used: 0
                },
            ]
        );
        assert!(content_gaps(&assets, &[FunnelStage::Decision]).is_empty());
        rank(&mut assets);
        let names: Vec<&str> = assets.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["Case study", "Webinar", "Blog", "Guide", "ROI calculator"]
        );
    }
}
