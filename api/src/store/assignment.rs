//! What assigning a qualified lead reads and writes: the routing snapshot (rules in order, the
//! members and their open leads), the rule's round-robin counter, the SLA clocks and the
//! unassigned queue (MQLs no rep could take, oldest first).

use chrono::{DateTime, Utc};
use entity::{contact, membership, routing_rule, sla_clock, LeadStage, RoutingRuleStatus};
use sea_orm::Select;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
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

/// Counts a batch's assignments on their rules: one UPDATE adding each rule family its count.
pub async fn count_rule_assignments<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    counts: &[(Uuid, i64)],
) -> AppResult<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut by = sea_orm::sea_query::CaseStatement::new();
    for &(rule, n) in counts {
        by = by.case(
            Expr::col(routing_rule::Column::FamilyId).eq(rule),
            Expr::val(n),
        );
    }
    routing_rule::Entity::update_many()
        .col_expr(
            routing_rule::Column::AssignedCount,
            Expr::col(routing_rule::Column::AssignedCount).add(by),
        )
        .filter(routing_rule::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(routing_rule::Column::FamilyId.is_in(counts.iter().map(|c| c.0)))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Starts a batch's SLA clocks, as many to a statement as the bound values allow.
pub async fn start_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    clocks: Vec<sla_clock::ActiveModel>,
) -> AppResult<()> {
    super::sql::insert_all::<sla_clock::Entity, _>(tenant, &clocks).await
}

/// The unassigned queue: MQLs without an owner that are waiting to be routed.
pub(super) fn waiting_select<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> Select<contact::Entity> {
    tenant
        .select::<contact::Entity>()
        .filter(contact::Column::WaitingSince.is_not_null())
        .filter(contact::Column::Stage.eq(LeadStage::Mql))
        .filter(contact::Column::OwnerId.is_null())
}

/// Up to `limit` waiting MQLs after the `after` key (waiting since, id), oldest first, locked for this transaction on Postgres (two
/// changes routing the queue at once take turns instead of routing one lead twice).
pub async fn waiting<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> AppResult<Vec<contact::Model>> {
    let mut select = waiting_select(tenant)
        .order_by_asc(contact::Column::WaitingSince)
        .order_by_asc(contact::Column::Id)
        .limit(limit);
    if let Some((since, id)) = after {
        select = select.filter(
            Condition::any()
                .add(contact::Column::WaitingSince.gt(since))
                .add(
                    Condition::all()
                        .add(contact::Column::WaitingSince.eq(since))
                        .add(contact::Column::Id.gt(id)),
                ),
        );
    }
    if tenant.conn().get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        select = select.lock_exclusive();
    }
    Ok(select.all(tenant.conn()).await?)
}
