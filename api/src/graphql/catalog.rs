//! Sources, campaigns, content assets and spend: what marketing runs and what it costs.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{asset, campaign, source, spend, AssetKind, FunnelStage, SourceKind};

use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
    pagination::{connection, named_order, Page, PageArgs},
};
use crate::{
    domain::permissions::Permission,
    store::{filters, lists},
};

/// Money spent on a source or campaign in one month.
#[derive(SimpleObject, Clone)]
pub struct Spend {
    pub id: ID,
    /// `YYYY-MM`.
    pub month: String,
    pub amount: f64,
    pub currency: String,
    pub source_id: Option<ID>,
    pub campaign_id: Option<ID>,
    pub recorded_at: DateTime<Utc>,
}

impl From<spend::Model> for Spend {
    fn from(row: spend::Model) -> Self {
        Self {
            id: row.id.into(),
            month: row.month,
            amount: row.amount,
            currency: row.currency,
            source_id: row.source_id.map(Into::into),
            campaign_id: row.campaign_id.map(Into::into),
            recorded_at: row.recorded_at,
        }
    }
}

/// A channel leads come from.
pub struct Source(pub source::Model);

#[Object]
impl Source {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> SourceKind {
        self.0.kind
    }
    /// A paused source's new leads are not routed as MQLs until it is resumed.
    async fn paused(&self) -> bool {
        self.0.paused
    }
    async fn paused_at(&self) -> Option<DateTime<Utc>> {
        self.0.paused_at
    }
    /// MQLs, rejections and the rejection rate per calendar month, the current month last
    /// (what the contract's source rule judges).
    async fn rejection_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 6)] months: i32,
    ) -> Result<Vec<super::lead_actions::SourceMonth>> {
        if !(1..=24).contains(&months) {
            return Err(crate::error::AppError::bad_input("months", "must be 1 to 24").into());
        }
        let tenant = ctx.state().store.tenant(self.0.workspace_id);
        // Boxed: see `loaders::load_one`.
        let rates = Box::pin(crate::services::sources::monthly_rates(
            &tenant,
            self.0.id,
            chrono::Utc::now(),
            months as u32,
        ))
        .await?;
        Ok(rates
            .into_iter()
            .map(super::lead_actions::SourceMonth::from)
            .collect())
    }
    /// Spend by month, newest first.
    async fn spend(&self, ctx: &Context<'_>) -> Result<Vec<Spend>> {
        let rows = load_one(ctx.data_unchecked::<Loaders>().spend_by_source(), self.0.id).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .rev()
            .map(Spend::from)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A marketing campaign with the assets it uses.
pub struct Campaign(pub campaign::Model);

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        let Some(source_id) = self.0.source_id else {
            return Ok(None);
        };
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().sources(), source_id)
                .await?
                .map(Source),
        )
    }
    async fn starts_on(&self) -> Option<NaiveDate> {
        self.0.starts_on
    }
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
    async fn assets(&self, ctx: &Context<'_>) -> Result<Vec<Asset>> {
        let ids: Vec<uuid::Uuid> =
            serde_json::from_value(self.0.asset_ids.clone()).unwrap_or_default();
        let loaded = ctx
            .data_unchecked::<Loaders>()
            .assets()
            .load_many(ids.iter().copied())
            .await
            .map_err(|err| async_graphql::ErrorExtensions::extend(err.as_ref()))?;
        Ok(ids
            .iter()
            .filter_map(|id| loaded.get(id).cloned().map(Asset))
            .collect())
    }
    /// The plays that follow this campaign up, oldest first.
    async fn plays(&self, ctx: &Context<'_>) -> Result<Vec<super::plays::Play>> {
        Ok(load_one(
            ctx.data_unchecked::<Loaders>().plays_by_campaign(),
            self.0.id,
        )
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(super::plays::Play)
        .collect())
    }
    /// Spend by month, newest first.
    async fn spend(&self, ctx: &Context<'_>) -> Result<Vec<Spend>> {
        let rows = load_one(
            ctx.data_unchecked::<Loaders>().spend_by_campaign(),
            self.0.id,
        )
        .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .rev()
            .map(Spend::from)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Content reps and campaigns use.
pub struct Asset(pub asset::Model);

#[Object]
impl Asset {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    async fn kind(&self) -> AssetKind {
        self.0.kind
    }
    async fn funnel_stage(&self) -> FunnelStage {
        self.0.funnel_stage
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

named_order!(SourceOrder, SourceOrderField);
named_order!(CampaignOrder, CampaignOrderField);
named_order!(AssetOrder, AssetOrderField);

#[derive(InputObject, Default)]
pub struct SourceFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    pub kind: Option<Vec<SourceKind>>,
    pub paused: Option<bool>,
}

#[derive(InputObject, Default)]
pub struct CampaignFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    /// Campaigns of this source (another workspace's source is NOT_FOUND here).
    pub source_id: Option<ID>,
}

#[derive(InputObject, Default)]
pub struct AssetFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    pub kind: Option<Vec<AssetKind>>,
    pub funnel_stage: Option<Vec<FunnelStage>>,
}

#[derive(Default)]
pub struct CatalogQuery;

/// One page of a named catalog list, filtered and ordered.
macro_rules! named_list {
    ($ctx:expr, $entity:ident, $node:ident, $spec:expr, $order:expr, $page:expr) => {{
        let state = $ctx.state();
        let (sort, descending) = $order;
        let rows = lists::filtered::<$entity::Entity, _>(
            &$page.0,
            &$spec,
            sort,
            descending,
            $page.1,
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(rows, $node))
    }};
}

#[Object]
impl CatalogQuery {
    /// Lead sources, filtered and ordered (oldest first by default); ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn sources(
        &self,
        ctx: &Context<'_>,
        filter: Option<SourceFilter>,
        order_by: Option<SourceOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Source>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let filter = filter.unwrap_or_default();
        let spec = filters::SourceFilter {
            name_contains: filter.name_contains,
            kind: filter.kind,
            paused: filter.paused,
        };
        let page = (tenant, PageArgs::new(ctx, first, after, last, before));
        named_list!(ctx, source, Source, spec, SourceOrder::sort(order_by), page)
    }

    /// Campaigns, filtered and ordered (oldest first by default); ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        filter: Option<CampaignFilter>,
        order_by: Option<CampaignOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Campaign>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let filter = filter.unwrap_or_default();
        let spec = filters::CampaignFilter {
            name_contains: filter.name_contains,
            source_id: tenant
                .filter_ref::<source::Entity>(&filter.source_id, "filter.sourceId")
                .await?,
        };
        let page = (tenant, PageArgs::new(ctx, first, after, last, before));
        named_list!(
            ctx,
            campaign,
            Campaign,
            spec,
            CampaignOrder::sort(order_by),
            page
        )
    }

    /// Content assets, filtered and ordered (oldest first by default); ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn assets(
        &self,
        ctx: &Context<'_>,
        filter: Option<AssetFilter>,
        order_by: Option<AssetOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Asset>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let filter = filter.unwrap_or_default();
        let spec = filters::AssetFilter {
            name_contains: filter.name_contains,
            kind: filter.kind,
            funnel_stage: filter.funnel_stage,
        };
        let page = (tenant, PageArgs::new(ctx, first, after, last, before));
        named_list!(ctx, asset, Asset, spec, AssetOrder::sort(order_by), page)
    }
}
