//! Marketing's return: multi-touch attribution with cost per opportunity and return on spend,
//! and the coverage of the addressable market with seed 003's waterfall counted from the data.
//! The rules are in `domain::metrics::attribution` and `domain::metrics::coverage`.

use async_graphql::{ComplexObject, Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
    metrics::{range_or_last_days, RangeInput},
};
use crate::{
    domain::{
        metrics::{
            AttributionGroup, AttributionModel, CoverageCounts, CoverageGroup, Credit, CreditKey,
            MarketWaterfall,
        },
        permissions::Permission,
    },
    services::metrics::{attribution_of, market_coverage_of},
};

/// Attribution reads the last 90 days when no range is asked for.
const DEFAULT_ATTRIBUTION_DAYS: i64 = 90;

/// How a deal's credit is shared among the touchpoints before it.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(name = "AttributionModel")]
pub enum AttributionModelView {
    /// All to the first touchpoint.
    FirstTouch,
    /// All to the last touchpoint before the deal was created.
    LastTouch,
    /// Evenly over every touchpoint.
    Linear,
    /// 30% first touch, 30% MQL touch, 30% opportunity-creation touch, 10% spread over the
    /// others (coinciding positions add up; see the README).
    #[default]
    #[graphql(name = "W_SHAPED")]
    WShaped,
}

impl From<AttributionModelView> for AttributionModel {
    fn from(m: AttributionModelView) -> Self {
        match m {
            AttributionModelView::FirstTouch => AttributionModel::FirstTouch,
            AttributionModelView::LastTouch => AttributionModel::LastTouch,
            AttributionModelView::Linear => AttributionModel::Linear,
            AttributionModelView::WShaped => AttributionModel::WShaped,
        }
    }
}

/// What attribution credit is grouped by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(name = "AttributionGroup")]
pub enum AttributionGroupView {
    /// The event's campaign.
    #[default]
    Campaign,
    /// The event's source, else its campaign's.
    Source,
    /// The kind of that source (PAID_SEARCH, WEBINAR, ...).
    Channel,
}

impl From<AttributionGroupView> for AttributionGroup {
    fn from(g: AttributionGroupView) -> Self {
        match g {
            AttributionGroupView::Campaign => AttributionGroup::Campaign,
            AttributionGroupView::Source => AttributionGroup::Source,
            AttributionGroupView::Channel => AttributionGroup::Channel,
        }
    }
}

/// What a group (or the whole range) earned and cost. Deal counts are fractional: each deal
/// counts by the share of it the group earned.
#[derive(SimpleObject)]
#[graphql(name = "AttributionCredit")]
pub struct AttributionCreditView {
    /// Deals created in the range, by credited share.
    pub opportunities: f64,
    /// Credited amounts of the deals created in the range.
    pub pipeline: f64,
    /// Deals won in the range, by credited share.
    pub won: f64,
    /// Credited amounts of the deals won in the range.
    pub revenue: f64,
    /// Spend in the range (`recordSpend`; each month spread evenly over its seconds).
    pub spend: f64,
    /// spend / opportunities; null without opportunities.
    pub cost_per_opportunity: Option<f64>,
    /// revenue / spend; null without spend.
    pub return_on_spend: Option<f64>,
}

impl From<&Credit> for AttributionCreditView {
    fn from(c: &Credit) -> Self {
        Self {
            opportunities: c.opportunities,
            pipeline: c.pipeline,
            won: c.won,
            revenue: c.revenue,
            spend: c.spend,
            cost_per_opportunity: c.cost_per_opportunity,
            return_on_spend: c.return_on_spend,
        }
    }
}

/// One group of an attribution report.
#[derive(SimpleObject)]
#[graphql(complex, name = "AttributionRow")]
pub struct AttributionRowView {
    /// The campaign or source id, or the channel; null for Sales touches and Unattributed.
    pub key: Option<String>,
    /// The credit of the touches reps logged (they carry no campaign or source).
    pub sales_touches: bool,
    pub credit: AttributionCreditView,
    #[graphql(skip)]
    group: AttributionGroup,
    #[graphql(skip)]
    id: Option<Uuid>,
}

#[ComplexObject]
impl AttributionRowView {
    /// The campaign's or source's name, the channel, "Sales touches" or "Unattributed".
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        if self.sales_touches {
            return Ok("Sales touches".into());
        }
        let Some(id) = self.id else {
            return Ok(self.key.clone().unwrap_or_else(|| "Unattributed".into()));
        };
        let loaders = ctx.data_unchecked::<Loaders>();
        let name = match self.group {
            AttributionGroup::Campaign => load_one(loaders.campaigns(), id).await?.map(|c| c.name),
            _ => load_one(loaders.sources(), id).await?.map(|s| s.name),
        };
        Ok(name.unwrap_or_else(|| id.to_string()))
    }
}

/// Pipeline and revenue credited to campaigns, sources or channels, with what they cost.
#[derive(SimpleObject)]
#[graphql(name = "AttributionReport")]
pub struct AttributionReportView {
    pub model: AttributionModelView,
    pub group_by: AttributionGroupView,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every deal of the range and all its spend (the groups add up to it).
    pub total: AttributionCreditView,
    /// Unattributed first, then Sales touches, then by key.
    pub groups: Vec<AttributionRowView>,
}

/// What the market coverage is split by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(name = "CoverageGroup")]
pub enum CoverageGroupView {
    /// The account's segment.
    #[default]
    Segment,
    /// NORTH_AMERICA, LATAM, EMEA or APAC from the account's country (see the README).
    Region,
    /// The account's industry.
    Industry,
}

impl From<CoverageGroupView> for CoverageGroup {
    fn from(g: CoverageGroupView) -> Self {
        match g {
            CoverageGroupView::Segment => CoverageGroup::Segment,
            CoverageGroupView::Region => CoverageGroup::Region,
            CoverageGroupView::Industry => CoverageGroup::Industry,
        }
    }
}

/// Accounts of a group. ICP-fit: fit above 0 and at least the contract's `minFit`.
#[derive(SimpleObject)]
#[graphql(name = "CoverageCounts")]
pub struct CoverageCountsView {
    /// Every account known.
    pub accounts: u64,
    /// The ICP-fit accounts: the addressable market Accord knows.
    pub icp_fit: u64,
    /// ICP-fit accounts with a contact's event in the last 90 days.
    pub engaged: u64,
    /// ICP-fit accounts with an owner.
    pub owned: u64,
    /// ICP-fit accounts with an open deal.
    pub in_pipeline: u64,
    /// ICP-fit accounts whose lifecycle is CUSTOMER.
    pub customers: u64,
}

impl From<&CoverageCounts> for CoverageCountsView {
    fn from(c: &CoverageCounts) -> Self {
        Self {
            accounts: c.accounts,
            icp_fit: c.icp_fit,
            engaged: c.engaged,
            owned: c.owned,
            in_pipeline: c.in_pipeline,
            customers: c.customers,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "MarketCoverageGroup")]
pub struct MarketCoverageGroupView {
    /// The segment, region or industry; null for the accounts without one.
    pub key: Option<String>,
    /// The key, or "Unattributed".
    pub name: String,
    pub counts: CoverageCountsView,
}

/// Seed 003's waterfall counted from the data, as of now; lay it beside `demandWaterfall`'s
/// plan (the same `mqls`, `sals`, `sqls`, `customers`). Each step is a subset of the one above.
#[derive(SimpleObject)]
#[graphql(name = "MarketWaterfall")]
pub struct MarketWaterfallView {
    /// ICP-fit accounts.
    pub addressable_market: u64,
    /// ICP-fit contacts at those accounts.
    pub suspects: u64,
    /// Suspects with at least one event.
    pub inquiries: u64,
    /// Inquiries whose stage history reached MQL or further.
    pub mqls: u64,
    /// ... reached SAL or further.
    pub sals: u64,
    /// ... reached SQL or further.
    pub sqls: u64,
    /// Addressable accounts that are customers.
    pub customers: u64,
}

impl From<&MarketWaterfall> for MarketWaterfallView {
    fn from(w: &MarketWaterfall) -> Self {
        Self {
            addressable_market: w.addressable_market,
            suspects: w.suspects,
            inquiries: w.inquiries,
            mqls: w.mqls,
            sals: w.sals,
            sqls: w.sqls,
            customers: w.customers,
        }
    }
}

/// How much of the ICP-fit market Accord knows and works, per group.
#[derive(SimpleObject)]
#[graphql(name = "MarketCoverage")]
pub struct MarketCoverageView {
    pub group_by: CoverageGroupView,
    /// The active contract's minimum fit (fit must also be above 0).
    pub min_fit: i32,
    /// Events from here on make an account engaged (90 days before now).
    pub engaged_since: DateTime<Utc>,
    pub total: CoverageCountsView,
    /// The accounts without a value first, then by key.
    pub groups: Vec<MarketCoverageGroupView>,
    pub waterfall: MarketWaterfallView,
}

#[derive(Default)]
pub struct AttributionQuery;

#[Object]
impl AttributionQuery {
    /// Pipeline (deals created in `range`) and revenue (deals won in it) credited to
    /// campaigns, sources or channels by `model` over each deal's touchpoints (its lead's
    /// events and rep touches up to the deal's creation), with the spend of the range, cost
    /// per opportunity and return on spend. `range` defaults to the last 90 days.
    #[graphql(complexity = "crate::graphql::cost::ATTRIBUTION + child_complexity")]
    async fn attribution(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] model: AttributionModelView,
        range: Option<RangeInput>,
        #[graphql(default)] group_by: AttributionGroupView,
    ) -> Result<AttributionReportView> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let range = range_or_last_days(range, state.clock.now(), DEFAULT_ATTRIBUTION_DAYS);
        let group = AttributionGroup::from(group_by);
        let report = attribution_of(&tenant, range, model.into(), group).await?;
        Ok(AttributionReportView {
            model,
            group_by,
            from: range.from,
            to: range.to,
            total: (&report.total).into(),
            groups: report
                .groups
                .iter()
                .map(|(key, credit)| {
                    let (key, id, sales_touches) = match key {
                        CreditKey::Unattributed => (None, None, false),
                        CreditKey::SalesTouch => (None, None, true),
                        CreditKey::Id(id) => (Some(id.to_string()), Some(*id), false),
                        CreditKey::Channel(kind) => (Some(kind.clone()), None, false),
                    };
                    AttributionRowView {
                        key,
                        sales_touches,
                        credit: credit.into(),
                        group,
                        id,
                    }
                })
                .collect(),
        })
    }

    /// The addressable market per segment, region or industry: ICP-fit accounts known,
    /// engaged in the last 90 days, owned, in pipeline and customers, and seed 003's waterfall
    /// (addressable market -> suspects -> inquiries -> MQLs -> SALs -> SQLs -> customers)
    /// counted from the data, as of now.
    #[graphql(complexity = "crate::graphql::cost::MARKET_COVERAGE + child_complexity")]
    async fn market_coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] group_by: CoverageGroupView,
    ) -> Result<MarketCoverageView> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let market = market_coverage_of(&tenant, group_by.into(), state.clock.now()).await?;
        Ok(MarketCoverageView {
            group_by,
            min_fit: market.min_fit,
            engaged_since: market.engaged_since,
            total: (&market.coverage.total).into(),
            groups: market
                .coverage
                .groups
                .iter()
                .map(|row| MarketCoverageGroupView {
                    key: row.key.clone(),
                    name: row.key.clone().unwrap_or_else(|| "Unattributed".into()),
                    counts: (&row.counts).into(),
                })
                .collect(),
            waterfall: (&market.waterfall).into(),
        })
    }
}
