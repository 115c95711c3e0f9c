//! Shared goals of one workspace.

use entity::goal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, QueryOrder};

use super::{
    keyset::{self, sort_value, Ordering, PageArgs, RowPage, SortKind},
    Tenant,
};
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

/// Goals, latest period first, a page at a time.
pub async fn page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<goal::Model>> {
    keyset::page(
        tenant.conn(),
        tenant.select::<goal::Entity>(),
        goal::Column::Id,
        Ordering {
            column: goal::Column::PeriodStart,
            kind: SortKind::Date,
            descending: true,
        },
        |row: &goal::Model| (sort_value(row.period_start.to_string()), row.id),
        args,
        max_page_size,
    )
    .await
}
