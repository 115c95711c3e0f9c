//! Rejections: sales refuses an MQL inside the contract's window with a reason code; marketing
//! may dispute; a leader resolves the dispute. Revops lifts the pause the source rule puts on a
//! source whose leads keep being rejected.

use chrono::Duration;
use entity::{account, contact, rejection, source, LeadStage, RejectionReason, TriggerKind};
use uuid::Uuid;

use super::{check_works_lead, meet_clocks, move_lead, transition_error};
use crate::domain::text::display_name;
use crate::{
    auth::Actor,
    domain::{
        lifecycle::{move_to, next_stage, Transition},
        metrics::Attribution,
        permissions::Permission,
    },
    error::{AppError, AppResult},
    services::{
        contracts,
        ingest::reevaluate,
        metrics::rollups::{self, Fact},
        notices::{Credit, StageMove},
        plays::engine,
        triggers::{self, NewTrigger},
        unassigned,
        unit_of_work::UnitOfWork,
        webhooks,
    },
    state::AppState,
    store::{self, rejections::NewRejection},
};

/// Refuses an MQL inside the contract's rejection window, with a reason code.
pub async fn reject(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    reason: RejectionReason,
    note: Option<String>,
) -> AppResult<contact::Model> {
    if reason == RejectionReason::Other && note.is_none() {
        return Err(AppError::bad_input(
            "note",
            "a rejection coded OTHER needs a note",
        ));
    }
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
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
    let row = store::rejections::insert(
        &tenant,
        NewRejection {
            lead_id: lead.id,
            rejected_by: me,
            source_id: lead.source_id,
            reason,
            note,
            segment,
            at: now,
        },
    )
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
        notices,
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
    unassigned::route_waiting(&tenant, notices, now).await?;
    work.commit().await?;
    Ok(lead)
}

/// Marketing disputes a rejection; the members who receive disputes (the permission table's
/// `ReceiveDisputes`: the sales leaders) are told.
pub async fn dispute(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    note: String,
) -> AppResult<rejection::Model> {
    let me = actor.user_id()?;
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<rejection::Entity>(id).await?;
    if row.disputed_at.is_some() {
        return Err(AppError::Conflict(
            "this rejection is already disputed".into(),
        ));
    }
    let saved = store::rejections::mark_disputed(&tenant, row, me, note, now).await?;
    let told = store::audiences::with_permission(&tenant, Permission::ReceiveDisputes).await?;
    for recipient_id in told {
        notices.triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id,
                    kind: TriggerKind::RejectionDisputed,
                    lead_id: Some(saved.contact_id),
                    play_id: None,
                    step: None,
                    due_at: None,
                    intel: None,
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
    work.commit().await?;
    Ok(saved)
}

/// A leader settles a dispute. Upheld sends the lead back to its rep as an MQL, and the
/// rejection stops counting (rejection rates, the rollups, the source rule's months, alignment
/// health) in the same unit of work. Either way the member who disputed receives
/// `DISPUTE_RESOLVED` with the outcome.
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    upheld: bool,
) -> AppResult<rejection::Model> {
    let me = actor.user_id()?;
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<rejection::Entity>(id).await?;
    if row.disputed_at.is_none() {
        return Err(AppError::bad_input("id", "this rejection is not disputed"));
    }
    if row.resolved_at.is_some() {
        return Err(AppError::Conflict(
            "this dispute is already resolved".into(),
        ));
    }
    let lead = if upheld {
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
            notices,
        )
        .await?;
        // The rejection was counted on its day: it is taken back there.
        let credit = Attribution {
            source_id: row.source_id,
            segment: row.segment.clone(),
            owner_id: Some(row.rejected_by),
            campaign_id: None,
            play_id: None,
        };
        rollups::uncount(
            &tenant,
            Fact::Rejected(row.reason),
            row.rejected_at,
            &credit,
        )
        .await?;
        // The member who disputed hears of it below (once, should they own the lead).
        if let Some(owner) = owner.filter(|owner| Some(*owner) != row.disputed_by) {
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
                        intel: None,
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
        lead
    } else {
        tenant.get::<contact::Entity>(row.contact_id).await?
    };
    let resolution = if upheld {
        store::rejections::UPHELD
    } else {
        store::rejections::DENIED
    };
    if let Some(disputer) = row.disputed_by {
        let outcome = if upheld {
            "the rejection is overturned and no longer counts; the lead is back with its rep"
        } else {
            "the rejection stands"
        };
        notices.triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: disputer,
                    kind: TriggerKind::DisputeResolved,
                    lead_id: Some(row.contact_id),
                    play_id: None,
                    step: None,
                    due_at: None,
                    intel: None,
                    message: format!(
                        "{resolution}: your dispute of the {} rejection of {}: {outcome}",
                        row.reason.as_str(),
                        display_name(&lead)
                    ),
                },
                now,
            )
            .await?,
        );
    }
    let saved = store::rejections::mark_resolved(&tenant, row, resolution, me, now).await?;
    work.commit().await?;
    Ok(saved)
}

/// Lifts the source rule's pause (revops and leaders: checked by the caller). The rule judges
/// the source afresh from now on (the months that paused it do not count again), and the leads
/// it held back are re-evaluated in the background.
pub async fn resume_source(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<source::Model> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<source::Entity>(id).await?;
    let was_paused = row.paused;
    let saved = store::rejections::resume_source(&tenant, row, now).await?;
    if was_paused {
        let why = reevaluate::reason::SOURCE_RESUMED;
        reevaluate::queue(&tenant, why, Some(id), now, notices).await?;
    }
    work.commit().await?;
    Ok(saved)
}
