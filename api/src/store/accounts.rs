//! Accounts of one workspace.

use entity::account;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub async fn accounts_by_domains(&self, domains: &[String]) -> AppResult<Vec<account::Model>> {
        if domains.is_empty() {
            return Ok(Vec::new());
        }
        let select = self
            .select::<account::Entity>()
            .filter(account::Column::Domain.is_in(domains.iter().cloned()));
        Ok(super::positional::all(select, self.conn()).await?)
    }

    pub async fn accounts_by_ids(&self, ids: &[Uuid]) -> AppResult<Vec<account::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = self
            .select::<account::Entity>()
            .filter(account::Column::Id.is_in(ids.iter().copied()));
        Ok(super::positional::all(select, self.conn()).await?)
    }

    /// Inserts new accounts in one statement.
    pub async fn insert_accounts(&self, accounts: Vec<account::ActiveModel>) -> AppResult<()> {
        if !accounts.is_empty() {
            account::Entity::insert_many(accounts)
                .exec_without_returning(self.conn())
                .await?;
        }
        Ok(())
    }
}

/// Writes a changed account back (every column).
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: account::Model,
) -> AppResult<account::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(row
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}
