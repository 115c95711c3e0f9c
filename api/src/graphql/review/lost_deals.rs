//! The review's win/loss item as the agenda shows it: last week's lost deals, their reasons
//! and marketing's share of them.

use async_graphql::{SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::{
    domain::review::{LostDeal, LostDeals},
    graphql::metrics::ReasonCountView,
};

/// A deal lost in the reviewed week.
#[derive(SimpleObject)]
pub struct LostDealView {
    pub opportunity_id: ID,
    pub name: String,
    pub amount: f64,
    pub owner_id: Option<ID>,
    /// The lost reason as written; null when none was given (an import).
    pub reason: Option<String>,
    pub competitor: Option<String>,
    pub closed_at: DateTime<Utc>,
    /// A contact of the deal's account had an engagement event before the close.
    pub marketing_touched: bool,
}

impl From<&LostDeal> for LostDealView {
    fn from(d: &LostDeal) -> Self {
        Self {
            opportunity_id: d.id.into(),
            name: d.name.clone(),
            amount: d.amount,
            owner_id: d.owner_id.map(Into::into),
            reason: d.reason.clone(),
            competitor: d.competitor.clone(),
            closed_at: d.closed_at,
            marketing_touched: d.marketing_touched,
        }
    }
}

/// The week's win/loss item: the deals lost, why, and how many marketing had touched (an
/// engagement event by a contact of the account before the close; a rep's logged touches do
/// not count).
#[derive(SimpleObject)]
pub struct LostDealsView {
    pub lost: u64,
    pub amount: f64,
    pub marketing_touched: u64,
    /// marketingTouched / lost; null without losses.
    pub marketing_touched_share: Option<f64>,
    /// The three most frequent lost reasons ("Unspecified" for none).
    pub top_reasons: Vec<ReasonCountView>,
    /// The 20 largest, largest first.
    pub deals: Vec<LostDealView>,
}

impl From<&LostDeals> for LostDealsView {
    fn from(l: &LostDeals) -> Self {
        Self {
            lost: l.lost,
            amount: l.amount,
            marketing_touched: l.marketing_touched,
            marketing_touched_share: l.marketing_touched_share,
            top_reasons: l.top_reasons.iter().map(Into::into).collect(),
            deals: l.deals.iter().map(Into::into).collect(),
        }
    }
}
