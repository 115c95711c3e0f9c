//! The 60-day return to nurture: leads still LEAD or MQL whose last engagement is older than the
//! contract's `nurtureAfterDays` go back to marketing, with the owner told. One unit of work per
//! workspace.

use chrono::{DateTime, Duration, Utc};
use entity::{contact, TriggerKind};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::text::display_name;
use crate::{
    domain::{
        contract::Terms,
        lifecycle::{next_stage, Transition},
    },
    error::{AppError, AppResult},
    services::{
        contracts,
        notices::{record_stage_change, Credit, Notices, StageMove},
        plays::engine,
        triggers::{self, NewTrigger},
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{self, due_work, Tenant},
};

const BATCH: u64 = 500;

/// Returns to nurture every lead due at `now`; returns how many moved. Idempotent.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let workspaces = due_work::workspace_ids(&state.store.global()).await?;
    let mut moved = 0;
    for workspace_id in workspaces {
        moved += run_workspace(state, workspace_id, now).await?;
    }
    Ok(moved)
}

async fn run_workspace(
    state: &AppState,
    workspace_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let (contract, terms) = contracts::active_terms(&tenant).await?;
    let days = terms.scoring.nurture_after_days;
    if days == 0 {
        return Ok(0);
    }
    let cutoff = now - Duration::days(i64::from(days));
    let due = due_work::gone_quiet(&tenant, cutoff, BATCH).await?;
    for lead in &due {
        return_to_nurture(&tenant, lead, (contract.as_ref(), &terms), now, notices).await?;
    }
    work.commit().await?;
    Ok(due.len())
}

/// Moves one quiet lead back to nurture: history, plays stopped, webhook, clocks stopped, the
/// owner told, the lead saved.
async fn return_to_nurture<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    (contract, terms): (Option<&entity::lead_contract::Model>, &Terms),
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let days = terms.scoring.nurture_after_days;
    let to = next_stage(lead.stage, Transition::ReturnToNurture)
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
    let why = format!("no engagement for {days} days");
    record_stage_change(
        tenant,
        lead,
        StageMove {
            to,
            actor: None,
            reason: why.clone(),
            contract,
            at: now,
            credit: Credit::default(),
        },
        notices,
    )
    .await?;
    engine::stop_all(tenant, lead.id, &why, now).await?;
    let payload = serde_json::json!({"lead": crate::services::webhooks::lead_data(lead), "tag": "NURTURE", "reason": why});
    notices.webhooks +=
        crate::services::webhooks::emit(tenant, "lead.recycled", payload, now).await?;
    crate::services::lead_actions::stop_clocks(tenant, lead.id, None, now).await?;
    if let Some(owner) = lead.owner_id {
        notices.triggers.push(
            triggers::write(
                tenant,
                NewTrigger {
                    recipient_id: owner,
                    kind: TriggerKind::LeadRecycled,
                    lead_id: Some(lead.id),
                    play_id: None,
                    step: None,
                    due_at: None,
                    intel: None,
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
    store::lead_actions::save_lead(tenant, row).await?;
    Ok(())
}

/// Hands back every CHECK_BACK lead whose date came (the date in UTC on the domain clock): it
/// leaves NURTURE for MQL with the owner it had, its recycling tag and date cleared, and the
/// owner gets `CHECK_BACK_DUE`. Claimed once per lead (the date is cleared in the same unit of
/// work); returns how many came back.
pub async fn check_back(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let workspaces = due_work::workspace_ids(&state.store.global()).await?;
    let mut back = 0;
    for workspace_id in workspaces {
        let mut work = UnitOfWork::begin(state, workspace_id).await?;
        let (tenant, notices) = work.parts();
        let due = due_work::check_backs_due(&tenant, now.date_naive(), BATCH).await?;
        if due.is_empty() {
            continue;
        }
        let (contract, _) = contracts::active_terms(&tenant).await?;
        for lead in due {
            hand_back(&tenant, lead, contract.as_ref(), now, notices).await?;
            back += 1;
        }
        work.commit().await?;
    }
    Ok(back)
}

async fn hand_back<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: contact::Model,
    contract: Option<&entity::lead_contract::Model>,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let date = lead.check_back_on;
    let to = next_stage(lead.stage, Transition::Qualify)
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
    let why = match date {
        Some(date) => format!("check back on {date}: back to its owner"),
        None => "check back: back to its owner".to_owned(),
    };
    record_stage_change(
        tenant,
        &lead,
        StageMove {
            to,
            actor: None,
            reason: why.clone(),
            contract,
            at: now,
            credit: Credit::default(),
        },
        notices,
    )
    .await?;
    if let Some(owner) = lead.owner_id {
        notices.triggers.push(
            triggers::write(
                tenant,
                NewTrigger {
                    recipient_id: owner,
                    kind: TriggerKind::CheckBackDue,
                    lead_id: Some(lead.id),
                    play_id: None,
                    step: None,
                    due_at: None,
                    intel: None,
                    message: format!("{}: {why}", display_name(&lead)),
                },
                now,
            )
            .await?,
        );
    }
    let mut row = lead;
    crate::services::lead_actions::clear_recycle_tag(&mut row);
    row.stage = to;
    row.stage_changed_at = Some(now);
    row.assigned_at = row.owner_id.map(|_| now);
    row.updated_at = now;
    store::lead_actions::save_lead(tenant, row).await?;
    Ok(())
}
