//! `createAsset`, `updateAsset`, `deleteAsset`: content assets, and the rule that an asset in
//! use is not deleted.

use async_graphql::{InputObject, MaybeUndefined, ID};
use chrono::Utc;
use entity::{asset, AssetKind, FunnelStage};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{plays::CadenceStep, validate},
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{catalog, parse_id, Tenant},
};

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

/// Creates a content asset.
pub async fn create_asset(
    state: &AppState,
    workspace_id: Uuid,
    input: AssetInput,
) -> AppResult<asset::Model> {
    let name = validate::required_text(&input.name, "input.name", 200)?;
    let url = input
        .url
        .map(|u| validate::url(&u, "input.url"))
        .transpose()?;
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let row = asset::Model {
        id: Uuid::now_v7(),
        workspace_id,
        name,
        url,
        kind: input.kind,
        funnel_stage: input.funnel_stage,
        created_at: Utc::now(),
    };
    let created = catalog::insert_asset(&work.tenant(), row).await?;
    work.commit().await?;
    Ok(created)
}

/// Changes an asset's name, address, kind or funnel stage.
pub async fn update_asset(
    state: &AppState,
    workspace_id: Uuid,
    id: &ID,
    input: AssetPatch,
) -> AppResult<asset::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let mut row = tenant.get::<asset::Entity>(parse_id(id, "asset")?).await?;
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
    let updated = catalog::save_asset(&tenant, row).await?;
    work.commit().await?;
    Ok(updated)
}

/// Deletes an asset that nothing configured still uses, in one unit of work (see
/// [`delete_unused_asset`]).
pub async fn delete_asset(state: &AppState, workspace_id: Uuid, id: &ID) -> AppResult<()> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    delete_unused_asset(&work.tenant(), parse_id(id, "asset")?).await?;
    work.commit().await
}

/// Deletes an asset that nothing configured still uses. A cadence step, a play, a campaign or a
/// messaging test naming it makes it CONFLICT (naming the first user), as a sequence tool refuses
/// to delete a template its sequences send; history (events, touches, tasks) keeps the id.
async fn delete_unused_asset<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Uuid,
) -> AppResult<()> {
    let row = tenant.get::<asset::Entity>(id).await?;
    if let Some(user) = first_user_of(tenant, id).await? {
        return Err(AppError::Conflict(format!(
            "asset \"{}\" is used by {user}: remove it there first",
            row.name
        )));
    }
    tenant.delete_asset(id).await
}

async fn first_user_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Uuid,
) -> AppResult<Option<String>> {
    for cadence in catalog::cadences(tenant).await? {
        let steps: Vec<CadenceStep> = serde_json::from_value(cadence.steps).unwrap_or_default();
        if let Some(n) = steps.iter().position(|s| s.asset_id == Some(id)) {
            return Ok(Some(format!(
                "cadence \"{}\" (step {})",
                cadence.name,
                n + 1
            )));
        }
    }
    for play in catalog::plays(tenant).await? {
        if names(&play.asset_ids, id) {
            return Ok(Some(format!("play \"{}\"", play.name)));
        }
    }
    for campaign in catalog::campaigns(tenant).await? {
        if names(&campaign.asset_ids, id) {
            return Ok(Some(format!("campaign \"{}\"", campaign.name)));
        }
    }
    for test in catalog::messaging_tests(tenant).await? {
        let variants = test.variants.as_array().into_iter().flatten();
        if variants
            .filter_map(|v| v.get("assetId"))
            .any(|v| same_id(v, id))
        {
            return Ok(Some(format!("messaging test \"{}\"", test.name)));
        }
    }
    Ok(None)
}

/// Whether a JSON list of ids holds `id`.
fn names(ids: &Value, id: Uuid) -> bool {
    ids.as_array().into_iter().flatten().any(|v| same_id(v, id))
}

fn same_id(value: &Value, id: Uuid) -> bool {
    value
        .as_str()
        .and_then(|s| s.parse::<Uuid>().ok())
        .is_some_and(|v| v == id)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn id_lists_match_by_value() {
        let id = Uuid::now_v7();
        assert!(super::names(&json!([Uuid::nil(), id]), id));
        assert!(super::names(&json!([id.to_string().to_uppercase()]), id));
        assert!(!super::names(&json!([]), id));
        assert!(!super::names(&json!({"id": id}), id));
    }
}
