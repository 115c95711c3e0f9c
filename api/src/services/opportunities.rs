//! The opportunity stage history: every move of a deal, so time in stage, stalled deals and
//! velocity come from history rather than from the current row.

use chrono::{DateTime, Utc};
use entity::{opportunity, opportunity_stage_change, OpportunityStage};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{error::AppResult, store::Tenant};

/// Records that `opp` entered its current stage (from `from`, `None` when it was just opened).
pub async fn record_stage<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    opp: &opportunity::Model,
    from: Option<OpportunityStage>,
    actor: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    opportunity_stage_change::Entity::insert(opportunity_stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        opportunity_id: Set(opp.id),
        from_stage: Set(from),
        to_stage: Set(opp.stage),
        changed_at: Set(at),
        actor_id: Set(actor),
    })
    .exec(tenant.conn())
    .await?;
    Ok(())
}

/// Wins or loses a deal. A win makes the account a CUSTOMER; a loss fires the CLOSED_LOST plays
/// for its primary contact (retargeting), once per deal.
pub async fn close(
    state: &crate::state::AppState,
    workspace_id: Uuid,
    id: Uuid,
    won: bool,
    reason: Option<String>,
    actor: Option<Uuid>,
) -> AppResult<opportunity::Model> {
    use entity::{account, Lifecycle};
    use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter};

    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    crate::store::serialize_identity_writes(&txn, workspace_id).await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let mut row = tenant.get::<opportunity::Entity>(id).await?;
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
    if won {
        account::Entity::update_many()
            .col_expr(
                account::Column::Lifecycle,
                Lifecycle::Customer.as_str().into(),
            )
            .col_expr(account::Column::UpdatedAt, now.into())
            .filter(account::Column::WorkspaceId.eq(workspace_id))
            .filter(account::Column::Id.eq(updated.account_id))
            .exec(&txn)
            .await?;
    } else if let Some(contact) = updated.primary_contact_id {
        crate::services::plays::engine::signal_lead(
            &tenant,
            contact,
            crate::domain::plays::Signal::ClosedLost,
            &format!("closed_lost:{}", updated.id),
            now,
        )
        .await?;
    }
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

pub fn is_closed(stage: OpportunityStage) -> bool {
    matches!(
        stage,
        OpportunityStage::ClosedWon | OpportunityStage::ClosedLost
    )
}
