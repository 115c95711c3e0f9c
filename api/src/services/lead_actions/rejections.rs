//! Rejections: sales refuses an MQL inside the contract's window with a reason code; marketing
//! may dispute; a leader resolves the dispute.

use chrono::{DateTime, Duration, Utc};
use entity::{account, membership, rejection, LeadStage, RejectionReason, Role, TriggerKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::{check_works_lead, meet_clocks, move_lead, transition_error, Outcome};
use crate::domain::text::display_name;
use crate::{
    auth::Actor,
    domain::{
        lifecycle::{move_to, next_stage, Transition},
        metrics::Attribution,
    },
    error::{AppError, AppResult},
    services::{
        contracts,
        metrics::rollups::{self, Fact},
        notices::{Credit, Notices, StageMove},
        plays::engine,
        triggers::{self, NewTrigger},
        webhooks,
    },
    state::AppState,
    store::Tenant,
};

/// Refuses an MQL inside the contract's rejection window, with a reason code.
pub async fn reject(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    reason: RejectionReason,
    note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<(Outcome, rejection::Model)> {
    if reason == RejectionReason::Other && note.is_none() {
        return Err(AppError::bad_input(
            "note",
            "a rejection coded OTHER needs a note",
        ));
    }
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let (contract, terms) = contracts::active_terms(&tenant).await?;
    if !terms
        .rejection
        .reason_codes
        .iter()
        .any(|c| c == reason.as_str())
    {
        return Err(AppError::bad_input(
            "reason",
            "the contract does not allow this reason code",
        ));
    }
    let target = match reason {
        RejectionReason::Duplicate | RejectionReason::BadContactData => LeadStage::Disqualified,
        _ => LeadStage::Nurture,
    };
    let to = move_to(lead.stage, Transition::Reject, target).map_err(transition_error)?;
    let opened = lead
        .assigned_at
        .or(lead.stage_changed_at)
        .unwrap_or(lead.created_at);
    let window = Duration::hours(i64::from(terms.rejection.window_hours));
    if now - opened > window {
        return Err(AppError::SlaWindowClosed(format!(
            "the rejection window of {} hours closed at {}",
            terms.rejection.window_hours,
            (opened + window).to_rfc3339()
        )));
    }
    let segment = match lead.account_id {
        Some(account) => tenant.get::<account::Entity>(account).await?.segment,
        None => None,
    };
    let row = rejection::Entity::insert(rejection::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        contact_id: Set(lead.id),
        rejected_by: Set(me),
        source_id: Set(lead.source_id),
        reason: Set(reason),
        note: Set(note),
        rejected_at: Set(now),
        disputed_by: Set(None),
        disputed_at: Set(None),
        dispute_note: Set(None),
        resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        segment: Set(segment),
    })
    .exec_with_returning(&txn)
    .await?;
    let credit = Attribution {
        source_id: row.source_id,
        segment: row.segment.clone(),
        owner_id: Some(row.rejected_by),
        campaign_id: None,
        play_id: None,
    };
    rollups::count(
        &tenant,
        Fact::Rejected(row.reason),
        row.rejected_at,
        &credit,
    )
    .await?;
    meet_clocks(&tenant, lead.id, None, now).await?;
    let why = format!("rejected: {}", reason.as_str());
    engine::stop_all(&tenant, lead.id, &why, now).await?;
    let source = lead.source_id;
    let mut notices = Notices::default();
    let lead = move_lead(
        &tenant,
        lead,
        StageMove {
            to,
            actor: Some(me),
            reason: why,
            contract: contract.as_ref(),
            at: now,
            credit: Credit::default(),
        },
        &mut notices,
    )
    .await?;
    let payload = serde_json::json!({
        "lead": webhooks::lead_data(&lead),
        "rejection": {"id": row.id, "reason": row.reason, "note": row.note, "rejectedBy": row.rejected_by},
    });
    notices.webhooks += webhooks::emit(&tenant, "lead.rejected", payload, now).await?;
    if let Some(source) = source {
        notices.extend(crate::services::sources::apply_rule(&tenant, source, &terms, now).await?);
    }
    txn.commit().await?;
    Ok((Outcome { lead, notices }, row))
}

/// Marketing disputes a rejection; the sales leaders are told.
pub async fn dispute(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    note: String,
) -> AppResult<(rejection::Model, Notices)> {
    let me = actor.user_id()?;
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get::<rejection::Entity>(id).await?;
    if row.disputed_at.is_some() {
        return Err(AppError::Conflict(
            "this rejection is already disputed".into(),
        ));
    }
    let mut active = row.into_active_model();
    active.disputed_by = Set(Some(me));
    active.disputed_at = Set(Some(now));
    active.dispute_note = Set(Some(note));
    let saved = active.update(&txn).await?;
    let leaders = tenant
        .select::<membership::Entity>()
        .filter(membership::Column::Role.eq(Role::SalesLeader))
        .all(&txn)
        .await?;
    let mut notices = Notices::default();
    for leader in leaders {
        notices.triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: leader.user_id,
                    kind: TriggerKind::RejectionDisputed,
                    lead_id: Some(saved.contact_id),
                    play_id: None,
                    step: None,
                    due_at: None,
                    message: format!(
                        "Marketing disputes the {} rejection of a lead",
                        saved.reason.as_str()
                    ),
                },
                now,
            )
            .await?,
        );
    }
    txn.commit().await?;
    Ok((saved, notices))
}

/// A leader settles a dispute: upheld sends the lead back to its rep as an MQL.
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    upheld: bool,
) -> AppResult<(rejection::Model, Notices)> {
    let me = actor.user_id()?;
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get::<rejection::Entity>(id).await?;
    if row.disputed_at.is_none() {
        return Err(AppError::bad_input("id", "this rejection is not disputed"));
    }
    if row.resolved_at.is_some() {
        return Err(AppError::Conflict(
            "this dispute is already resolved".into(),
        ));
    }
    let mut notices = Notices::default();
    if upheld {
        let lead = tenant.lead_for_update(row.contact_id).await?;
        let to = next_stage(lead.stage, Transition::Reinstate).map_err(transition_error)?;
        let (contract, _) = contracts::active_terms(&tenant).await?;
        let owner = lead.owner_id;
        let lead = move_lead(
            &tenant,
            lead,
            StageMove {
                to,
                actor: Some(me),
                reason: "dispute upheld: back to its rep".into(),
                contract: contract.as_ref(),
                at: now,
                credit: Credit::default(),
            },
            &mut notices,
        )
        .await?;
        if let Some(owner) = owner {
            notices.triggers.push(
                triggers::write(
                    &tenant,
                    NewTrigger {
                        recipient_id: owner,
                        kind: TriggerKind::DisputeResolved,
                        lead_id: Some(lead.id),
                        play_id: None,
                        step: None,
                        due_at: None,
                        message: format!(
                            "{} is back with you: marketing's dispute was upheld",
                            display_name(&lead)
                        ),
                    },
                    now,
                )
                .await?,
            );
        }
    }
    let mut active = row.into_active_model();
    active.resolution = Set(Some(if upheld { "UPHELD" } else { "DENIED" }.to_owned()));
    active.resolved_by = Set(Some(me));
    active.resolved_at = Set(Some(now));
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok((saved, notices))
}
