//! Deals: creating, editing, closing and deleting them (each one unit of work), and the
//! opportunity stage history: every move of a deal, so time in stage, stalled deals and velocity
//! come from history rather than from the current row.

mod closing;
mod edits;

pub use closing::{close, delete};
pub use edits::{create, update, OpportunityInput, OpportunityPatch};

use chrono::{DateTime, Utc};
use entity::{opportunity, opportunity_stage_change, OpportunityStage};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use crate::{error::AppResult, store::opportunities as deals, store::Tenant};

/// Records that `opp` entered its current stage (from `from`, `None` when it was just opened).
pub async fn record_stage<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    opp: &opportunity::Model,
    from: Option<OpportunityStage>,
    actor: Option<Uuid>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    deals::append_stage_change(tenant, stage_change(opp, from, actor, at)).await?;
    deals::end_stays(tenant, &[opp.id]).await
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
    let mut ids: Vec<Uuid> = rows
        .iter()
        .filter_map(|row| match &row.opportunity_id {
            sea_orm::ActiveValue::Set(id) | sea_orm::ActiveValue::Unchanged(id) => Some(*id),
            sea_orm::ActiveValue::NotSet => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    deals::append_stage_changes(tenant, rows).await?;
    deals::end_stays(tenant, &ids).await
}

/// What closing a deal sets off, in the transaction that closed it: a win makes the account a
/// CUSTOMER, so its contacts are rescored by the EXPAND ICP; a loss fires the CLOSED_LOST plays for its primary contact (retargeting), once per
/// deal.
pub async fn on_closed<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    opp: &opportunity::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if opp.stage == OpportunityStage::ClosedWon {
        deals::mark_account_customer(tenant, opp.account_id, now).await?;
        let customer = tenant
            .get_many::<entity::account::Entity>(&[opp.account_id])
            .await?;
        let fit = crate::services::fit::FitModels::load(tenant).await?;
        crate::services::records::accounts::rescore_contacts_of(tenant, &fit, &customer).await?;
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
