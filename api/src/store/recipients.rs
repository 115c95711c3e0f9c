//! Who is told: the members of a workspace holding a permission, found with the roles the
//! permission table grants it to (so no role is named here).

use entity::{membership, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, Iterable, QueryFilter};

use super::Tenant;
use crate::{
    domain::permissions::{role_allows, Permission},
    error::AppResult,
};

/// The seats whose role allows `permission` (e.g. who hears of a paused source).
pub async fn holding<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    permission: Permission,
) -> AppResult<Vec<membership::Model>> {
    let roles: Vec<Role> = Role::iter()
        .filter(|role| role_allows(*role, permission))
        .collect();
    Ok(tenant
        .select::<membership::Entity>()
        .filter(membership::Column::Role.is_in(roles))
        .all(tenant.conn())
        .await?)
}
