//! The content catalog's use cases: sources, campaigns, content assets and their spend. Each
//! write is one unit of work; the references an input names are checked inside it.

mod assets;
mod campaigns;
mod sources;
mod spend;

pub use assets::{create_asset, delete_asset, update_asset, AssetInput, AssetPatch};
pub use campaigns::{
    create_campaign, delete_campaign, update_campaign, CampaignInput, CampaignPatch,
};
pub use sources::{create_source, delete_source, update_source, SourceInput, SourcePatch};
pub use spend::{record_spend, SpendInput};

use async_graphql::ID;
use chrono::NaiveDate;
use entity::{asset, source};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    store::{parse_id, Tenant},
};

/// A source the input names: NOT_FOUND at `field` unless it is one of this workspace's.
async fn checked_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    raw: &ID,
    field: &str,
) -> AppResult<Uuid> {
    Ok(tenant.referenced::<source::Entity>(raw, field).await?.id)
}

/// The assets a list names, in its order: NOT_FOUND at `field[index]` for the first id that is
/// malformed or not this workspace's (one query for the whole list).
async fn checked_assets<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    raw: &[ID],
    field: &str,
) -> AppResult<Vec<Uuid>> {
    let missing = |index: usize| AppError::not_found_at("asset", format!("{field}[{index}]"));
    let mut ids = Vec::with_capacity(raw.len());
    for (index, id) in raw.iter().enumerate() {
        ids.push(parse_id(id, "asset").map_err(|_| missing(index))?);
    }
    let found = tenant.get_many::<asset::Entity>(&ids).await?;
    if let Some(index) = ids.iter().position(|id| !found.iter().any(|a| a.id == *id)) {
        return Err(missing(index));
    }
    Ok(ids)
}

/// A campaign does not end before it starts.
fn check_dates(starts: Option<NaiveDate>, ends: Option<NaiveDate>, field: &str) -> AppResult<()> {
    match (starts, ends) {
        (Some(s), Some(e)) if e < s => {
            Err(AppError::bad_input(field, "must not be before startsOn"))
        }
        _ => Ok(()),
    }
}
