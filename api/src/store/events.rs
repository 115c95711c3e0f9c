//! Recorded engagement events, keyed per workspace by their idempotency key.

use std::collections::HashSet;

use entity::event;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityName, EntityTrait, IntoActiveModel, Iterable, QueryFilter,
    TryInsertResult,
};
use uuid::Uuid;

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
/// recorded one of these keys since the caller looked: those rows are skipped, not failed. Only
/// the ids of the rows written come back (the rows are known: reading every payload back cost
/// a batch a JSON decode per event).
pub async fn insert_new<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<event::Model>,
) -> AppResult<Vec<event::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let written: HashSet<Uuid> = match insert_as_json(tenant, &rows).await? {
        Some(ids) => ids,
        None => insert_as_values(tenant, &rows).await?,
    };
    Ok(rows
        .into_iter()
        .filter(|row| written.contains(&row.id))
        .collect())
}

/// The ids of the rows written, on Postgres ([`super::bulk`]); `None` elsewhere, or when a row
/// cannot be encoded.
async fn insert_as_json<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: &[event::Model],
) -> AppResult<Option<HashSet<Uuid>>> {
    if !super::sql::is_postgres(tenant) {
        return Ok(None);
    }
    let columns: Vec<event::Column> = event::Column::iter().collect();
    let refs: Vec<&event::Model> = rows.iter().collect();
    let Some(json) = super::bulk::models::<event::Entity>(&refs, &columns) else {
        return Ok(None);
    };
    let sql = super::bulk::insert_sql(
        event::Entity.table_name(),
        &columns,
        "ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id",
    );
    let mut ids = HashSet::with_capacity(rows.len());
    for row in tenant
        .conn()
        .query_all_raw(super::sql::statement(tenant, &sql, vec![json.into()]))
        .await?
    {
        ids.insert(row.try_get_by_index::<Uuid>(0)?);
    }
    Ok(Some(ids))
}

/// The ids of the rows written, the rows bound value by value.
async fn insert_as_values<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: &[event::Model],
) -> AppResult<HashSet<Uuid>> {
    Ok(
        match event::Entity::insert_many(
            rows.iter().cloned().map(IntoActiveModel::into_active_model),
        )
        .on_conflict_do_nothing_on([event::Column::WorkspaceId, event::Column::IdempotencyKey])
        .exec_with_returning_keys(tenant.conn())
        .await?
        {
            TryInsertResult::Inserted(ids) => ids.into_iter().collect(),
            TryInsertResult::Conflicted | TryInsertResult::Empty => HashSet::new(),
        },
    )
}
