//! Triggers: the caller's inbox, acknowledging, and `playTriggers`, the live stream that replays
//! from the database after `since` and then follows the bus, in the recipient's sequence order.

use async_graphql::{Context, Object, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use entity::{trigger, TriggerKind};
use futures_util::{Stream, StreamExt};

use super::context::ContextExt;
use crate::{bus::TriggerNotice, services::triggers};

/// Something that needs a person now.
#[derive(SimpleObject, Clone, Debug)]
pub struct Trigger {
    pub id: ID,
    /// Strictly increasing per recipient: resume after the last one seen.
    pub sequence: i64,
    pub kind: TriggerKind,
    pub message: String,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub recipient_id: ID,
    pub lead: Option<LeadRef>,
    pub play: Option<PlayRef>,
    /// The cadence step (1-based) it is about.
    pub step: Option<i32>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct LeadRef {
    pub id: ID,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct PlayRef {
    pub id: ID,
}

impl From<TriggerNotice> for Trigger {
    fn from(row: TriggerNotice) -> Self {
        Self {
            id: row.id.into(),
            sequence: row.sequence,
            kind: row.kind,
            message: row.message,
            due_at: row.due_at,
            created_at: row.created_at,
            acknowledged_at: row.acknowledged_at,
            recipient_id: row.recipient_id.into(),
            lead: row.lead_id.map(|id| LeadRef { id: id.into() }),
            play: row.play_id.map(|id| PlayRef { id: id.into() }),
            step: row.step,
        }
    }
}

impl From<trigger::Model> for Trigger {
    fn from(row: trigger::Model) -> Self {
        TriggerNotice::from(row).into()
    }
}

#[derive(Default)]
pub struct TriggerQuery;

#[Object]
impl TriggerQuery {
    /// The caller's triggers after `since` (a trigger id), oldest first. `open: true` keeps those
    /// not yet acknowledged (what is still due), `open: false` those acknowledged; `kinds` keeps
    /// the triggers of those kinds.
    async fn triggers(
        &self,
        ctx: &Context<'_>,
        since: Option<ID>,
        #[graphql(default = 50)] first: i32,
        open: Option<bool>,
        kinds: Option<Vec<TriggerKind>>,
    ) -> Result<Vec<Trigger>> {
        let filter = triggers::InboxFilter { open, kinds };
        let rows =
            triggers::inbox(ctx.state(), ctx.actor()?, since.as_ref(), &filter, first).await?;
        Ok(rows.into_iter().map(Trigger::from).collect())
    }
}

#[derive(Default)]
pub struct TriggerMutation;

#[Object]
impl TriggerMutation {
    /// Marks one of the caller's triggers as seen and handled.
    async fn acknowledge_trigger(&self, ctx: &Context<'_>, id: ID) -> Result<Trigger> {
        Ok(triggers::acknowledge(ctx.state(), ctx.actor()?, &id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct TriggerSubscription;

#[Subscription]
impl TriggerSubscription {
    /// The caller's triggers, live: every trigger after `since` (the last one the client saw)
    /// is replayed from the database, then new ones stream as they are committed, exactly once
    /// each and strictly in sequence order. Partner apps (`triggers:read`), sales managers (for
    /// their team) and leaders name the member to follow with `recipientId`.
    async fn play_triggers(
        &self,
        ctx: &Context<'_>,
        since: Option<ID>,
        recipient_id: Option<ID>,
    ) -> Result<impl Stream<Item = Trigger>> {
        let stream = triggers::follow(
            ctx.state(),
            ctx.actor()?,
            since.as_ref(),
            recipient_id.as_ref(),
        )
        .await?;
        Ok(stream.map(Trigger::from))
    }
}
