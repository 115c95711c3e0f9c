//! Triggers (what a rep receives) and the per-recipient sequence that orders them. Rows first,
//! messages second: a trigger is written in the transaction of the change that caused it and
//! published after commit.

use chrono::{DateTime, Utc};
use entity::{recipient_sequence, trigger, TriggerKind};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::Tenant;
use crate::{domain::intel::Intel, error::AppResult};

/// What a trigger is about, before it has a sequence.
pub struct NewTrigger {
    pub recipient_id: Uuid,
    pub kind: TriggerKind,
    pub lead_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
    /// The cadence step (1-based) the trigger is about.
    pub step: Option<i32>,
    pub due_at: Option<DateTime<Utc>>,
    /// The lead intel package, composed before the trigger is written (see
    /// `services::intel`); `None` for a trigger about no lead.
    pub intel: Option<Intel>,
    pub message: String,
}

fn intel_json(intel: Option<&Intel>) -> Option<serde_json::Value> {
    intel.and_then(|i| serde_json::to_value(i).ok())
}

/// The next sequence for `recipient`, allocated inside the caller's transaction so concurrent
/// writers queue on the row and `since` stays exact.
async fn next_sequence<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    recipient: Uuid,
) -> AppResult<i64> {
    let bumped = recipient_sequence::Entity::update_many()
        .col_expr(
            recipient_sequence::Column::LastSequence,
            Expr::col(recipient_sequence::Column::LastSequence).add(1),
        )
        .filter(recipient_sequence::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(recipient_sequence::Column::RecipientId.eq(recipient))
        .exec(tenant.conn())
        .await?;
    if bumped.rows_affected == 0 {
        recipient_sequence::Entity::insert(recipient_sequence::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            recipient_id: Set(recipient),
            last_sequence: Set(1),
        })
        .exec(tenant.conn())
        .await?;
        return Ok(1);
    }
    let row = tenant
        .select::<recipient_sequence::Entity>()
        .filter(recipient_sequence::Column::RecipientId.eq(recipient))
        .one(tenant.conn())
        .await?
        .map_or(1, |r| r.last_sequence);
    Ok(row)
}

/// Writes the trigger row with the recipient's next sequence.
pub async fn append<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    new: NewTrigger,
    now: DateTime<Utc>,
) -> AppResult<trigger::Model> {
    let sequence = next_sequence(tenant, new.recipient_id).await?;
    Ok(trigger::Entity::insert(trigger::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        recipient_id: Set(new.recipient_id),
        sequence: Set(sequence),
        kind: Set(new.kind),
        lead_id: Set(new.lead_id),
        play_id: Set(new.play_id),
        step: Set(new.step),
        due_at: Set(new.due_at),
        intel: Set(intel_json(new.intel.as_ref())),
        message: Set(new.message),
        created_at: Set(now),
        acknowledged_at: Set(None),
    })
    .exec_with_returning(tenant.conn())
    .await?)
}

/// Writes the triggers of a batch, in order, each with its recipient's next sequence: every
/// recipient's sequence moves once by its count of triggers (one UPDATE for all), and the rows
/// go in with one INSERT. A recipient's first triggers create its sequence row first (a
/// concurrent writer creating it too is skipped, not failed).
pub async fn append_many<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    new: Vec<NewTrigger>,
    now: DateTime<Utc>,
) -> AppResult<Vec<trigger::Model>> {
    use recipient_sequence::Column as S;
    use sea_orm::sea_query::CaseStatement;
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let mut counts: Vec<(Uuid, i64)> = Vec::new();
    for t in &new {
        match counts.iter_mut().find(|(r, _)| *r == t.recipient_id) {
            Some((_, n)) => *n += 1,
            None => counts.push((t.recipient_id, 1)),
        }
    }
    counts.sort();
    let workspace_id = tenant.workspace_id();
    recipient_sequence::Entity::insert_many(counts.iter().map(|&(recipient, _)| {
        recipient_sequence::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            recipient_id: Set(recipient),
            last_sequence: Set(0),
        }
    }))
    .on_conflict_do_nothing_on([S::WorkspaceId, S::RecipientId])
    .exec_without_returning(tenant.conn())
    .await?;
    let mut by = CaseStatement::new();
    for &(recipient, n) in &counts {
        by = by.case(Expr::col(S::RecipientId).eq(recipient), Expr::val(n));
    }
    let moved = recipient_sequence::Entity::update_many()
        .col_expr(S::LastSequence, Expr::col(S::LastSequence).add(by))
        .filter(S::WorkspaceId.eq(workspace_id))
        .filter(S::RecipientId.is_in(counts.iter().map(|(r, _)| *r)))
        .exec_with_returning(tenant.conn())
        .await?;
    // The first sequence each recipient's triggers take, counting up in batch order.
    let mut next: std::collections::HashMap<Uuid, i64> = moved
        .iter()
        .map(|row| {
            let n = counts
                .iter()
                .find(|(r, _)| *r == row.recipient_id)
                .map_or(0, |c| c.1);
            (row.recipient_id, row.last_sequence - n + 1)
        })
        .collect();
    let rows: Vec<trigger::Model> = new
        .into_iter()
        .map(|t| {
            let sequence = next.get_mut(&t.recipient_id).map_or(1, |s| {
                *s += 1;
                *s - 1
            });
            trigger::Model {
                id: Uuid::now_v7(),
                workspace_id,
                recipient_id: t.recipient_id,
                sequence,
                kind: t.kind,
                lead_id: t.lead_id,
                play_id: t.play_id,
                step: t.step,
                due_at: t.due_at,
                intel: intel_json(t.intel.as_ref()),
                message: t.message,
                created_at: now,
                acknowledged_at: None,
            }
        })
        .collect();
    let active: Vec<_> = rows
        .iter()
        .cloned()
        .map(IntoActiveModel::into_active_model)
        .collect();
    super::sql::insert_all::<trigger::Entity, _>(tenant, &active).await?;
    Ok(rows)
}

/// Which of a recipient's triggers an inbox shows: only the open ones (not yet acknowledged),
/// only the acknowledged ones, or both; of some kinds or of every kind.
#[derive(Clone, Debug, Default)]
pub struct InboxFilter {
    pub open: Option<bool>,
    pub kinds: Option<Vec<TriggerKind>>,
}

/// Up to `limit` of `recipient`'s triggers after sequence `after`, in sequence order.
pub async fn after<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    recipient: Uuid,
    after: i64,
    limit: u64,
) -> AppResult<Vec<trigger::Model>> {
    inbox(tenant, recipient, after, &InboxFilter::default(), limit).await
}

/// Up to `limit` of `recipient`'s triggers after sequence `after` that pass `filter`, in
/// sequence order.
pub async fn inbox<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    recipient: Uuid,
    after: i64,
    filter: &InboxFilter,
    limit: u64,
) -> AppResult<Vec<trigger::Model>> {
    let mut query = tenant
        .select::<trigger::Entity>()
        .filter(trigger::Column::RecipientId.eq(recipient))
        .filter(trigger::Column::Sequence.gt(after));
    match filter.open {
        Some(true) => query = query.filter(trigger::Column::AcknowledgedAt.is_null()),
        Some(false) => query = query.filter(trigger::Column::AcknowledgedAt.is_not_null()),
        None => {}
    }
    if let Some(kinds) = &filter.kinds {
        query = query.filter(trigger::Column::Kind.is_in(kinds.iter().copied()));
    }
    Ok(query
        .order_by_asc(trigger::Column::Sequence)
        .limit(limit)
        .all(tenant.conn())
        .await?)
}

/// Marks one trigger seen at `now`.
pub async fn acknowledge<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: trigger::Model,
    now: DateTime<Utc>,
) -> AppResult<trigger::Model> {
    let mut active = row.into_active_model();
    active.acknowledged_at = Set(Some(now));
    Ok(active.update(tenant.conn()).await?)
}

/// Closes the lead's open SLA triggers (warnings and breaches): someone acted on the lead.
pub async fn acknowledge_sla_of_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    trigger::Entity::update_many()
        .col_expr(trigger::Column::AcknowledgedAt, Some(now).into())
        .filter(trigger::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(trigger::Column::LeadId.eq(lead))
        .filter(trigger::Column::Kind.is_in([TriggerKind::SlaWarning, TriggerKind::SlaBreached]))
        .filter(trigger::Column::AcknowledgedAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Closes the lead's open triggers of `kind` (an UNROUTABLE_LEAD once the lead is routed).
pub async fn acknowledge_of_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: TriggerKind,
    now: DateTime<Utc>,
) -> AppResult<()> {
    trigger::Entity::update_many()
        .col_expr(trigger::Column::AcknowledgedAt, Some(now).into())
        .filter(trigger::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(trigger::Column::LeadId.eq(lead))
        .filter(trigger::Column::Kind.eq(kind))
        .filter(trigger::Column::AcknowledgedAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Closes the lead's open SLA triggers (warnings and breaches) about the clocks due at `due`:
/// an SLA trigger carries its clock's due time, so meeting one SLA closes only its triggers.
pub async fn acknowledge_sla_due<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    due: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if due.is_empty() {
        return Ok(());
    }
    trigger::Entity::update_many()
        .col_expr(trigger::Column::AcknowledgedAt, Some(now).into())
        .filter(trigger::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(trigger::Column::LeadId.eq(lead))
        .filter(trigger::Column::Kind.is_in([TriggerKind::SlaWarning, TriggerKind::SlaBreached]))
        .filter(trigger::Column::DueAt.is_in(due.iter().copied()))
        .filter(trigger::Column::AcknowledgedAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}
