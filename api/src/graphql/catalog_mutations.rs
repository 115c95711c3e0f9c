//! Writing sources, campaigns, assets and spend: each mutation checks `ManageCatalog` and hands
//! the input to its use case in `services::catalog`.

use async_graphql::{Context, Object, Result, ID};

use super::{
    catalog::{Asset, Campaign, Source, Spend},
    context::ContextExt,
};
use crate::{
    domain::permissions::Permission,
    services::catalog::{
        self, AssetInput, AssetPatch, CampaignInput, CampaignPatch, SourceInput, SourcePatch,
        SpendInput,
    },
};

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    async fn create_source(&self, ctx: &Context<'_>, input: SourceInput) -> Result<Source> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Source(
            catalog::create_source(ctx.state(), workspace_id, input).await?,
        ))
    }

    async fn update_source(&self, ctx: &Context<'_>, id: ID, input: SourcePatch) -> Result<Source> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Source(
            catalog::update_source(ctx.state(), workspace_id, &id, input).await?,
        ))
    }

    /// Deletes a source nothing refers to; CONFLICT while leads, campaigns or spend do.
    async fn delete_source(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        catalog::delete_source(ctx.state(), workspace_id, &id).await?;
        Ok(id)
    }

    async fn create_campaign(&self, ctx: &Context<'_>, input: CampaignInput) -> Result<Campaign> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Campaign(
            catalog::create_campaign(ctx.state(), workspace_id, input).await?,
        ))
    }

    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CampaignPatch,
    ) -> Result<Campaign> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Campaign(
            catalog::update_campaign(ctx.state(), workspace_id, &id, input).await?,
        ))
    }

    async fn delete_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        catalog::delete_campaign(ctx.state(), workspace_id, &id).await?;
        Ok(id)
    }

    async fn create_asset(&self, ctx: &Context<'_>, input: AssetInput) -> Result<Asset> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Asset(
            catalog::create_asset(ctx.state(), workspace_id, input).await?,
        ))
    }

    async fn update_asset(&self, ctx: &Context<'_>, id: ID, input: AssetPatch) -> Result<Asset> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Asset(
            catalog::update_asset(ctx.state(), workspace_id, &id, input).await?,
        ))
    }

    /// Deletes an asset. CONFLICT while a cadence step, a play, a campaign or a messaging test
    /// uses it; events and touches that used it keep its id.
    async fn delete_asset(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        catalog::delete_asset(ctx.state(), workspace_id, &id).await?;
        Ok(id)
    }

    /// Records what a source or a campaign cost in a month (replacing an earlier figure).
    async fn record_spend(&self, ctx: &Context<'_>, input: SpendInput) -> Result<Spend> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        Ok(Spend::from(
            catalog::record_spend(ctx.state(), workspace_id, input).await?,
        ))
    }
}
