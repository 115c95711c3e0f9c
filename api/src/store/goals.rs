//! Shared goals of one workspace.

use chrono::{DateTime, Utc};
use entity::goal;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::Tenant;
use crate::error::{AppError, AppResult};

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: goal::ActiveModel,
) -> AppResult<goal::Model> {
    Ok(row.insert(tenant.conn()).await?)
}

pub async fn update<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: goal::ActiveModel,
) -> AppResult<goal::Model> {
    Ok(row.update(tenant.conn()).await?)
}

/// Closes `row` at `at`, unless a concurrent writer closed it first (CONFLICT).
pub async fn close<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: goal::Model,
    at: DateTime<Utc>,
) -> AppResult<goal::Model> {
    use goal::Column as G;
    let done = goal::Entity::update_many()
        .col_expr(G::ClosedAt, Expr::value(Some(at)))
        .filter(G::WorkspaceId.eq(tenant.workspace_id()))
        .filter(G::Id.eq(row.id))
        .filter(G::ClosedAt.is_null())
        .exec(tenant.conn())
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::Conflict("this goal is already closed".into()));
    }
    Ok(goal::Model {
        closed_at: Some(at),
        ..row
    })
}

/// Every open goal, latest period first.
pub async fn all<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<goal::Model>> {
    Ok(tenant
        .select::<goal::Entity>()
        .filter(goal::Column::ClosedAt.is_null())
        .order_by_desc(goal::Column::PeriodStart)
        .order_by_asc(goal::Column::Id)
        .all(tenant.conn())
        .await?)
}
