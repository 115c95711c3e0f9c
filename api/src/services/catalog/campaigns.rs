//! `createCampaign`, `updateCampaign`, `deleteCampaign`.

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::{NaiveDate, Utc};
use entity::campaign;
use uuid::Uuid;

use super::{check_dates, checked_assets, checked_source};
use crate::{
    domain::validate,
    error::AppResult,
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{catalog, parse_id},
};

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

/// Creates a campaign on a source and assets of the workspace.
pub async fn create_campaign(
    state: &AppState,
    workspace_id: Uuid,
    input: CampaignInput,
) -> AppResult<campaign::Model> {
    let name = validate::required_text(&input.name, "input.name", 200)?;
    check_dates(input.starts_on, input.ends_on, "input.endsOn")?;
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let source_id = match &input.source_id {
        Some(raw) => Some(checked_source(&tenant, raw, "input.sourceId").await?),
        None => None,
    };
    let asset_ids = checked_assets(&tenant, &input.asset_ids, "input.assetIds").await?;
    let row = campaign::Model {
        id: Uuid::now_v7(),
        workspace_id,
        name,
        source_id,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        asset_ids: serde_json::json!(asset_ids),
        created_at: Utc::now(),
    };
    let created = catalog::insert_campaign(&tenant, row).await?;
    work.commit().await?;
    Ok(created)
}

/// Changes a campaign; the dates are checked as they will be after the patch.
pub async fn update_campaign(
    state: &AppState,
    workspace_id: Uuid,
    id: &ID,
    input: CampaignPatch,
) -> AppResult<campaign::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let mut row = tenant
        .get::<campaign::Entity>(parse_id(id, "campaign")?)
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
        row.asset_ids = serde_json::json!(checked_assets(&tenant, assets, "input.assetIds").await?);
    }
    let updated = catalog::save_campaign(&tenant, row).await?;
    work.commit().await?;
    Ok(updated)
}

/// Deletes a campaign; CONFLICT while spend or other records refer to it.
pub async fn delete_campaign(state: &AppState, workspace_id: Uuid, id: &ID) -> AppResult<()> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant
        .get::<campaign::Entity>(parse_id(id, "campaign")?)
        .await?;
    tenant.delete_campaign(row.id).await?;
    work.commit().await
}
