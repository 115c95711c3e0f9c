//! `closeOpportunity` and `deleteOpportunity`: the record-level check is made on the deal row
//! the unit of work holds, so a reassignment committed meanwhile is seen.

use entity::{opportunity, OpportunityStage};
use uuid::Uuid;

use super::{is_closed, on_closed, record_stage};
use crate::{
    auth::Actor,
    domain::permissions::Permission,
    error::{AppError, AppResult},
    services::{access, unit_of_work::UnitOfWork, webhooks},
    state::AppState,
    store::{opportunities as deals, records::take_identity_turn},
};

/// Wins or loses a deal. A win makes the account a CUSTOMER; a loss fires the CLOSED_LOST plays
/// for its primary contact (retargeting), once per deal. `competitor`, when given, replaces the
/// deal's (the one it was lost to, or won against).
/// `actor` must reach the deal (`UpdateDeal`), checked on the row this transaction holds, so a
/// reassignment committed meanwhile is seen.
pub async fn close(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    won: bool,
    reason: Option<String>,
    competitor: Option<String>,
) -> AppResult<opportunity::Model> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    take_identity_turn(&tenant).await?;
    let mut row = tenant.get_for_update::<opportunity::Entity>(id).await?;
    access::require_on(&tenant, actor, Permission::UpdateDeal, row.owner_id).await?;
    let actor = actor.user_id().ok();
    if is_closed(row.stage) {
        return Err(AppError::Conflict(
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
    if competitor.is_some() {
        row.competitor = competitor;
    }
    row.closed_at = Some(now);
    row.stage_changed_at = Some(now);
    let updated = deals::save(&tenant, row).await?;
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
        "lostReason": updated.lost_reason, "competitor": updated.competitor, "closedAt": updated.closed_at,
    }});
    notices.webhooks += webhooks::emit(&tenant, event, payload, now).await?;
    work.commit().await?;
    Ok(updated)
}

/// Deletes a deal `actor` may delete (`DeleteDeal`, checked on the row this transaction holds)
/// with its stage history, in one unit of work.
pub async fn delete(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<()> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get_for_update::<opportunity::Entity>(id).await?;
    access::require_on(&tenant, actor, Permission::DeleteDeal, row.owner_id).await?;
    deals::delete_with_history(&tenant, row.id).await?;
    work.commit().await
}
