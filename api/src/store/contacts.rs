//! Contacts (leads) of one workspace.

use entity::contact;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

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
        let mut keys = Condition::any();
        if !external_ids.is_empty() {
            keys = keys.add(contact::Column::ExternalId.is_in(external_ids.iter().cloned()));
        }
        if !emails.is_empty() {
            keys = keys.add(contact::Column::Email.is_in(emails.iter().cloned()));
        }
        Ok(self
            .select::<contact::Entity>()
            .filter(keys)
            .all(self.conn())
            .await?)
    }

    pub async fn contacts_by_ids(&self, ids: &[Uuid]) -> AppResult<Vec<contact::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .select::<contact::Entity>()
            .filter(contact::Column::Id.is_in(ids.iter().copied()))
            .all(self.conn())
            .await?)
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
