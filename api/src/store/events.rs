//! Recorded engagement events, keyed per workspace by their idempotency key.

use entity::event;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult};

use super::Tenant;
use crate::error::AppResult;

/// The events already recorded under these keys.
pub async fn by_keys<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    keys: Vec<String>,
) -> AppResult<Vec<event::Model>> {
    Ok(tenant
        .select::<event::Entity>()
        .filter(event::Column::IdempotencyKey.is_in(keys))
        .all(tenant.conn())
        .await?)
}

/// Inserts new events in one statement and returns those written. A concurrent batch may have
/// recorded one of these keys since the caller looked: those rows are skipped, not failed.
pub async fn insert_new<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<event::ActiveModel>,
) -> AppResult<Vec<event::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(
        match event::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([event::Column::WorkspaceId, event::Column::IdempotencyKey])
            .exec_with_returning_many(tenant.conn())
            .await?
        {
            TryInsertResult::Inserted(models) => models,
            TryInsertResult::Conflicted | TryInsertResult::Empty => Vec::new(),
        },
    )
}
