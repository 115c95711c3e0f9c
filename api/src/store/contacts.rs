//! Contacts (leads) of one workspace.

use entity::contact;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Contacts whose external id or email is among these (the natural keys a batch names).
pub(super) fn key_condition(external_ids: &[String], emails: &[String]) -> Condition {
    let mut keys = Condition::any();
    if !external_ids.is_empty() {
        keys = keys.add(contact::Column::ExternalId.is_in(external_ids.iter().cloned()));
    }
    if !emails.is_empty() {
        keys = keys.add(contact::Column::Email.is_in(emails.iter().cloned()));
    }
    keys
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    /// Contacts matching any of the natural keys: external ids or emails.
    pub async fn contacts_by_keys(
        &self,
        external_ids: &[String],
        emails: &[String],
    ) -> AppResult<Vec<contact::Model>> {
        if external_ids.is_empty() && emails.is_empty() {
            return Ok(Vec::new());
        }
        let keys = key_condition(external_ids, emails);
        let select = self.select::<contact::Entity>().filter(keys);
        Ok(super::positional::all(select, self.conn()).await?)
    }

    /// [`Self::contacts_by_keys`], each row locked until the transaction ends, in id order (two
    /// batches locking overlapping contacts cannot deadlock). Postgres only.
    pub async fn lock_contacts_by_keys(
        &self,
        external_ids: &[String],
        emails: &[String],
    ) -> AppResult<Vec<contact::Model>> {
        use sea_orm::{QueryOrder, QuerySelect};
        if external_ids.is_empty() && emails.is_empty() {
            return Ok(Vec::new());
        }
        let keys = key_condition(external_ids, emails);
        let select = self
            .select::<contact::Entity>()
            .filter(keys)
            .order_by_asc(contact::Column::Id)
            .lock_exclusive();
        Ok(super::positional::all(select, self.conn()).await?)
    }

    pub async fn contacts_by_ids(&self, ids: &[Uuid]) -> AppResult<Vec<contact::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = self
            .select::<contact::Entity>()
            .filter(contact::Column::Id.is_in(ids.iter().copied()));
        Ok(super::positional::all(select, self.conn()).await?)
    }

    pub async fn insert_contacts(&self, contacts: Vec<contact::ActiveModel>) -> AppResult<()> {
        if !contacts.is_empty() {
            contact::Entity::insert_many(contacts)
                .exec_without_returning(self.conn())
                .await?;
        }
        Ok(())
    }
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub async fn contacts_of_accounts(
        &self,
        account_ids: &[Uuid],
    ) -> AppResult<Vec<contact::Model>> {
        if account_ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .select::<contact::Entity>()
            .filter(contact::Column::AccountId.is_in(account_ids.iter().copied()))
            .all(self.conn())
            .await?)
    }

    pub async fn set_contact_fit(
        &self,
        id: Uuid,
        score: i32,
        breakdown: Option<serde_json::Value>,
    ) -> AppResult<()> {
        contact::Entity::update_many()
            .col_expr(contact::Column::FitScore, score.into())
            .col_expr(contact::Column::FitBreakdown, breakdown.into())
            .filter(contact::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(contact::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        Ok(())
    }

    pub async fn set_account_fit(
        &self,
        id: Uuid,
        score: i32,
        breakdown: Option<serde_json::Value>,
    ) -> AppResult<()> {
        entity::account::Entity::update_many()
            .col_expr(entity::account::Column::FitScore, score.into())
            .col_expr(entity::account::Column::FitBreakdown, breakdown.into())
            .filter(entity::account::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(entity::account::Column::Id.eq(id))
            .exec(self.conn())
            .await?;
        Ok(())
    }
}

/// Writes a changed contact back (every column).
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: contact::Model,
) -> AppResult<contact::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(row
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}
