//! Lead contract versions of one workspace.

use entity::{lead_contract, ContractStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::Tenant;
use crate::error::AppResult;

/// The active version, if both leaders have signed one.
pub async fn active<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<lead_contract::Model>> {
    Ok(tenant
        .select::<lead_contract::Entity>()
        .filter(lead_contract::Column::Status.eq(ContractStatus::Active))
        .one(tenant.conn())
        .await?)
}

/// The highest version, whatever its status.
pub async fn latest<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<lead_contract::Model>> {
    Ok(tenant
        .select::<lead_contract::Entity>()
        .order_by_desc(lead_contract::Column::Version)
        .one(tenant.conn())
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: lead_contract::ActiveModel,
) -> AppResult<lead_contract::Model> {
    Ok(lead_contract::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes the changed fields of a version.
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: lead_contract::ActiveModel,
) -> AppResult<lead_contract::Model> {
    Ok(row.update(tenant.conn()).await?)
}

/// Marks the active version superseded (a newly signed one takes its place).
pub async fn supersede_active<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    lead_contract::Entity::update_many()
        .col_expr(
            lead_contract::Column::Status,
            ContractStatus::Superseded.as_str().into(),
        )
        .filter(lead_contract::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(lead_contract::Column::Status.eq(ContractStatus::Active))
        .exec(tenant.conn())
        .await?;
    Ok(())
}
