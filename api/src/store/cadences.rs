//! Cadences of one workspace.

use entity::cadence;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// One cadence, NOT_FOUND when it is not this workspace's.
pub async fn get<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Uuid,
) -> AppResult<cadence::Model> {
    tenant.get::<cadence::Entity>(id).await
}

/// The cadences with these ids (others are silently absent).
pub async fn with_ids<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<cadence::Model>> {
    tenant.get_many::<cadence::Entity>(ids).await
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: cadence::ActiveModel,
) -> AppResult<cadence::Model> {
    Ok(cadence::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes the changed fields of a cadence read in this workspace.
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: cadence::ActiveModel,
) -> AppResult<cadence::Model> {
    Ok(row.update(tenant.conn()).await?)
}
