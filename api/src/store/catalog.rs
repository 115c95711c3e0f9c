//! Sources, campaigns, assets and spend of one workspace.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{
    asset, cadence, campaign, messaging_test, play, rejection, source, spend, stage_change,
    LeadStage,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub async fn source_ids(&self) -> AppResult<HashSet<Uuid>> {
        let ids: Vec<Uuid> = self
            .select::<source::Entity>()
            .select_only()
            .column(source::Column::Id)
            .into_tuple()
            .all(self.conn())
            .await?;
        Ok(ids.into_iter().collect())
    }

    /// Every source of the workspace: its name by id.
    pub async fn source_names(&self) -> AppResult<std::collections::HashMap<Uuid, String>> {
        let rows: Vec<(Uuid, String)> = self
            .select::<source::Entity>()
            .select_only()
            .column(source::Column::Id)
            .column(source::Column::Name)
            .into_tuple()
            .all(self.conn())
            .await?;
        Ok(rows.into_iter().collect())
    }

    pub async fn source_by_name(&self, name: &str) -> AppResult<Option<source::Model>> {
        Ok(self
            .select::<source::Entity>()
            .filter(source::Column::Name.eq(name))
            .one(self.conn())
            .await?)
    }

    /// Spend rows of sources or campaigns, newest month first.
    pub async fn spend_of(
        &self,
        source_ids: &[Uuid],
        campaign_ids: &[Uuid],
    ) -> AppResult<Vec<spend::Model>> {
        let mut query = self.select::<spend::Entity>();
        if !source_ids.is_empty() {
            query = query.filter(spend::Column::SourceId.is_in(source_ids.iter().copied()));
        }
        if !campaign_ids.is_empty() {
            query = query.filter(spend::Column::CampaignId.is_in(campaign_ids.iter().copied()));
        }
        Ok(query
            .order_by_desc(spend::Column::Month)
            .all(self.conn())
            .await?)
    }
}

/// Writes that may collide with a unique key answer CONFLICT instead of INTERNAL.
pub(crate) fn conflict_on_unique(err: sea_orm::DbErr, message: &str) -> crate::error::AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            crate::error::AppError::Conflict(message.to_owned())
        }
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
            crate::error::AppError::Conflict("other records still refer to this one".to_owned())
        }
        _ => err.into(),
    }
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    /// The spend row of one source or campaign in one month, if recorded.
    pub async fn spend_row(
        &self,
        source_id: Option<Uuid>,
        campaign_id: Option<Uuid>,
        month: &str,
    ) -> AppResult<Option<spend::Model>> {
        let query = self
            .select::<spend::Entity>()
            .filter(spend::Column::Month.eq(month))
            .filter(match source_id {
                Some(id) => spend::Column::SourceId.eq(id),
                None => spend::Column::SourceId.is_null(),
            })
            .filter(match campaign_id {
                Some(id) => spend::Column::CampaignId.eq(id),
                None => spend::Column::CampaignId.is_null(),
            });
        Ok(query.one(self.conn()).await?)
    }
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    /// Deletes a source; CONFLICT while leads, campaigns, spend or opportunities refer to it.
    pub async fn delete_source_if_unused(&self, id: Uuid) -> AppResult<()> {
        source::Entity::delete_many()
            .filter(source::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(source::Column::Id.eq(id))
            .exec(self.conn())
            .await
            .map_err(|err| conflict_on_unique(err, "this source is in use"))?;
        Ok(())
    }

    pub async fn delete_campaign(&self, id: Uuid) -> AppResult<()> {
        entity::campaign::Entity::delete_many()
            .filter(entity::campaign::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(entity::campaign::Column::Id.eq(id))
            .exec(self.conn())
            .await
            .map_err(|err| conflict_on_unique(err, "this campaign is in use"))?;
        Ok(())
    }

    pub async fn delete_asset(&self, id: Uuid) -> AppResult<()> {
        entity::asset::Entity::delete_many()
            .filter(entity::asset::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(entity::asset::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        Ok(())
    }
}

/// Inserts a new source; CONFLICT when the workspace already has one of that name.
pub async fn insert_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: source::Model,
) -> AppResult<source::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    source::Entity::insert(row.into_active_model())
        .exec_with_returning(tenant.conn())
        .await
        .map_err(|err| conflict_on_unique(err, "a source with this name exists"))
}

/// Writes a changed source back; CONFLICT when its new name is taken.
pub async fn save_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: source::Model,
) -> AppResult<source::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    row.into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await
        .map_err(|err| conflict_on_unique(err, "a source with this name exists"))
}

/// Every source of the workspace.
pub async fn sources<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<source::Model>> {
    Ok(tenant.select::<source::Entity>().all(tenant.conn()).await?)
}

/// Inserts new sources in one statement.
pub async fn insert_sources<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<source::Model>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    source::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Marks a source paused at `at` (the contract's source rule).
pub async fn pause_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: source::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let mut active = row.into_active_model();
    active.paused = Set(true);
    active.paused_at = Set(Some(at));
    active.update(tenant.conn()).await?;
    Ok(())
}

/// The MQLs a source brought in `[start, end)`, from the stage history.
pub async fn mqls_of_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(tenant
        .select::<stage_change::Entity>()
        .filter(stage_change::Column::SourceId.eq(source_id))
        .filter(stage_change::Column::ToStage.eq(LeadStage::Mql))
        .filter(stage_change::Column::ChangedAt.gte(start))
        .filter(stage_change::Column::ChangedAt.lt(end))
        .count(tenant.conn())
        .await?)
}

/// The rejections of a source's leads in `[start, end)` (not those a dispute overturned).
pub async fn rejections_of_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(tenant
        .select::<rejection::Entity>()
        .filter(super::rejections::counted())
        .filter(rejection::Column::SourceId.eq(source_id))
        .filter(rejection::Column::RejectedAt.gte(start))
        .filter(rejection::Column::RejectedAt.lt(end))
        .count(tenant.conn())
        .await?)
}

/// Inserts a new campaign.
pub async fn insert_campaign<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: campaign::Model,
) -> AppResult<campaign::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(campaign::Entity::insert(row.into_active_model())
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes a changed campaign back.
pub async fn save_campaign<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: campaign::Model,
) -> AppResult<campaign::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(row
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}

/// Inserts a new content asset.
pub async fn insert_asset<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: asset::Model,
) -> AppResult<asset::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(asset::Entity::insert(row.into_active_model())
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes a changed asset back.
pub async fn save_asset<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: asset::Model,
) -> AppResult<asset::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(row
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}

/// Inserts a month's spend.
pub async fn insert_spend<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: spend::Model,
) -> AppResult<spend::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(spend::Entity::insert(row.into_active_model())
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes a changed spend row back.
pub async fn save_spend<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: spend::Model,
) -> AppResult<spend::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(row
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}

/// Every cadence of the workspace (an asset's users are looked for in their steps).
pub async fn cadences<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<cadence::Model>> {
    Ok(tenant
        .select::<cadence::Entity>()
        .all(tenant.conn())
        .await?)
}

/// Every play of the workspace.
pub async fn plays<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<play::Model>> {
    Ok(tenant.select::<play::Entity>().all(tenant.conn()).await?)
}

/// Every campaign of the workspace.
pub async fn campaigns<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<campaign::Model>> {
    Ok(tenant
        .select::<campaign::Entity>()
        .all(tenant.conn())
        .await?)
}

/// Every messaging test of the workspace.
pub async fn messaging_tests<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<messaging_test::Model>> {
    Ok(tenant
        .select::<messaging_test::Entity>()
        .all(tenant.conn())
        .await?)
}
