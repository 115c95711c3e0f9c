//! The routing rules of one workspace, as an editor sees them.

use entity::routing_rule;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Every rule in the order routing tries them.
pub async fn in_order<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<routing_rule::Model>> {
    Ok(tenant
        .select::<routing_rule::Entity>()
        .order_by_asc(routing_rule::Column::Position)
        .order_by_asc(routing_rule::Column::CreatedAt)
        .all(tenant.conn())
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: routing_rule::ActiveModel,
) -> AppResult<routing_rule::Model> {
    Ok(routing_rule::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes the changed fields of a rule.
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: routing_rule::ActiveModel,
) -> AppResult<routing_rule::Model> {
    Ok(row.update(tenant.conn()).await?)
}

pub async fn delete<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<()> {
    routing_rule::Entity::delete_many()
        .filter(routing_rule::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(routing_rule::Column::Id.eq(id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// The rules in the order routing tries them (by position), a page at a time.
pub async fn page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    args: super::keyset::PageArgs,
    max_page_size: usize,
) -> AppResult<super::keyset::RowPage<routing_rule::Model>> {
    use super::keyset::{self, sort_value, Ordering, SortKind};
    keyset::page(
        tenant.conn(),
        tenant.select::<routing_rule::Entity>(),
        routing_rule::Column::Id,
        Ordering {
            column: routing_rule::Column::Position,
            kind: SortKind::Int,
            descending: false,
        },
        |row: &routing_rule::Model| (sort_value(row.position), row.id),
        args,
        max_page_size,
    )
    .await
}
