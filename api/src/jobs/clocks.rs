//! Due times stored in the database, acted on when they pass: SLA warnings (at the contract's
//! share of the window), SLA breaches (to the rep and escalated to their manager), cadence steps
//! becoming due (PLAY_STEP_DUE), and plays running out (recycle as RE_ENGAGE, or ask for the
//! touches the contract still wants). Each item is claimed by one instance (`FOR UPDATE SKIP
//! LOCKED` on Postgres; SQLite has one writer) and marked in the same transaction as the
//! triggers it writes, so it fires exactly once and a restart loses nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    contact, enrollment, membership, play, sla_clock, task, EnrollmentStatus, Role, SlaKind,
    TaskStatus, TriggerKind,
};
use sea_orm::{
    sea_query::{LockBehavior, LockType},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::{
    domain::plays::{recycle_decision, RecycleDecision},
    error::AppResult,
    services::{
        contracts,
        ingest::qualify::display_name,
        notices::Notices,
        plays::{
            definitions::exit_of,
            engine,
            touches::{recycle_exhausted, touches_since},
        },
        triggers::{self, NewTrigger},
    },
    state::AppState,
    store::{people::user_by_id, Tenant},
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

/// Claims the rows of `select` for this transaction: others skip them until it ends.
fn claim<E: EntityTrait>(txn: &DatabaseTransaction, select: Select<E>) -> Select<E> {
    let select = select.limit(BATCH);
    if txn.get_database_backend() == DbBackend::Postgres {
        select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
    } else {
        select
    }
}

/// Notices per workspace, published after commit.
#[derive(Default)]
struct Outbox(HashMap<Uuid, Notices>);

impl Outbox {
    fn of(&mut self, workspace_id: Uuid) -> &mut Notices {
        self.0.entry(workspace_id).or_default()
    }

    async fn publish(self, state: &AppState) {
        for notices in self.0.into_values() {
            notices.publish(state).await;
        }
    }
}

fn sla_label(kind: SlaKind) -> &'static str {
    match kind {
        SlaKind::FirstTouch => "first touch",
        SlaKind::StatusUpdate => "status update (accept or reject)",
    }
}

async fn person_name<C: ConnectionTrait>(conn: &C, id: Uuid) -> AppResult<String> {
    Ok(user_by_id(&crate::store::Global::new(conn), id)
        .await?
        .map_or_else(|| "A rep".to_owned(), |u| u.name))
}

/// Who hears about a breach besides the rep: their manager, else the sales leaders.
async fn escalation_targets<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rep: Uuid,
) -> AppResult<Vec<Uuid>> {
    if let Some(manager) = tenant.member_by_user(rep).await?.and_then(|m| m.manager_id) {
        return Ok(vec![manager]);
    }
    Ok(tenant
        .select::<membership::Entity>()
        .filter(membership::Column::Role.eq(Role::SalesLeader))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .filter(|id| *id != rep)
        .collect())
}

async fn breaches(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let txn = state.store.begin_write().await?;
    let due = claim(
        &txn,
        sla_clock::Entity::find()
            .filter(sla_clock::Column::MetAt.is_null())
            .filter(sla_clock::Column::BreachedAt.is_null())
            .filter(sla_clock::Column::DueAt.lte(now))
            .order_by_asc(sla_clock::Column::DueAt),
    )
    .all(&txn)
    .await?;
    let mut outbox = Outbox::default();
    for clock in &due {
        let tenant = Tenant::new(&txn, clock.workspace_id);
        let lead = tenant.get::<contact::Entity>(clock.contact_id).await?;
        let what = sla_label(clock.kind);
        let rep_message = format!(
            "SLA breached: the {what} on {} was due at {}",
            display_name(&lead),
            clock.due_at.to_rfc3339()
        );
        let notices = outbox.of(clock.workspace_id);
        notices.triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: clock.assignee_id,
                    kind: TriggerKind::SlaBreached,
                    lead_id: Some(lead.id),
                    play_id: None,
                    step: None,
                    due_at: Some(clock.due_at),
                    message: rep_message,
                },
                now,
            )
            .await?,
        );
        let rep = person_name(&txn, clock.assignee_id).await?;
        for manager in escalation_targets(&tenant, clock.assignee_id).await? {
            notices.triggers.push(
                triggers::write(
                    &tenant,
                    NewTrigger {
                        recipient_id: manager,
                        kind: TriggerKind::SlaBreached,
                        lead_id: Some(lead.id),
                        play_id: None,
                        step: None,
                        due_at: Some(clock.due_at),
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
        let mut active = clock.clone().into_active_model();
        active.breached_at = Set(Some(now));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    outbox.publish(state).await;
    Ok(due.len())
}

async fn warnings(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let txn = state.store.begin_write().await?;
    let due = claim(
        &txn,
        sla_clock::Entity::find()
            .filter(sla_clock::Column::MetAt.is_null())
            .filter(sla_clock::Column::WarnedAt.is_null())
            .filter(sla_clock::Column::BreachedAt.is_null())
            .filter(sla_clock::Column::WarnAt.lte(now))
            .order_by_asc(sla_clock::Column::WarnAt),
    )
    .all(&txn)
    .await?;
    let mut outbox = Outbox::default();
    for clock in &due {
        let tenant = Tenant::new(&txn, clock.workspace_id);
        let lead = tenant.get::<contact::Entity>(clock.contact_id).await?;
        outbox.of(clock.workspace_id).triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: clock.assignee_id,
                    kind: TriggerKind::SlaWarning,
                    lead_id: Some(lead.id),
                    play_id: None,
                    step: None,
                    due_at: Some(clock.due_at),
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
        let mut active = clock.clone().into_active_model();
        active.warned_at = Set(Some(now));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    outbox.publish(state).await;
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
    let txn = state.store.begin_write().await?;
    let due = claim(
        &txn,
        task::Entity::find()
            .filter(task::Column::Status.eq(TaskStatus::Open))
            .filter(task::Column::NotifiedAt.is_null())
            .filter(task::Column::DueAt.lte(now))
            .order_by_asc(task::Column::DueAt),
    )
    .all(&txn)
    .await?;
    let mut outbox = Outbox::default();
    let mut play_names: HashMap<Uuid, String> = HashMap::new();
    for step in &due {
        let tenant = Tenant::new(&txn, step.workspace_id);
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
        outbox.of(step.workspace_id).triggers.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: step.assignee_id,
                    kind: TriggerKind::PlayStepDue,
                    lead_id: Some(lead.id),
                    play_id: Some(step.play_id),
                    step: Some(step.step),
                    due_at: Some(step.due_at),
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
        let mut active = step.clone().into_active_model();
        active.notified_at = Set(Some(now));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    outbox.publish(state).await;
    Ok(due.len())
}

async fn plays_run_out(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let txn = state.store.begin_write().await?;
    let due = claim(
        &txn,
        enrollment::Entity::find()
            .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
            .filter(enrollment::Column::EndsAt.lte(now))
            .order_by_asc(enrollment::Column::EndsAt),
    )
    .all(&txn)
    .await?;
    let mut outbox = Outbox::default();
    for run in &due {
        let tenant = Tenant::new(&txn, run.workspace_id);
        let lead = tenant.get::<contact::Entity>(run.contact_id).await?;
        let play = tenant.get::<play::Entity>(run.play_id).await?;
        let (contract, terms) = contracts::active_terms(&tenant).await?;
        let since = lead
            .assigned_at
            .map_or(run.enrolled_at, |a| a.min(run.enrolled_at));
        let touches = touches_since(&tenant, lead.id, since).await?;
        let minimum = terms.slas.min_touches_before_recycle;
        let play_name = format!("play `{}`", play.name);
        match recycle_decision(&exit_of(&play), touches, minimum) {
            RecycleDecision::Recycle => {
                let notices = outbox.of(run.workspace_id);
                let lead = recycle_exhausted(
                    &tenant,
                    run,
                    lead,
                    &play_name,
                    (contract.as_ref(), &terms),
                    now,
                    notices,
                )
                .await?;
                let mut lead = lead;
                lead.updated_at = now;
                lead.into_active_model().reset_all().update(&txn).await?;
            }
            RecycleDecision::WaitForTouches { missing } => {
                outbox.of(run.workspace_id).triggers.push(
                    triggers::write(
                        &tenant,
                        NewTrigger {
                            recipient_id: run.owner_id,
                            kind: TriggerKind::PlayStepDue,
                            lead_id: Some(lead.id),
                            play_id: Some(run.play_id),
                            step: None,
                            due_at: None,
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
                let mut active = run.clone().into_active_model();
                active.ends_at = Set(None);
                active.update(&txn).await?;
            }
            RecycleDecision::End => {
                engine::end(
                    &tenant,
                    &[run.id],
                    EnrollmentStatus::Stopped,
                    "ran out of steps",
                    now,
                )
                .await?;
            }
        }
    }
    txn.commit().await?;
    outbox.publish(state).await;
    Ok(due.len())
}
