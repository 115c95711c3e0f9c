//! The routing rules of one workspace and their versions, as an editor sees them.

use entity::{routing_rule, RoutingRuleStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Every published rule in the order routing tries them.
pub async fn in_order<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<routing_rule::Model>> {
    super::assignment::rules(tenant).await
}

/// Every version of the rule `family_id`, oldest first.
pub async fn family<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Vec<routing_rule::Model>> {
    Ok(tenant
        .select::<routing_rule::Entity>()
        .filter(routing_rule::Column::FamilyId.eq(family_id))
        .order_by_asc(routing_rule::Column::Version)
        .all(tenant.conn())
        .await?)
}

/// The highest version number of one rule.
pub async fn latest_version<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Option<i32>> {
    Ok(tenant
        .select::<routing_rule::Entity>()
        .filter(routing_rule::Column::FamilyId.eq(family_id))
        .order_by_desc(routing_rule::Column::Version)
        .one(tenant.conn())
        .await?
        .map(|row| row.version))
}

/// Marks the rule's published version superseded (another takes its place) and returns it.
pub async fn supersede_published<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Option<routing_rule::Model>> {
    let published = tenant
        .select::<routing_rule::Entity>()
        .filter(routing_rule::Column::FamilyId.eq(family_id))
        .filter(routing_rule::Column::Status.eq(RoutingRuleStatus::Published))
        .one(tenant.conn())
        .await?;
    routing_rule::Entity::update_many()
        .col_expr(
            routing_rule::Column::Status,
            RoutingRuleStatus::Superseded.as_str().into(),
        )
        .filter(routing_rule::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(routing_rule::Column::FamilyId.eq(family_id))
        .filter(routing_rule::Column::Status.eq(RoutingRuleStatus::Published))
        .exec(tenant.conn())
        .await?;
    Ok(published)
}

/// Deletes every version of a rule.
pub async fn delete_family<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<()> {
    routing_rule::Entity::delete_many()
        .filter(routing_rule::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(routing_rule::Column::FamilyId.eq(family_id))
        .exec(tenant.conn())
        .await?;
    Ok(())
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
