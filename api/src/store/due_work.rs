//! The work the background jobs find due, across workspaces: SLA clocks to warn about or
//! breach, cadence steps to announce, plays that ran out, leads to return to nurture. A claim
//! locks its batch for the transaction (`FOR UPDATE SKIP LOCKED` on Postgres, so another
//! instance skips those rows; SQLite has one writer), and each item is marked done in the same
//! transaction as the triggers it writes, so it fires exactly once.

use chrono::{DateTime, Utc};
use entity::{
    contact, enrollment, sla_clock, task, webhook_delivery, workspace, DeliveryStatus,
    EnrollmentStatus, LeadStage, TaskStatus,
};
use sea_orm::{
    sea_query::{LockBehavior, LockType},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::{Global, Tenant};
use crate::error::AppResult;

/// Claims up to `batch` rows of `select` for this transaction: others skip them until it ends.
fn claim<E: EntityTrait, C: ConnectionTrait>(conn: &C, select: Select<E>, batch: u64) -> Select<E> {
    let select = select.limit(batch);
    if conn.get_database_backend() == DbBackend::Postgres {
        select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
    } else {
        select
    }
}

/// Running SLA clocks past due and not yet breached, earliest first.
pub async fn breaches<C: ConnectionTrait>(
    global: &Global<'_, C>,
    now: DateTime<Utc>,
    batch: u64,
) -> AppResult<Vec<sla_clock::Model>> {
    let select = sla_clock::Entity::find()
        .filter(sla_clock::Column::MetAt.is_null())
        .filter(sla_clock::Column::BreachedAt.is_null())
        .filter(sla_clock::Column::DueAt.lte(now))
        .order_by_asc(sla_clock::Column::DueAt);
    Ok(claim(global.conn(), select, batch)
        .all(global.conn())
        .await?)
}

/// Running SLA clocks past their warning time, neither warned nor breached, earliest first.
pub async fn warnings<C: ConnectionTrait>(
    global: &Global<'_, C>,
    now: DateTime<Utc>,
    batch: u64,
) -> AppResult<Vec<sla_clock::Model>> {
    let select = sla_clock::Entity::find()
        .filter(sla_clock::Column::MetAt.is_null())
        .filter(sla_clock::Column::WarnedAt.is_null())
        .filter(sla_clock::Column::BreachedAt.is_null())
        .filter(sla_clock::Column::WarnAt.lte(now))
        .order_by_asc(sla_clock::Column::WarnAt);
    Ok(claim(global.conn(), select, batch)
        .all(global.conn())
        .await?)
}

/// Open cadence steps due and not yet announced, earliest first.
pub async fn steps<C: ConnectionTrait>(
    global: &Global<'_, C>,
    now: DateTime<Utc>,
    batch: u64,
) -> AppResult<Vec<task::Model>> {
    let select = task::Entity::find()
        .filter(task::Column::Status.eq(TaskStatus::Open))
        .filter(task::Column::NotifiedAt.is_null())
        .filter(task::Column::DueAt.lte(now))
        .order_by_asc(task::Column::DueAt);
    Ok(claim(global.conn(), select, batch)
        .all(global.conn())
        .await?)
}

/// Active play enrolments past their end, earliest first.
pub async fn runs_out<C: ConnectionTrait>(
    global: &Global<'_, C>,
    now: DateTime<Utc>,
    batch: u64,
) -> AppResult<Vec<enrollment::Model>> {
    let select = enrollment::Entity::find()
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enrollment::Column::EndsAt.lte(now))
        .order_by_asc(enrollment::Column::EndsAt);
    Ok(claim(global.conn(), select, batch)
        .all(global.conn())
        .await?)
}

/// Leads of the workspace still LEAD or MQL whose last engagement is before `cutoff`.
pub async fn gone_quiet<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> AppResult<Vec<contact::Model>> {
    let select = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::Stage.is_in([LeadStage::Lead, LeadStage::Mql]))
        .filter(contact::Column::LastEngagedAt.lt(cutoff));
    Ok(claim(tenant.conn(), select, batch)
        .all(tenant.conn())
        .await?)
}

/// NURTURE leads whose CHECK_BACK date is `today` or earlier, claimed for this transaction.
pub async fn check_backs_due<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    today: chrono::NaiveDate,
    batch: u64,
) -> AppResult<Vec<contact::Model>> {
    let select = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::CheckBackOn.lte(today))
        .filter(contact::Column::Stage.eq(LeadStage::Nurture))
        .order_by_asc(contact::Column::CheckBackOn)
        .order_by_asc(contact::Column::Id);
    Ok(claim(tenant.conn(), select, batch)
        .all(tenant.conn())
        .await?)
}

/// Every workspace's id (the nurture pass visits them one at a time).
pub async fn workspace_ids<C: ConnectionTrait>(global: &Global<'_, C>) -> AppResult<Vec<Uuid>> {
    Ok(workspace::Entity::find()
        .all(global.conn())
        .await?
        .into_iter()
        .map(|ws| ws.id)
        .collect())
}

/// Records that the clock's breach was announced.
pub async fn mark_breached<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    clock: &sla_clock::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut active = clock.clone().into_active_model();
    active.breached_at = Set(Some(now));
    active.update(tenant.conn()).await?;
    Ok(())
}

/// Records that the clock's warning was announced.
pub async fn mark_warned<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    clock: &sla_clock::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut active = clock.clone().into_active_model();
    active.warned_at = Set(Some(now));
    active.update(tenant.conn()).await?;
    Ok(())
}

/// Records that the step was announced to its assignee.
pub async fn mark_notified<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    step: &task::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut active = step.clone().into_active_model();
    active.notified_at = Set(Some(now));
    active.update(tenant.conn()).await?;
    Ok(())
}

/// The run waits for touches: it no longer ends by date.
pub async fn clear_end<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    run: &enrollment::Model,
) -> AppResult<()> {
    let mut active = run.clone().into_active_model();
    active.ends_at = Set(None);
    active.update(tenant.conn()).await?;
    Ok(())
}

/// How much due work waits, per queue, across workspaces: SLA clocks past due and not yet
/// handled, cadence steps due and not yet announced, webhook deliveries due.
pub async fn queue_depths<C: ConnectionTrait>(
    global: &Global<'_, C>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(&'static str, u64)>> {
    let db = global.conn();
    let clocks = sla_clock::Entity::find()
        .filter(sla_clock::Column::MetAt.is_null())
        .filter(sla_clock::Column::BreachedAt.is_null())
        .filter(sla_clock::Column::DueAt.lte(now))
        .count(db)
        .await?;
    let steps = task::Entity::find()
        .filter(task::Column::Status.eq(TaskStatus::Open))
        .filter(task::Column::NotifiedAt.is_null())
        .filter(task::Column::DueAt.lte(now))
        .count(db)
        .await?;
    let webhooks = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .count(db)
        .await?;
    Ok(vec![
        ("sla_clocks", clocks),
        ("cadence_steps", steps),
        ("webhook_deliveries", webhooks),
    ])
}
