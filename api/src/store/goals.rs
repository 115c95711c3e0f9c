//! Shared goals of one workspace.

use entity::goal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, QueryOrder};

use super::Tenant;
use crate::error::AppResult;

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: goal::ActiveModel,
) -> AppResult<goal::Model> {
    Ok(row.insert(tenant.conn()).await?)
}

/// Every goal, latest period first.
pub async fn all<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<goal::Model>> {
    Ok(tenant
        .select::<goal::Entity>()
        .order_by_desc(goal::Column::PeriodStart)
        .order_by_asc(goal::Column::Id)
        .all(tenant.conn())
        .await?)
}
