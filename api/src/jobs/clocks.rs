//! Due times stored in the database, acted on when they pass: SLA warnings (at the contract's
//! share of the window), SLA breaches (to the rep and escalated to their manager), cadence steps
//! becoming due (PLAY_STEP_DUE), and plays running out (recycle as RE_ENGAGE, or ask for the
//! touches the contract still wants). Each item is claimed by one instance (`FOR UPDATE SKIP
//! LOCKED` on Postgres; SQLite has one writer) and marked in the same transaction as the
//! triggers it writes, so it fires exactly once and a restart loses nothing. Each pass is one
//! unit of work across workspaces: it commits, then announces what it wrote.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{contact, play, sla_clock, task, EnrollmentStatus, SlaKind, TriggerKind};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::text::display_name;
use crate::{
    domain::{
        permissions::Permission,
        plays::{recycle_decision, RecycleDecision},
    },
    error::AppResult,
    services::{
        contracts,
        notices::Notices,
        plays::{
            definitions::exit_of,
            engine,
            touches::{recycle_exhausted, touches_since},
        },
        triggers::{self, NewTrigger},
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{self, due_work, people::user_by_id, Global, Tenant},
};

const BATCH: u64 = 200;

/// Runs every kind of due item once; returns how many were handled.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut handled = 0;
    handled += breaches(state, now).await?;
    handled += warnings(state, now).await?;
    handled += steps_due(state, now).await?;
    handled += plays_run_out(state, now).await?;
    Ok(handled)
}

fn sla_label(kind: SlaKind) -> &'static str {
    match kind {
        SlaKind::FirstTouch => "first touch",
        SlaKind::StatusUpdate => "status update (accept or reject)",
    }
}

async fn person_name<C: ConnectionTrait>(global: &Global<'_, C>, id: Uuid) -> AppResult<String> {
    Ok(user_by_id(global, id)
        .await?
        .map_or_else(|| "A rep".to_owned(), |u| u.name))
}

/// Who hears about a breach besides the rep: their manager, else the members who receive SLA
/// escalations (the permission table's `ReceiveSlaEscalations`: the sales leaders).
async fn escalation_targets<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rep: Uuid,
) -> AppResult<Vec<Uuid>> {
    if let Some(manager) = tenant.member_by_user(rep).await?.and_then(|m| m.manager_id) {
        return Ok(vec![manager]);
    }
    Ok(
        store::audiences::with_permission(tenant, Permission::ReceiveSlaEscalations)
            .await?
            .into_iter()
            .filter(|id| *id != rep)
            .collect(),
    )
}

/// Announces one breached clock to its rep and escalates it; marks it breached.
async fn breach<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    global: &Global<'_, C>,
    clock: &sla_clock::Model,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let lead = tenant.get::<contact::Entity>(clock.contact_id).await?;
    let what = sla_label(clock.kind);
    let rep_message = format!(
        "SLA breached: the {what} on {} was due at {}",
        display_name(&lead),
        clock.due_at.to_rfc3339()
    );
    notices.triggers.push(
        triggers::write(
            tenant,
            NewTrigger {
                recipient_id: clock.assignee_id,
                kind: TriggerKind::SlaBreached,
                lead_id: Some(lead.id),
                play_id: None,
                step: None,
                due_at: Some(clock.due_at),
                intel: None,
                message: rep_message,
            },
            now,
        )
        .await?,
    );
    let rep = person_name(global, clock.assignee_id).await?;
    for manager in escalation_targets(tenant, clock.assignee_id).await? {
        notices.triggers.push(
            triggers::write(
                tenant,
                NewTrigger {
                    recipient_id: manager,
                    kind: TriggerKind::SlaBreached,
                    lead_id: Some(lead.id),
                    play_id: None,
                    step: None,
                    due_at: Some(clock.due_at),
                    intel: None,
                    message: format!(
                        "Escalation: {rep} missed the {what} SLA on {} (due {})",
                        display_name(&lead),
                        clock.due_at.to_rfc3339()
                    ),
                },
                now,
            )
            .await?,
        );
    }
    due_work::mark_breached(tenant, clock, now).await
}

async fn breaches(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut work = UnitOfWork::begin_global(state).await?;
    let mut notices = Notices::default();
    let due = due_work::breaches(&work.global(), now, BATCH).await?;
    for clock in &due {
        let tenant = work.tenant_of(clock.workspace_id);
        breach(&tenant, &work.global(), clock, now, &mut notices).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    Ok(due.len())
}

async fn warnings(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut work = UnitOfWork::begin_global(state).await?;
    let mut notices = Notices::default();
    let due = due_work::warnings(&work.global(), now, BATCH).await?;
    for clock in &due {
        let tenant = work.tenant_of(clock.workspace_id);
        let lead = tenant.get::<contact::Entity>(clock.contact_id).await?;
        notices.triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: clock.assignee_id,
                    kind: TriggerKind::SlaWarning,
                    lead_id: Some(lead.id),
                    play_id: None,
                    step: None,
                    due_at: Some(clock.due_at),
                    intel: None,
                    message: format!(
                        "SLA warning: the {} on {} is due by {}",
                        sla_label(clock.kind),
                        display_name(&lead),
                        clock.due_at.to_rfc3339()
                    ),
                },
                now,
            )
            .await?,
        );
        due_work::mark_warned(&tenant, clock, now).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    Ok(due.len())
}

fn channel_words(task: &task::Model) -> String {
    format!(
        "{} ({})",
        task.channel.as_str().replace('_', " ").to_lowercase(),
        task.theme.as_str().replace('_', " ").to_lowercase()
    )
}

async fn steps_due(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut work = UnitOfWork::begin_global(state).await?;
    let mut notices = Notices::default();
    let due = due_work::steps(&work.global(), now, BATCH).await?;
    let mut play_names: HashMap<Uuid, String> = HashMap::new();
    for step in &due {
        let tenant = work.tenant_of(step.workspace_id);
        let lead = tenant.get::<contact::Entity>(step.contact_id).await?;
        let play_name = match play_names.get(&step.play_id) {
            Some(name) => name.clone(),
            None => {
                let name = tenant.get::<play::Entity>(step.play_id).await?.name;
                play_names.insert(step.play_id, name.clone());
                name
            }
        };
        let instructions = step
            .instructions
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        notices.triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: step.assignee_id,
                    kind: TriggerKind::PlayStepDue,
                    lead_id: Some(lead.id),
                    play_id: Some(step.play_id),
                    step: Some(step.step),
                    due_at: Some(step.due_at),
                    intel: None,
                    message: format!(
                        "Step {} of `{}` for {}: {}{instructions}",
                        step.step,
                        play_name,
                        display_name(&lead),
                        channel_words(step)
                    ),
                },
                now,
            )
            .await?,
        );
        due_work::mark_notified(&tenant, step, now).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    Ok(due.len())
}

/// One play run that reached its end: recycle the lead, ask for the touches still missing, or
/// just end the run.
async fn run_out<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    run: &entity::enrollment::Model,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let lead = tenant.get::<contact::Entity>(run.contact_id).await?;
    let play = tenant.get::<play::Entity>(run.play_id).await?;
    let (contract, terms) = contracts::active_terms(tenant).await?;
    let since = lead
        .assigned_at
        .map_or(run.enrolled_at, |a| a.min(run.enrolled_at));
    let touches = touches_since(tenant, lead.id, since).await?;
    let minimum = terms.slas.min_touches_before_recycle;
    let play_name = format!("play `{}`", play.name);
    match recycle_decision(&exit_of(&play), touches, minimum) {
        RecycleDecision::Recycle => {
            let mut lead = recycle_exhausted(
                tenant,
                run,
                lead,
                &play_name,
                (contract.as_ref(), &terms),
                now,
                notices,
            )
            .await?;
            lead.updated_at = now;
            store::lead_actions::save_lead(tenant, lead).await?;
        }
        RecycleDecision::WaitForTouches { missing } => {
            notices.triggers.push(
                triggers::write(
                    tenant,
                    NewTrigger {
                        recipient_id: run.owner_id,
                        kind: TriggerKind::PlayStepDue,
                        lead_id: Some(lead.id),
                        play_id: Some(run.play_id),
                        step: None,
                        due_at: None,
                        intel: None,
                        message: format!(
                            "{} ran through {play_name} without a response: log {missing} \
                             more touch(es) (the contract asks for {minimum}) and it goes \
                             back to nurture as RE_ENGAGE",
                            display_name(&lead)
                        ),
                    },
                    now,
                )
                .await?,
            );
            due_work::clear_end(tenant, run).await?;
        }
        RecycleDecision::End => {
            engine::end(
                tenant,
                &[run.id],
                EnrollmentStatus::Stopped,
                "ran out of steps",
                now,
            )
            .await?;
        }
    }
    Ok(())
}

async fn plays_run_out(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut work = UnitOfWork::begin_global(state).await?;
    let mut notices = Notices::default();
    let due = due_work::runs_out(&work.global(), now, BATCH).await?;
    for run in &due {
        run_out(&work.tenant_of(run.workspace_id), run, now, &mut notices).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    Ok(due.len())
}
