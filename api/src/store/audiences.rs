//! Who hears of what: the members a permission names (the sales leaders for an escalation) and
//! the members of a manager's team. The roles come from the permission table, never from here.

use entity::membership;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::{
    domain::permissions::{roles_with, Permission},
    error::AppResult,
};

/// The user ids of the members whose role holds `permission`, in one query.
pub async fn with_permission<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    permission: Permission,
) -> AppResult<Vec<Uuid>> {
    Ok(tenant
        .select::<membership::Entity>()
        .filter(membership::Column::Role.is_in(roles_with(permission)))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// The user ids of the members whose seat names `manager` as their manager.
pub async fn team_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    manager: Uuid,
) -> AppResult<Vec<Uuid>> {
    Ok(tenant
        .select::<membership::Entity>()
        .filter(membership::Column::ManagerId.eq(manager))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}
