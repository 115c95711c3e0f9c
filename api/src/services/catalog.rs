//! The content catalog's rules that need more than one table.

use entity::{asset, cadence, campaign, messaging_test, play};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::plays::CadenceStep,
    error::{AppError, AppResult},
    store::Tenant,
};

/// Deletes an asset that nothing configured still uses. A cadence step, a play, a campaign or a
/// messaging test naming it makes it CONFLICT (naming the first user), as a sequence tool refuses
/// to delete a template its sequences send; history (events, touches, tasks) keeps the id.
pub async fn delete_asset<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<()> {
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
    let conn = tenant.conn();
    for cadence in tenant.select::<cadence::Entity>().all(conn).await? {
        let steps: Vec<CadenceStep> = serde_json::from_value(cadence.steps).unwrap_or_default();
        if let Some(n) = steps.iter().position(|s| s.asset_id == Some(id)) {
            return Ok(Some(format!(
                "cadence \"{}\" (step {})",
                cadence.name,
                n + 1
            )));
        }
    }
    for play in tenant.select::<play::Entity>().all(conn).await? {
        if names(&play.asset_ids, id) {
            return Ok(Some(format!("play \"{}\"", play.name)));
        }
    }
    for campaign in tenant.select::<campaign::Entity>().all(conn).await? {
        if names(&campaign.asset_ids, id) {
            return Ok(Some(format!("campaign \"{}\"", campaign.name)));
        }
    }
    for test in tenant.select::<messaging_test::Entity>().all(conn).await? {
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
