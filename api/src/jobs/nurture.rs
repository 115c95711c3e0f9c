//! The 60-day return to nurture: leads still LEAD or MQL whose last engagement is older than the
//! contract's `nurtureAfterDays` go back to marketing, with the owner told.

use chrono::{DateTime, Duration, Utc};
use entity::{contact, workspace, LeadStage, TriggerKind};
use sea_orm::{
    sea_query::{LockBehavior, LockType},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};

use crate::domain::text::display_name;
use crate::{
    domain::lifecycle::{next_stage, Transition},
    error::{AppError, AppResult},
    services::{
        contracts,
        notices::{record_stage_change, Credit, Notices, StageMove},
        plays::engine,
        triggers::{self, NewTrigger},
    },
    state::AppState,
    store::Tenant,
};

const BATCH: u64 = 500;

/// Returns to nurture every lead due at `now`; returns how many moved. Idempotent.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let workspaces = workspace::Entity::find().all(state.store.db()).await?;
    let mut moved = 0;
    for ws in workspaces {
        moved += run_workspace(state, ws.id, now).await?;
    }
    Ok(moved)
}

async fn run_workspace(
    state: &AppState,
    workspace_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let (contract, terms) = contracts::active_terms(&tenant).await?;
    let days = terms.scoring.nurture_after_days;
    if days == 0 {
        return Ok(0);
    }
    let cutoff = now - Duration::days(i64::from(days));
    let mut query = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::Stage.is_in([LeadStage::Lead, LeadStage::Mql]))
        .filter(contact::Column::LastEngagedAt.lt(cutoff))
        .limit(BATCH);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = query.all(&txn).await?;
    let mut notices = Notices::default();
    for lead in &due {
        let to = next_stage(lead.stage, Transition::ReturnToNurture)
            .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
        let why = format!("no engagement for {days} days");
        record_stage_change(
            &tenant,
            lead,
            StageMove {
                to,
                actor: None,
                reason: why.clone(),
                contract: contract.as_ref(),
                at: now,
                credit: Credit::default(),
            },
            &mut notices,
        )
        .await?;
        engine::stop_all(&tenant, lead.id, &why, now).await?;
        let payload = serde_json::json!({"lead": crate::services::webhooks::lead_data(lead), "tag": "NURTURE", "reason": why});
        notices.webhooks +=
            crate::services::webhooks::emit(&tenant, "lead.recycled", payload, now).await?;
        crate::services::lead_actions::stop_clocks(&tenant, lead.id, None, now).await?;
        if let Some(owner) = lead.owner_id {
            notices.triggers.push(
                triggers::write(
                    &tenant,
                    NewTrigger {
                        recipient_id: owner,
                        kind: TriggerKind::LeadRecycled,
                        lead_id: Some(lead.id),
                        play_id: None,
                        step: None,
                        due_at: None,
                        message: format!(
                            "{} went back to nurture after {days} days without engagement",
                            display_name(lead)
                        ),
                    },
                    now,
                )
                .await?,
            );
        }
        let mut row = lead.clone();
        row.stage = to;
        row.stage_changed_at = Some(now);
        row.updated_at = now;
        row.into_active_model().reset_all().update(&txn).await?;
    }
    txn.commit().await?;
    notices.publish(state).await;
    Ok(due.len())
}
