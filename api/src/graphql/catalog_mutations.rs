//! Writing sources, campaigns, assets and spend.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use chrono::{NaiveDate, Utc};
use entity::{asset, campaign, source, spend, AssetKind, FunnelStage, SourceKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use super::{
    catalog::{Asset, Campaign, Source, Spend},
    context::ContextExt,
};
use crate::{
    domain::{permissions::Permission, validate},
    error::AppError,
    store::{catalog::conflict_on_unique, parse_id, Tenant},
};

#[derive(InputObject)]
pub struct SourceInput {
    pub name: String,
    pub kind: SourceKind,
}

#[derive(InputObject)]
pub struct SourcePatch {
    pub name: Option<String>,
    pub kind: Option<SourceKind>,
}

#[derive(InputObject)]
pub struct CampaignInput {
    pub name: String,
    pub source_id: Option<ID>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    #[graphql(default)]
    pub asset_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct CampaignPatch {
    pub name: Option<String>,
    pub source_id: MaybeUndefined<ID>,
    pub starts_on: MaybeUndefined<NaiveDate>,
    pub ends_on: MaybeUndefined<NaiveDate>,
    pub asset_ids: Option<Vec<ID>>,
}

#[derive(InputObject)]
pub struct AssetInput {
    pub name: String,
    pub url: Option<String>,
    pub kind: AssetKind,
    pub funnel_stage: FunnelStage,
}

#[derive(InputObject)]
pub struct AssetPatch {
    pub name: Option<String>,
    pub url: MaybeUndefined<String>,
    pub kind: Option<AssetKind>,
    pub funnel_stage: Option<FunnelStage>,
}

/// Spend of one source or one campaign in one month; recording again replaces the amount.
#[derive(InputObject)]
pub struct SpendInput {
    pub source_id: Option<ID>,
    pub campaign_id: Option<ID>,
    /// `YYYY-MM`.
    pub month: String,
    pub amount: f64,
    /// ISO 4217; defaults to USD.
    pub currency: Option<String>,
}

async fn checked_source<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    raw: &ID,
    field: &str,
) -> Result<Uuid, AppError> {
    Ok(tenant.referenced::<source::Entity>(raw, field).await?.id)
}

async fn checked_assets<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    raw: &[ID],
    field: &str,
) -> Result<Vec<Uuid>, AppError> {
    let mut ids = Vec::with_capacity(raw.len());
    for (index, id) in raw.iter().enumerate() {
        let bad = || AppError::not_found_at("asset", format!("{field}[{index}]"));
        ids.push(Uuid::parse_str(id.as_str()).map_err(|_| bad())?);
    }
    let found = tenant.get_many::<asset::Entity>(&ids).await?;
    if let Some(index) = ids.iter().position(|id| !found.iter().any(|a| a.id == *id)) {
        return Err(AppError::not_found_at("asset", format!("{field}[{index}]")));
    }
    Ok(ids)
}

fn check_dates(
    starts: Option<NaiveDate>,
    ends: Option<NaiveDate>,
    field: &str,
) -> Result<(), AppError> {
    match (starts, ends) {
        (Some(s), Some(e)) if e < s => {
            Err(AppError::bad_input(field, "must not be before startsOn"))
        }
        _ => Ok(()),
    }
}

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    async fn create_source(&self, ctx: &Context<'_>, input: SourceInput) -> Result<Source> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let name = validate::required_text(&input.name, "input.name", 120)?;
        let row = source::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            name: Set(name),
            kind: Set(input.kind),
            paused: Set(false),
            paused_at: Set(None),
            created_at: Set(Utc::now()),
        };
        let created = source::Entity::insert(row)
            .exec_with_returning(ctx.state().store.db())
            .await
            .map_err(|err| conflict_on_unique(err, "a source with this name exists"))?;
        Ok(Source(created))
    }

    async fn update_source(&self, ctx: &Context<'_>, id: ID, input: SourcePatch) -> Result<Source> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let mut row = tenant
            .get::<source::Entity>(parse_id(&id, "source")?)
            .await?;
        if let Some(name) = input.name {
            row.name = validate::required_text(&name, "input.name", 120)?;
        }
        if let Some(kind) = input.kind {
            row.kind = kind;
        }
        let updated = row
            .into_active_model()
            .reset_all()
            .update(tenant.conn())
            .await
            .map_err(|err| conflict_on_unique(err, "a source with this name exists"))?;
        Ok(Source(updated))
    }

    /// Deletes a source nothing refers to; CONFLICT while leads, campaigns or spend do.
    async fn delete_source(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let row = tenant
            .get::<source::Entity>(parse_id(&id, "source")?)
            .await?;
        tenant.delete_source_if_unused(row.id).await?;
        Ok(id)
    }

    async fn create_campaign(&self, ctx: &Context<'_>, input: CampaignInput) -> Result<Campaign> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let name = validate::required_text(&input.name, "input.name", 200)?;
        check_dates(input.starts_on, input.ends_on, "input.endsOn")?;
        let source_id = match &input.source_id {
            Some(raw) => Some(checked_source(&tenant, raw, "input.sourceId").await?),
            None => None,
        };
        let asset_ids = checked_assets(&tenant, &input.asset_ids, "input.assetIds").await?;
        let created = campaign::Entity::insert(campaign::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            name: Set(name),
            source_id: Set(source_id),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            asset_ids: Set(serde_json::json!(asset_ids)),
            created_at: Set(Utc::now()),
        })
        .exec_with_returning(tenant.conn())
        .await
        .map_err(AppError::from)?;
        Ok(Campaign(created))
    }

    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CampaignPatch,
    ) -> Result<Campaign> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let mut row = tenant
            .get::<campaign::Entity>(parse_id(&id, "campaign")?)
            .await?;
        if let Some(name) = input.name {
            row.name = validate::required_text(&name, "input.name", 200)?;
        }
        match &input.source_id {
            MaybeUndefined::Value(raw) => {
                row.source_id = Some(checked_source(&tenant, raw, "input.sourceId").await?)
            }
            MaybeUndefined::Null => row.source_id = None,
            MaybeUndefined::Undefined => {}
        }
        input.starts_on.update_to(&mut row.starts_on);
        input.ends_on.update_to(&mut row.ends_on);
        check_dates(row.starts_on, row.ends_on, "input.endsOn")?;
        if let Some(assets) = &input.asset_ids {
            row.asset_ids =
                serde_json::json!(checked_assets(&tenant, assets, "input.assetIds").await?);
        }
        let updated = row
            .into_active_model()
            .reset_all()
            .update(tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(Campaign(updated))
    }

    async fn delete_campaign(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let row = tenant
            .get::<campaign::Entity>(parse_id(&id, "campaign")?)
            .await?;
        tenant.delete_campaign(row.id).await?;
        Ok(id)
    }

    async fn create_asset(&self, ctx: &Context<'_>, input: AssetInput) -> Result<Asset> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let name = validate::required_text(&input.name, "input.name", 200)?;
        let url = input
            .url
            .map(|u| validate::url(&u, "input.url"))
            .transpose()?;
        let created = asset::Entity::insert(asset::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            name: Set(name),
            url: Set(url),
            kind: Set(input.kind),
            funnel_stage: Set(input.funnel_stage),
            created_at: Set(Utc::now()),
        })
        .exec_with_returning(ctx.state().store.db())
        .await
        .map_err(AppError::from)?;
        Ok(Asset(created))
    }

    async fn update_asset(&self, ctx: &Context<'_>, id: ID, input: AssetPatch) -> Result<Asset> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let mut row = tenant.get::<asset::Entity>(parse_id(&id, "asset")?).await?;
        if let Some(name) = input.name {
            row.name = validate::required_text(&name, "input.name", 200)?;
        }
        input
            .url
            .map_value(|u| validate::url(&u, "input.url"))
            .transpose()?
            .update_to(&mut row.url);
        if let Some(kind) = input.kind {
            row.kind = kind;
        }
        if let Some(stage) = input.funnel_stage {
            row.funnel_stage = stage;
        }
        let updated = row
            .into_active_model()
            .reset_all()
            .update(tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(Asset(updated))
    }

    /// Deletes an asset. CONFLICT while a cadence step, a play, a campaign or a messaging test
    /// uses it; events and touches that used it keep its id.
    async fn delete_asset(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let txn = ctx.state().store.begin_write().await?;
        let tenant = Tenant::new(&txn, workspace_id);
        crate::services::catalog::delete_asset(&tenant, parse_id(&id, "asset")?).await?;
        txn.commit().await.map_err(AppError::from)?;
        Ok(id)
    }

    /// Records what a source or a campaign cost in a month (replacing an earlier figure).
    async fn record_spend(&self, ctx: &Context<'_>, input: SpendInput) -> Result<Spend> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let month = validate::month(&input.month, "input.month")?;
        let amount = validate::non_negative_amount(input.amount, "input.amount")?;
        let currency =
            validate::currency(input.currency.as_deref().unwrap_or("USD"), "input.currency")?;
        let txn = ctx.state().store.begin_write().await?;
        let tenant = Tenant::new(&txn, workspace_id);
        let source_id = match &input.source_id {
            Some(raw) => Some(checked_source(&tenant, raw, "input.sourceId").await?),
            None => None,
        };
        let campaign_id = match &input.campaign_id {
            Some(raw) => Some(
                tenant
                    .referenced::<campaign::Entity>(raw, "input.campaignId")
                    .await?
                    .id,
            ),
            None => None,
        };
        if source_id.is_some() == campaign_id.is_some() {
            return Err(AppError::bad_input(
                "input.sourceId",
                "name either a source or a campaign",
            )
            .into());
        }
        let row = match tenant.spend_row(source_id, campaign_id, &month).await? {
            Some(mut row) => {
                row.amount = amount;
                row.currency = currency;
                row.recorded_at = Utc::now();
                row.into_active_model()
                    .reset_all()
                    .update(&txn)
                    .await
                    .map_err(AppError::from)?
            }
            None => spend::Entity::insert(spend::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(workspace_id),
                source_id: Set(source_id),
                campaign_id: Set(campaign_id),
                month: Set(month),
                amount: Set(amount),
                currency: Set(currency),
                recorded_at: Set(Utc::now()),
            })
            .exec_with_returning(&txn)
            .await
            .map_err(AppError::from)?,
        };
        txn.commit().await.map_err(AppError::from)?;
        Ok(Spend::from(row))
    }
}
