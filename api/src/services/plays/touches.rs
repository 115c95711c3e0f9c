//! Touches: what a rep did and what came of it. A touch satisfies the first-touch SLA, counts
//! toward the contract's minimum touches, completes its task, and applies the running plays'
//! exit criteria: a reply accelerates the lead, an opt-out stops every play, and a lead that
//! ran out of steps waiting for touches is recycled once it has them.

use chrono::{DateTime, Duration, Utc};
use entity::{
    asset, contact, enrollment, lead_contract, play, task, touch, Channel, EnrollmentStatus,
    LeadStage, SlaKind, TaskStatus, TouchOutcome, TriggerKind,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::{definitions::exit_of, engine};
use crate::domain::text::display_name;
use crate::{
    auth::Actor,
    domain::{
        contract::Terms,
        lifecycle::{next_stage, Transition},
        plays::{acceleration_path, touch_effect, ExitTarget, TouchEffect},
    },
    error::{AppError, AppResult},
    services::{
        contracts,
        lead_actions::{check_works_lead, meet_clocks, set_recycle_tag},
        notices::{record_stage_change, Credit, Notices, StageMove},
        triggers::{self, NewTrigger},
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{self, Tenant},
};

pub struct TouchInput {
    pub lead_id: Uuid,
    pub channel: Channel,
    pub outcome: TouchOutcome,
    pub asset_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub note: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// The touch as written and the lead as the touch left it.
pub struct Logged {
    pub touch: touch::Model,
    pub lead: contact::Model,
}

/// How many touches the lead has had since `since`.
pub async fn touches_since<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    since: DateTime<Utc>,
) -> AppResult<u32> {
    let count = store::touches::count_since(tenant, lead_id, since).await?;
    Ok(count as u32)
}

/// Logs a touch by `actor` on a lead they work, in one unit of work: the touch, the clocks and
/// enrollments it meets, its task done, then the running plays' exit criteria.
pub async fn log(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    input: TouchInput,
) -> AppResult<Logged> {
    let now = state.clock.now();
    let occurred_at = input.occurred_at.unwrap_or(now);
    if occurred_at > now + Duration::minutes(5) {
        return Err(AppError::bad_input(
            "input.occurredAt",
            "a touch cannot happen in the future",
        ));
    }
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let lead = tenant
        .lead_for_update(input.lead_id)
        .await
        .map_err(|e| e.at_field("input.leadId"))?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    // A touch before the lead was the rep's would meet an SLA that had not started yet.
    let assigned_at = lead.assigned_at.unwrap_or(lead.created_at);
    if occurred_at < assigned_at {
        return Err(AppError::bad_input(
            "input.occurredAt",
            "a touch cannot happen before the lead was assigned",
        ));
    }
    if let Some(id) = input.asset_id {
        tenant
            .get::<asset::Entity>(id)
            .await
            .map_err(|e| e.at_field("input.assetId"))?;
    }
    let task = task_of(&tenant, input.task_id, lead.id).await?;
    let mut running = engine::active_enrollments(&tenant, lead.id).await?;
    running.sort_by_key(|e| (!e.exclusive, e.enrolled_at));
    let enrollment = match &task {
        Some(task) => Some(task.enrollment_id),
        None => running.first().map(|e| e.id),
    };
    let play_id = match &task {
        Some(task) => Some(task.play_id),
        None => running.first().map(|e| e.play_id),
    };
    let row = store::touches::insert(
        &tenant,
        touch::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            contact_id: Set(lead.id),
            actor_id: Set(me),
            channel: Set(input.channel),
            outcome: Set(input.outcome),
            asset_id: Set(input.asset_id),
            note: Set(input.note),
            task_id: Set(task.as_ref().map(|t| t.id)),
            enrollment_id: Set(enrollment),
            play_id: Set(play_id),
            occurred_at: Set(occurred_at),
            created_at: Set(now),
        },
    )
    .await?;
    // A touch logged for a time before one of the lead's deals was created counts in its credit.
    store::deal_credits::history_arrived(&tenant, [(lead.id, occurred_at)]).await?;
    store::touches::set_first_touch_on_clocks(&tenant, lead.id, occurred_at).await?;
    meet_clocks(&tenant, lead.id, Some(SlaKind::FirstTouch), now).await?;
    if let Some(task) = task.filter(|t| t.status == TaskStatus::Open) {
        store::tasks::complete(&tenant, task, me, now).await?;
    }
    if !running.is_empty() {
        let ids: Vec<Uuid> = running.iter().map(|e| e.id).collect();
        store::enrollments::mark_first_touch(&tenant, &ids, occurred_at).await?;
    }
    let outcome = Outcome {
        of: input.outcome,
        by: me,
        now,
    };
    let mut lead = apply_exit_criteria(&tenant, lead, &running, outcome, notices).await?;
    lead.updated_at = now;
    let lead = store::touches::save_touched_lead(&tenant, lead).await?;
    work.commit().await?;
    Ok(Logged { touch: row, lead })
}

/// The task a touch carries out: this workspace's, and for the touched lead.
async fn task_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Option<Uuid>,
    lead_id: Uuid,
) -> AppResult<Option<task::Model>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let task = store::tasks::get(tenant, id)
        .await
        .map_err(|e| e.at_field("input.taskId"))?;
    if task.contact_id != lead_id {
        return Err(AppError::bad_input(
            "input.taskId",
            "the task is for another lead",
        ));
    }
    Ok(Some(task))
}

/// What came of a touch, who logged it and when.
#[derive(Clone, Copy)]
struct Outcome {
    of: TouchOutcome,
    by: Uuid,
    now: DateTime<Utc>,
}

/// Applies the running plays' exit criteria to a touch's outcome: an opt-out stops every play,
/// a reply accelerates the lead, and a lead that ran out of steps is recycled once it has the
/// contract's minimum touches. Returns the lead as changed (the caller saves it).
async fn apply_exit_criteria<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    mut lead: contact::Model,
    running: &[enrollment::Model],
    outcome: Outcome,
    notices: &mut Notices,
) -> AppResult<contact::Model> {
    let Outcome { of, by: me, now } = outcome;
    let (contract, terms) = contracts::active_terms(tenant).await?;
    let plays = tenant
        .get_many::<play::Entity>(&running.iter().map(|e| e.play_id).collect::<Vec<_>>())
        .await?;
    let exit_of_play = |id: Uuid| {
        plays
            .iter()
            .find(|p| p.id == id)
            .map(exit_of)
            .unwrap_or_default()
    };
    let name_of_play = |id: Uuid| {
        plays
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| "a play".to_owned(), |p| format!("play `{}`", p.name))
    };
    let mut accelerating: Vec<(&enrollment::Model, ExitTarget)> = Vec::new();
    let mut stop_everything = of == TouchOutcome::OptedOut;
    for e in running {
        match touch_effect(&exit_of_play(e.play_id), of) {
            TouchEffect::Accelerate(target) => accelerating.push((e, target)),
            TouchEffect::StopAll => stop_everything = true,
            TouchEffect::Continue => {}
        }
    }
    if stop_everything {
        lead.opted_out_at = Some(now);
        engine::stop_all(tenant, lead.id, "the contact opted out", now).await?;
    } else if let Some(&(first, _)) = accelerating.first() {
        let target = if accelerating.iter().any(|(_, t)| *t == ExitTarget::Sql) {
            ExitTarget::Sql
        } else {
            ExitTarget::Sal
        };
        let why = format!(
            "{} on {}: accelerated",
            of.as_str(),
            name_of_play(first.play_id)
        );
        for stage in acceleration_path(lead.stage, target.stage()) {
            record_stage_change(
                tenant,
                &lead,
                StageMove {
                    to: stage,
                    actor: Some(me),
                    reason: why.clone(),
                    contract: contract.as_ref(),
                    at: now,
                    credit: Credit {
                        campaign_id: None,
                        play_id: Some(first.play_id),
                    },
                },
                notices,
            )
            .await?;
            lead.stage = stage;
            lead.stage_changed_at = Some(now);
        }
        meet_clocks(tenant, lead.id, None, now).await?;
        let ids: Vec<Uuid> = accelerating.iter().map(|(e, _)| e.id).collect();
        engine::end(tenant, &ids, EnrollmentStatus::Accelerated, &why, now).await?;
        engine::stop_all(tenant, lead.id, &why, now).await?;
    } else {
        for e in running.iter().filter(|e| e.ends_at.is_none()) {
            let since = lead
                .assigned_at
                .map_or(e.enrolled_at, |a| a.min(e.enrolled_at));
            if touches_since(tenant, lead.id, since).await? >= terms.slas.min_touches_before_recycle
            {
                lead = recycle_exhausted(
                    tenant,
                    e,
                    lead,
                    &name_of_play(e.play_id),
                    (contract.as_ref(), &terms),
                    now,
                    notices,
                )
                .await?;
                break;
            }
        }
    }
    Ok(lead)
}

/// The lead ran through a play's last step without responding and had the contract's minimum
/// touches: back to nurture tagged RE_ENGAGE, its plays over, its owner told. Returns the lead
/// as changed (the caller saves it).
pub async fn recycle_exhausted<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    enrollment: &enrollment::Model,
    mut lead: contact::Model,
    play_name: &str,
    (contract, terms): (Option<&lead_contract::Model>, &Terms),
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<contact::Model> {
    let why = format!(
        "recycled: RE_ENGAGE (no response after the last step of {play_name}, {} touches or more)",
        terms.slas.min_touches_before_recycle
    );
    if let Ok(to) = next_stage(lead.stage, Transition::Recycle) {
        record_stage_change(
            tenant,
            &lead,
            StageMove {
                to,
                actor: None,
                reason: why.clone(),
                contract,
                at: now,
                credit: Credit {
                    campaign_id: None,
                    play_id: Some(enrollment.play_id),
                },
            },
            notices,
        )
        .await?;
        lead.stage = to;
        lead.stage_changed_at = Some(now);
    } else if lead.stage != LeadStage::Lead {
        // Already moved on (SQL by hand, an opportunity): the play simply ends.
        engine::end(
            tenant,
            &[enrollment.id],
            EnrollmentStatus::Stopped,
            "ran out of steps after the lead moved on",
            now,
        )
        .await?;
        return Ok(lead);
    }
    set_recycle_tag(&mut lead, "RE_ENGAGE", None);
    meet_clocks(tenant, lead.id, None, now).await?;
    engine::end(
        tenant,
        &[enrollment.id],
        EnrollmentStatus::Recycled,
        &why,
        now,
    )
    .await?;
    engine::stop_all(tenant, lead.id, &why, now).await?;
    let payload = serde_json::json!({"lead": crate::services::webhooks::lead_data(&lead), "tag": "RE_ENGAGE", "playId": enrollment.play_id});
    notices.webhooks +=
        crate::services::webhooks::emit(tenant, "lead.recycled", payload, now).await?;
    notices.triggers.push(
        triggers::write(
            tenant,
            NewTrigger {
                recipient_id: enrollment.owner_id,
                kind: TriggerKind::LeadRecycled,
                lead_id: Some(lead.id),
                play_id: Some(enrollment.play_id),
                step: None,
                due_at: None,
                intel: None,
                message: format!(
                    "{} went back to nurture as RE_ENGAGE: no response through the last step of {play_name}",
                    display_name(&lead)
                ),
            },
            now,
        )
        .await?,
    );
    Ok(lead)
}
