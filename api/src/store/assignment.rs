//! What assigning a qualified lead reads and writes: the routing snapshot (rules in order, the
//! members and their open leads), the rule's round-robin counter and the SLA clocks.

use entity::{contact, membership, routing_rule, sla_clock, LeadStage, RoutingRuleStatus};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Stages in which a lead counts against a rep's capacity.
const OPEN_STAGES: [LeadStage; 3] = [LeadStage::Mql, LeadStage::Sal, LeadStage::Sql];

/// The workspace's routing rules (the published version of each), in evaluation order: by
/// position, then the older rule first.
pub async fn rules<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<routing_rule::Model>> {
    Ok(tenant
        .select::<routing_rule::Entity>()
        .filter(routing_rule::Column::Status.eq(RoutingRuleStatus::Published))
        .order_by_asc(routing_rule::Column::Position)
        .order_by_asc(routing_rule::Column::FamilyId)
        .all(tenant.conn())
        .await?)
}

/// Every membership of the workspace (routing only picks members whose role takes leads).
pub async fn members<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<membership::Model>> {
    Ok(tenant
        .select::<membership::Entity>()
        .all(tenant.conn())
        .await?)
}

/// How many open leads each owner holds.
pub async fn open_leads_by_owner<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<(Option<Uuid>, i64)>> {
    Ok(tenant
        .select::<contact::Entity>()
        .select_only()
        .column(contact::Column::OwnerId)
        .column_as(Expr::col(contact::Column::Id).count(), "open")
        .filter(contact::Column::Stage.is_in(OPEN_STAGES))
        .filter(contact::Column::OwnerId.is_not_null())
        .group_by(contact::Column::OwnerId)
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// Moves a rule's round-robin position on by one assignment, on every version of the rule so
/// that the next version published goes on from there.
pub async fn count_rule_assignment<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rule_id: Uuid,
) -> AppResult<()> {
    routing_rule::Entity::update_many()
        .col_expr(
            routing_rule::Column::AssignedCount,
            Expr::col(routing_rule::Column::AssignedCount).add(1),
        )
        .filter(routing_rule::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(routing_rule::Column::FamilyId.eq(rule_id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Starts an SLA clock.
pub async fn start_clock<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    clock: sla_clock::ActiveModel,
) -> AppResult<()> {
    sla_clock::Entity::insert(clock).exec(tenant.conn()).await?;
    Ok(())
}
