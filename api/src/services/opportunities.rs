//! The opportunity stage history: every move of a deal, so time in stage, stalled deals and
//! velocity come from history rather than from the current row.

use chrono::{DateTime, Utc};
use entity::{opportunity, opportunity_stage_change, OpportunityStage};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{domain::permissions::Permission, error::AppResult, store::Tenant};

/// Records that `opp` entered its current stage (from `from`, `None` when it was just opened).
pub async fn record_stage<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    opp: &opportunity::Model,
    from: Option<OpportunityStage>,
    actor: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    opportunity_stage_change::Entity::insert(stage_change(opp, from, actor, at))
        .exec(tenant.conn())
        .await?;
    end_stays(tenant, &[opp.id]).await
}

/// Sets when each move of `deals` ended (its deal's next move), after moves were recorded.
async fn end_stays<C: ConnectionTrait>(tenant: &Tenant<'_, C>, deals: &[Uuid]) -> AppResult<()> {
    for chunk in deals.chunks(crate::services::metrics::CHUNK) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
        let deals = format!(
            "workspace_id = $1 AND opportunity_id IN ({})",
            placeholders.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| (*id).into()));
        let sql = migration::DEAL_STAY_ENDS.replace("{deals}", &deals);
        tenant
            .conn()
            .execute_raw(crate::services::metrics::statement(tenant, &sql, values))
            .await?;
    }
    Ok(())
}

/// The history row saying that `opp` entered its current stage at `at`.
pub fn stage_change(
    opp: &opportunity::Model,
    from: Option<OpportunityStage>,
    actor: Option<Uuid>,
    at: DateTime<Utc>,
) -> opportunity_stage_change::ActiveModel {
    opportunity_stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(opp.workspace_id),
        opportunity_id: Set(opp.id),
        from_stage: Set(from),
        to_stage: Set(opp.stage),
        changed_at: Set(at),
        actor_id: Set(actor),
        left_at: Set(None),
    }
}

/// Writes many stage history rows in one statement.
pub async fn insert_stage_changes<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<opportunity_stage_change::ActiveModel>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut deals: Vec<Uuid> = rows
        .iter()
        .filter_map(|row| match &row.opportunity_id {
            sea_orm::ActiveValue::Set(id) | sea_orm::ActiveValue::Unchanged(id) => Some(*id),
            sea_orm::ActiveValue::NotSet => None,
        })
        .collect();
    deals.sort_unstable();
    deals.dedup();
    opportunity_stage_change::Entity::insert_many(rows)
        .exec_without_returning(tenant.conn())
        .await?;
    end_stays(tenant, &deals).await
}

/// Wins or loses a deal. A win makes the account a CUSTOMER; a loss fires the CLOSED_LOST plays
/// for its primary contact (retargeting), once per deal.
/// `actor` must reach the deal (`UpdateDeal`), checked on the row this transaction holds, so a
/// reassignment committed meanwhile is seen.
pub async fn close(
    state: &crate::state::AppState,
    actor: &crate::auth::Actor,
    workspace_id: Uuid,
    id: Uuid,
    won: bool,
    reason: Option<String>,
) -> AppResult<opportunity::Model> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};

    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    crate::store::serialize_identity_writes(&txn, workspace_id).await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let mut row = tenant.get_for_update::<opportunity::Entity>(id).await?;
    crate::services::access::require_on(&tenant, actor, Permission::UpdateDeal, row.owner_id)
        .await?;
    let actor = actor.user_id().ok();
    if is_closed(row.stage) {
        return Err(crate::error::AppError::Conflict(
            "the opportunity is already closed".into(),
        ));
    }
    let from = row.stage;
    row.stage = if won {
        OpportunityStage::ClosedWon
    } else {
        OpportunityStage::ClosedLost
    };
    row.lost_reason = if won { None } else { reason };
    row.closed_at = Some(now);
    row.stage_changed_at = Some(now);
    let updated = row.into_active_model().reset_all().update(&txn).await?;
    record_stage(&tenant, &updated, Some(from), actor, now).await?;
    on_closed(&tenant, &updated, now).await?;
    // Announced here, not in `on_closed`: an import of closed deals is history, not news.
    let event = if won {
        "opportunity.won"
    } else {
        "opportunity.lost"
    };
    let payload = serde_json::json!({"opportunity": {
        "id": updated.id, "name": updated.name, "amount": updated.amount,
        "currency": updated.currency, "accountId": updated.account_id,
        "ownerId": updated.owner_id, "leadId": updated.lead_id,
        "lostReason": updated.lost_reason, "closedAt": updated.closed_at,
    }});
    let queued = crate::services::webhooks::emit(&tenant, event, payload, now).await?;
    txn.commit().await?;
    if queued > 0 {
        state.webhooks_wakeup.notify_one();
    }
    Ok(updated)
}

/// What closing a deal sets off, in the transaction that closed it: a win makes the account a
/// CUSTOMER; a loss fires the CLOSED_LOST plays for its primary contact (retargeting), once per
/// deal.
pub async fn on_closed<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    opp: &opportunity::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use entity::{account, Lifecycle};
    use sea_orm::{ColumnTrait, QueryFilter};

    if opp.stage == OpportunityStage::ClosedWon {
        account::Entity::update_many()
            .col_expr(
                account::Column::Lifecycle,
                Lifecycle::Customer.as_str().into(),
            )
            .col_expr(account::Column::UpdatedAt, now.into())
            .filter(account::Column::WorkspaceId.eq(tenant.workspace_id()))
            .filter(account::Column::Id.eq(opp.account_id))
            .exec(tenant.conn())
            .await?;
    } else if let Some(contact) = opp.primary_contact_id {
        crate::services::plays::engine::signal_lead(
            tenant,
            contact,
            crate::domain::plays::Signal::ClosedLost,
            &format!("closed_lost:{}", opp.id),
            now,
        )
        .await?;
    }
    Ok(())
}

pub fn is_closed(stage: OpportunityStage) -> bool {
    matches!(
        stage,
        OpportunityStage::ClosedWon | OpportunityStage::ClosedLost
    )
}

/// Deletes a deal `actor` may delete (`DeleteDeal`, checked on the row this transaction holds)
/// with its stage history, in one transaction (the history first: it references the deal).
pub async fn delete(
    state: &crate::state::AppState,
    actor: &crate::auth::Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get_for_update::<opportunity::Entity>(id).await?;
    crate::services::access::require_on(&tenant, actor, Permission::DeleteDeal, row.owner_id)
        .await?;
    opportunity_stage_change::Entity::delete_many()
        .filter(opportunity_stage_change::Column::WorkspaceId.eq(workspace_id))
        .filter(opportunity_stage_change::Column::OpportunityId.eq(row.id))
        .exec(&txn)
        .await?;
    opportunity::Entity::delete_many()
        .filter(opportunity::Column::WorkspaceId.eq(workspace_id))
        .filter(opportunity::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
