//! Sources, campaigns, assets and spend of one workspace.

use std::collections::HashSet;

use entity::{source, spend};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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
