//! The records an event batch names by natural key and may create: sources by name (accounts
//! and contacts have their own modules), and the workspace's identity-write turn.

use entity::source;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::Tenant;
use crate::error::AppResult;

/// Waits for the workspace's identity-write turn (see [`super::serialize_identity_writes`]).
pub async fn take_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::serialize_identity_writes(tenant.conn(), tenant.workspace_id()).await
}

/// An ingest batch's share of that turn (see [`super::share_identity_writes`]).
pub async fn share_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::share_identity_writes(tenant.conn(), tenant.workspace_id()).await
}

/// The turn to create new natural keys (see [`super::take_creation_turn`]).
pub async fn take_creation_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    super::take_creation_turn(tenant.conn(), tenant.workspace_id()).await
}

/// The sources with these names.
pub async fn sources_named<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    names: Vec<String>,
) -> AppResult<Vec<source::Model>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<source::Entity>()
        .filter(source::Column::Name.is_in(names))
        .all(tenant.conn())
        .await?)
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
        .exec_without_returning(tenant.conn())
        .await?;
    Ok(())
}
