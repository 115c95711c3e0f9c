//! Opportunities of one workspace.

use entity::opportunity;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::Tenant;
use crate::error::AppResult;

impl<C: ConnectionTrait> Tenant<'_, C> {
    /// The deals with these partner ids.
    pub async fn opportunities_by_external_ids(
        &self,
        ids: &[String],
    ) -> AppResult<Vec<opportunity::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .select::<opportunity::Entity>()
            .filter(opportunity::Column::ExternalId.is_in(ids.iter().cloned()))
            .all(self.conn())
            .await?)
    }

    /// Inserts new deals in one statement.
    pub async fn insert_opportunities(
        &self,
        deals: Vec<opportunity::ActiveModel>,
    ) -> AppResult<()> {
        if !deals.is_empty() {
            opportunity::Entity::insert_many(deals)
                .exec_without_returning(self.conn())
                .await?;
        }
        Ok(())
    }
}
