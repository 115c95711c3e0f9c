//! Multi-touch attribution and return on spend (issue 20, item 7): how much of the pipeline and
//! revenue of a range each campaign, source or channel earned, and what it cost.
//!
//! `metrics(groupBy: CAMPAIGN | SOURCE)` credits a deal wholly to one value carried along the
//! lead's stage history; this module spreads each deal over every touchpoint on the way to it.
//!
//! The rules, which the README's worked example and the tests reproduce by hand:
//! - **Deals**: a deal counts as pipeline when it was created in the range (its amount) and as
//!   revenue when it was won in the range. Its touchpoints are those of its lead (the lead it
//!   was converted from, else its primary contact); a deal with neither, or whose lead has no
//!   touchpoint, is credited wholly to the Unattributed group, so the groups always add up to
//!   the totals.
//! - **Touchpoints**: the lead's engagement events (each carries its source and campaign) and
//!   the touches reps logged, that happened at or before the deal was created. They are ordered
//!   by time; at the same instant events come before rep touches, then by id.
//! - **Models**, as the share of the deal each touchpoint earns (the shares sum to 1):
//!   FIRST_TOUCH gives all to the first; LAST_TOUCH all to the last (the opportunity-creation
//!   touch); LINEAR 1/n to each of the n; W_SHAPED 30% to the first touch, 30% to the MQL touch
//!   and 30% to the opportunity-creation touch, and the remaining 10% evenly over the others.
//! - **W_SHAPED positions**: the first touch is the earliest touchpoint; the MQL touch is the
//!   last touchpoint at or before the lead's latest move into MQL that is not after the deal's
//!   creation (the hand-over that led to this deal), or the first touch when the lead has no
//!   such move or no touchpoint before it (lead creation); the opportunity-creation touch is
//!   the last touchpoint.
//! - **When positions coincide** the touchpoint holding them earns the sum of their 30%s (first
//!   touch and MQL touch in one: 60%). When no touchpoint is left outside the positions, the 10%
//!   is shared like the 30%s, so each position is worth a third: one touchpoint earns 100%, two
//!   earn 2/3 and 1/3, three distinct positions a third each.
//! - **Keys**: an event's source is its own, else its campaign's; its channel is that source's
//!   kind (PAID_SEARCH, WEBINAR, ...). A rep's touch carries no campaign or source: under every
//!   grouping it is credited to the "Sales touches" group, sales' share of the credit.
//!   An event without the grouping's value is Unattributed.
//! - **Spend** is the spend of the range (each month spread evenly over its seconds, as in
//!   `metrics`); spend recorded on a campaign counts for its campaign, for the campaign's
//!   source and for that source's channel. Cost per opportunity = spend / credited
//!   opportunities; return on spend = credited revenue / spend.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::spend::share_of;
use super::{Range, Spend};

/// How a deal's credit is shared among its touchpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttributionModel {
    FirstTouch,
    LastTouch,
    Linear,
    WShaped,
}

/// What the credit is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttributionGroup {
    Campaign,
    Source,
    /// The kind of the touchpoint's source.
    Channel,
}

/// Where a touchpoint comes from. Events sort before rep touches at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TouchOrigin {
    /// An engagement event a partner app sent.
    Event,
    /// A touch a rep logged.
    Sales,
}

/// One touchpoint of a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touchpoint {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub origin: TouchOrigin,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
}

/// A deal of the range with what its lead did before it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditedDeal {
    pub amount: f64,
    pub created_at: DateTime<Utc>,
    /// When it was won; `None` while open or when lost.
    pub won_at: Option<DateTime<Utc>>,
    /// Every move of its lead into MQL (any order).
    pub mql_entries: Vec<DateTime<Utc>>,
    /// Every touchpoint of its lead (any order; those after the deal's creation are ignored).
    pub touchpoints: Vec<Touchpoint>,
}

/// The catalog the keys are read from: each source's kind, each campaign's source.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub source_kinds: HashMap<Uuid, String>,
    pub campaign_sources: HashMap<Uuid, Option<Uuid>>,
}

impl Catalog {
    fn source_of(&self, source: Option<Uuid>, campaign: Option<Uuid>) -> Option<Uuid> {
        source.or_else(|| campaign.and_then(|c| self.campaign_sources.get(&c).copied().flatten()))
    }

    fn key(
        &self,
        group: AttributionGroup,
        source: Option<Uuid>,
        campaign: Option<Uuid>,
    ) -> CreditKey {
        let id = |id: Option<Uuid>| id.map_or(CreditKey::Unattributed, CreditKey::Id);
        match group {
            AttributionGroup::Campaign => id(campaign),
            AttributionGroup::Source => id(self.source_of(source, campaign)),
            AttributionGroup::Channel => self
                .source_of(source, campaign)
                .and_then(|s| self.source_kinds.get(&s).cloned())
                .map_or(CreditKey::Unattributed, CreditKey::Channel),
        }
    }
}

/// A group of the report. Groups sort Unattributed first, then Sales touches, then by id or
/// channel.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CreditKey {
    /// Deals without touchpoints, and events without the grouping's value.
    Unattributed,
    /// Touches reps logged.
    SalesTouch,
    /// A campaign or a source.
    Id(Uuid),
    /// A source kind.
    Channel(String),
}

/// What one group (or the whole range) earned and spent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credit {
    /// Deals created in the range, each counted by its share (a fraction per touchpoint).
    pub opportunities: f64,
    /// The amounts of the deals created in the range, times the share.
    pub pipeline: f64,
    /// Deals won in the range, each counted by its share.
    pub won: f64,
    /// The amounts of the deals won in the range, times the share.
    pub revenue: f64,
    /// Spend in the range.
    pub spend: f64,
    /// spend / opportunities; `None` without opportunities.
    pub cost_per_opportunity: Option<f64>,
    /// revenue / spend; `None` without spend.
    pub return_on_spend: Option<f64>,
}

impl Credit {
    fn finish(&mut self) {
        self.cost_per_opportunity =
            (self.opportunities > 0.0).then(|| self.spend / self.opportunities);
        self.return_on_spend = (self.spend > 0.0).then(|| self.revenue / self.spend);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttributionReport {
    pub total: Credit,
    /// Sorted by key.
    pub groups: Vec<(CreditKey, Credit)>,
}

/// The share of positions W_SHAPED gives each of its three positions.
const POSITION: f64 = 0.3;
/// The share W_SHAPED spreads over the touchpoints outside the positions.
const REST: f64 = 0.1;

/// The touchpoints that count for a deal created at `created_at`, in order.
pub fn eligible(touchpoints: &[Touchpoint], created_at: DateTime<Utc>) -> Vec<Touchpoint> {
    let mut counted: Vec<Touchpoint> = touchpoints
        .iter()
        .filter(|t| t.at <= created_at)
        .cloned()
        .collect();
    counted.sort_by_key(|t| (t.at, t.origin, t.id));
    counted
}

/// Each ordered touchpoint's share of a deal created at `created_at` (empty without
/// touchpoints; otherwise the shares sum to 1).
pub fn shares(
    model: AttributionModel,
    ordered: &[Touchpoint],
    mql_entries: &[DateTime<Utc>],
    created_at: DateTime<Utc>,
) -> Vec<f64> {
    let n = ordered.len();
    let mut shares = vec![0.0; n];
    if n == 0 {
        return shares;
    }
    match model {
        AttributionModel::FirstTouch => shares[0] = 1.0,
        AttributionModel::LastTouch => shares[n - 1] = 1.0,
        AttributionModel::Linear => shares.iter_mut().for_each(|s| *s = 1.0 / n as f64),
        AttributionModel::WShaped => {
            let handed_over = mql_entries.iter().filter(|at| **at <= created_at).max();
            let mql = handed_over
                .and_then(|m| ordered.iter().rposition(|t| t.at <= *m))
                .unwrap_or(0);
            let positions = [0, mql, n - 1];
            let rest: Vec<usize> = (0..n).filter(|i| !positions.contains(i)).collect();
            let each = if rest.is_empty() { 1.0 / 3.0 } else { POSITION };
            for p in positions {
                shares[p] += each;
            }
            for r in &rest {
                shares[*r] += REST / rest.len() as f64;
            }
        }
    }
    shares
}

/// What one touchpoint key (an event's source and campaign, or a rep's touch) earned of one
/// deal under one model: the sum of its touchpoints' shares. A deal's lines sum to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditLine {
    pub origin: TouchOrigin,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub share: f64,
}

/// A deal's credit lines under `model`, one per touchpoint key that earned a share, in the
/// order the keys first earned; a deal without touchpoints has one line without source or
/// campaign (Unattributed under every grouping). Depends only on the touchpoints and moves
/// up to the deal's creation, so it can be kept once computed.
pub fn credit_lines(model: AttributionModel, deal: &CreditedDeal) -> Vec<CreditLine> {
    let ordered = eligible(&deal.touchpoints, deal.created_at);
    let mut lines: Vec<CreditLine> = Vec::new();
    let earned = shares(model, &ordered, &deal.mql_entries, deal.created_at);
    for (share, t) in earned.into_iter().zip(&ordered) {
        if share <= 0.0 {
            continue;
        }
        let (source_id, campaign_id) = match t.origin {
            TouchOrigin::Sales => (None, None),
            TouchOrigin::Event => (t.source_id, t.campaign_id),
        };
        let same = |l: &&mut CreditLine| {
            l.origin == t.origin && l.source_id == source_id && l.campaign_id == campaign_id
        };
        match lines.iter_mut().find(same) {
            Some(line) => line.share += share,
            None => lines.push(CreditLine {
                origin: t.origin,
                source_id,
                campaign_id,
                share,
            }),
        }
    }
    if lines.is_empty() {
        lines.push(CreditLine {
            origin: TouchOrigin::Event,
            source_id: None,
            campaign_id: None,
            share: 1.0,
        });
    }
    lines
}

/// What the deals of a range earned for one touchpoint key (before the grouping maps keys to
/// campaigns, sources or channels). `spend` and the ratios stay unset.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedCredit {
    pub origin: TouchOrigin,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub credit: Credit,
}

/// Adds a deal's part of `credit` to it: `share` of a deal of `amount`, counted as pipeline
/// when `created` in the range and as revenue when `won` in it.
fn add_deal(credit: &mut Credit, share: f64, amount: f64, created: bool, won: bool) {
    if created {
        credit.opportunities += share;
        credit.pipeline += amount * share;
    }
    if won {
        credit.won += share;
        credit.revenue += amount * share;
    }
}

/// The deals created or won in `range`, counted whole (the report's total).
pub fn deal_totals(deals: &[CreditedDeal], range: &Range) -> Credit {
    let mut total = Credit::default();
    for deal in deals {
        let created = range.contains(deal.created_at);
        let won = deal.won_at.is_some_and(|at| range.contains(at));
        add_deal(&mut total, 1.0, deal.amount, created, won);
    }
    total
}

/// What the deals created or won in `range` earned per touchpoint key under `model`,
/// computed from their touchpoints.
pub fn keyed_credits(
    deals: &[CreditedDeal],
    range: &Range,
    model: AttributionModel,
) -> Vec<KeyedCredit> {
    let mut keyed: Vec<KeyedCredit> = Vec::new();
    let mut index: HashMap<(TouchOrigin, Option<Uuid>, Option<Uuid>), usize> = HashMap::new();
    for deal in deals {
        let created = range.contains(deal.created_at);
        let won = deal.won_at.is_some_and(|at| range.contains(at));
        if !(created || won) {
            continue;
        }
        for line in credit_lines(model, deal) {
            let key = (line.origin, line.source_id, line.campaign_id);
            let at = *index.entry(key).or_insert_with(|| {
                keyed.push(KeyedCredit {
                    origin: line.origin,
                    source_id: line.source_id,
                    campaign_id: line.campaign_id,
                    credit: Credit::default(),
                });
                keyed.len() - 1
            });
            add_deal(&mut keyed[at].credit, line.share, deal.amount, created, won);
        }
    }
    keyed
}

/// The credit of every deal under `model`, grouped by `group`, with the spend of `range`.
pub fn attribution(
    deals: &[CreditedDeal],
    spend: &[Spend],
    catalog: &Catalog,
    range: &Range,
    model: AttributionModel,
    group: AttributionGroup,
) -> AttributionReport {
    let keyed = keyed_credits(deals, range, model);
    report(
        deal_totals(deals, range),
        &keyed,
        spend,
        catalog,
        range,
        group,
    )
}

/// The report from the range's deal totals and what each touchpoint key earned (kept lines
/// and lines computed at request time may both be in `keyed`, a key more than once), grouped
/// by `group`, with the spend of `range`.
pub fn report(
    mut total: Credit,
    keyed: &[KeyedCredit],
    spend: &[Spend],
    catalog: &Catalog,
    range: &Range,
    group: AttributionGroup,
) -> AttributionReport {
    let mut groups: BTreeMap<CreditKey, Credit> = BTreeMap::new();
    for line in keyed {
        let key = match line.origin {
            TouchOrigin::Sales => CreditKey::SalesTouch,
            TouchOrigin::Event => catalog.key(group, line.source_id, line.campaign_id),
        };
        let credit = groups.entry(key).or_default();
        credit.opportunities += line.credit.opportunities;
        credit.pipeline += line.credit.pipeline;
        credit.won += line.credit.won;
        credit.revenue += line.credit.revenue;
    }
    for row in spend {
        let amount = share_of(row, range, None).in_range;
        if amount == 0.0 {
            continue;
        }
        total.spend += amount;
        let key = catalog.key(group, row.source_id, row.campaign_id);
        groups.entry(key).or_default().spend += amount;
    }
    total.finish();
    let groups = groups
        .into_iter()
        .map(|(key, mut credit)| {
            credit.finish();
            (key, credit)
        })
        .collect();
    AttributionReport { total, groups }
}

#[cfg(test)]
mod tests;
