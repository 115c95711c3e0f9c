//! Content that works: `assetPerformance`, per asset what cadences, plays and buyers did with it
//! and what followed, and the content gap audit (the rules and definitions:
//! `domain::metrics::assets`).

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::FunnelStage;

use super::{
    catalog::Asset,
    context::ContextExt,
    loaders::{load_one, Loaders},
    metrics::{range_or_last_days, RangeInput},
};
use crate::{
    domain::{
        metrics::assets::{AssetPerformance, ContentGap},
        permissions::Permission,
    },
    services::metrics::asset_performance_of,
};

/// Asset performance reads the last 90 days when no range is asked for.
const DEFAULT_ASSET_DAYS: i64 = 90;

/// One asset over the range.
pub struct AssetPerformanceRow(AssetPerformance);

#[Object]
impl AssetPerformanceRow {
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>> {
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().assets(), self.0.asset_id)
                .await?
                .map(Asset),
        )
    }
    async fn asset_id(&self) -> ID {
        self.0.asset_id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn funnel_stage(&self) -> FunnelStage {
        self.0.funnel_stage
    }
    /// Cadence tasks carrying the asset (a play's cadence step put to one lead) due in the
    /// range, cancelled ones left out.
    async fn cadence_uses(&self) -> u64 {
        self.0.counts.cadence_uses
    }
    /// Touches logged with the asset in the range as part of a play.
    async fn play_uses(&self) -> u64 {
        self.0.counts.play_uses
    }
    /// Every touch logged with the asset in the range (a rep sent or showed it).
    async fn touches(&self) -> u64 {
        self.0.counts.touches
    }
    /// Events carrying the asset in the range (a buyer downloaded, watched, opened it).
    async fn engagements(&self) -> u64 {
        self.0.counts.engagements
    }
    /// Leads the asset reached in the range (a touch or an event carrying it).
    async fn leads_reached(&self) -> u64 {
        self.0.counts.leads_reached
    }
    /// Touches with the asset in the range whose outcome is REPLIED.
    async fn replies(&self) -> u64 {
        self.0.counts.replies
    }
    /// Touches with the asset in the range whose outcome is MEETING_BOOKED.
    async fn meetings(&self) -> u64 {
        self.0.counts.meetings
    }
    /// Stage changes in the range of the leads it reached, after it reached them, that move
    /// further down the funnel's path (LEAD, MQL, SAL, SQL, OPPORTUNITY, CUSTOMER).
    async fn stage_advances(&self) -> u64 {
        self.0.counts.stage_advances
    }
    /// Deals won in the range at an account where a contact was touched by, or engaged with,
    /// the asset before the close.
    async fn won_deals(&self) -> u64 {
        self.0.counts.won_deals
    }
    /// Their amount.
    async fn won_amount(&self) -> f64 {
        self.0.counts.won_amount
    }
    /// At least one reply, meeting, stage advance or won deal in the range.
    async fn performs(&self) -> bool {
        self.0.counts.performs()
    }
}

/// A funnel stage where no asset performs: the content gap audit's finding.
#[derive(SimpleObject)]
pub struct ContentGapView {
    pub funnel_stage: FunnelStage,
    /// The assets the catalog has for the stage (0: none at all).
    pub assets: u64,
    /// Of those, the ones used in the range (by a cadence, a touch or a buyer's event) without
    /// a result.
    pub used: u64,
}

impl From<&ContentGap> for ContentGapView {
    fn from(g: &ContentGap) -> Self {
        ContentGapView {
            funnel_stage: g.stage,
            assets: g.assets,
            used: g.used,
        }
    }
}

/// Content that works over a range.
#[derive(SimpleObject)]
pub struct AssetPerformanceReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The stage asked for; null for all.
    pub funnel_stage: Option<FunnelStage>,
    /// Every asset of the catalog (of that stage), those with more won deals, stage advances,
    /// meetings and replies first, then by name.
    pub assets: Vec<AssetPerformanceRow>,
    /// The funnel stages (that one, or all four in the buyer's order) where no asset performs.
    pub content_gaps: Vec<ContentGapView>,
}

#[derive(Default)]
pub struct ContentQuery;

#[Object]
impl ContentQuery {
    /// Content that works: per asset of the catalog (of `funnelStage` when named), over `range`
    /// (the last 90 days by default), how often cadences and plays used it, what buyers did
    /// with it, the replies, meetings, stage advances and won deals it touched; and the funnel
    /// stages where no asset performs (seed 002's content by buyer journey stage, audited).
    /// The definitions are on each field and in the README.
    #[graphql(complexity = "crate::graphql::cost::ASSET_PERFORMANCE + child_complexity")]
    async fn asset_performance(
        &self,
        ctx: &Context<'_>,
        range: Option<RangeInput>,
        funnel_stage: Option<FunnelStage>,
    ) -> Result<AssetPerformanceReport> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let range = range_or_last_days(range, state.clock.now(), DEFAULT_ASSET_DAYS);
        let report = asset_performance_of(&tenant, range, funnel_stage).await?;
        Ok(AssetPerformanceReport {
            from: range.from,
            to: range.to,
            funnel_stage,
            content_gaps: report.gaps.iter().map(Into::into).collect(),
            assets: report.assets.into_iter().map(AssetPerformanceRow).collect(),
        })
    }
}
