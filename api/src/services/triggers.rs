//! Triggers are rows first, messages second: written in the transaction of the change that
//! caused them, with a per-recipient sequence allocated there, then published after commit
//! ([`crate::services::notices::Notices`]).

use chrono::{DateTime, Utc};
use entity::{recipient_sequence, trigger, TriggerKind};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::{error::AppResult, store::Tenant};

/// What a trigger is about, before it has a sequence.
pub struct NewTrigger {
    pub recipient_id: Uuid,
    pub kind: TriggerKind,
    pub lead_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
    /// The cadence step (1-based) the trigger is about.
    pub step: Option<i32>,
    pub due_at: Option<DateTime<Utc>>,
    pub message: String,
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

/// Writes the trigger row; publish it with [`publish`] once the transaction committed.
pub async fn write<C: ConnectionTrait>(
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
        message: Set(new.message),
        created_at: Set(now),
        acknowledged_at: Set(None),
    })
    .exec_with_returning(tenant.conn())
    .await?)
}
