//! The caller's trigger inbox.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{trigger, TriggerKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::context::ContextExt;
use crate::{domain::permissions::Permission, error::AppError, store::parse_id};

/// Something that needs a person now.
#[derive(SimpleObject)]
pub struct Trigger {
    pub id: ID,
    /// Strictly increasing per recipient: resume after the last one seen.
    pub sequence: i64,
    pub kind: TriggerKind,
    pub message: String,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub lead: Option<LeadRef>,
}

#[derive(SimpleObject)]
pub struct LeadRef {
    pub id: ID,
}

impl From<trigger::Model> for Trigger {
    fn from(row: trigger::Model) -> Self {
        Self {
            id: row.id.into(),
            sequence: row.sequence,
            kind: row.kind,
            message: row.message,
            due_at: row.due_at,
            created_at: row.created_at,
            acknowledged_at: row.acknowledged_at,
            lead: row.lead_id.map(|id| LeadRef { id: id.into() }),
        }
    }
}

#[derive(Default)]
pub struct TriggerQuery;

#[Object]
impl TriggerQuery {
    /// The caller's triggers after `since` (a trigger id), oldest first.
    async fn triggers(
        &self,
        ctx: &Context<'_>,
        since: Option<ID>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<Trigger>> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadWorkspace)?;
        let me = actor.user_id()?;
        if !(1..=ctx.state().config.max_page_size as i32).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                format!("must be 1 to {}", ctx.state().config.max_page_size),
            )
            .into());
        }
        let tenant = ctx.state().store.tenant(workspace_id);
        let after = match &since {
            Some(id) => {
                let seen = tenant
                    .get::<trigger::Entity>(parse_id(id, "trigger")?)
                    .await?;
                if seen.recipient_id != me {
                    return Err(AppError::not_found("trigger").into());
                }
                seen.sequence
            }
            None => 0,
        };
        let rows = tenant
            .select::<trigger::Entity>()
            .filter(trigger::Column::RecipientId.eq(me))
            .filter(trigger::Column::Sequence.gt(after))
            .order_by_asc(trigger::Column::Sequence)
            .limit(first as u64)
            .all(tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(Trigger::from).collect())
    }
}

#[derive(Default)]
pub struct TriggerMutation;

#[Object]
impl TriggerMutation {
    /// Marks one of the caller's triggers as seen and handled.
    async fn acknowledge_trigger(&self, ctx: &Context<'_>, id: ID) -> Result<Trigger> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadWorkspace)?;
        let me = actor.user_id()?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let row = tenant
            .get::<trigger::Entity>(parse_id(&id, "trigger")?)
            .await?;
        if row.recipient_id != me {
            return Err(AppError::not_found("trigger").into());
        }
        if row.acknowledged_at.is_some() {
            return Ok(row.into());
        }
        let mut active = row.into_active_model();
        active.acknowledged_at = Set(Some(Utc::now()));
        Ok(active
            .update(tenant.conn())
            .await
            .map_err(AppError::from)?
            .into())
    }
}
