//! Triggers: the caller's inbox, acknowledging, and `playTriggers`, the live stream that replays
//! from the database after `since` and then follows the bus, in the recipient's sequence order.

use std::collections::VecDeque;

use async_graphql::{Context, Object, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use entity::{trigger, TriggerKind};
use futures_util::Stream;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::context::ContextExt;
use crate::{
    auth::{Actor, Credential},
    bus::{BusEvent, BusMessage, TriggerNotice},
    domain::permissions::Permission,
    error::{AppError, AppResult},
    services::access,
    state::AppState,
    store::{parse_id, Tenant},
};

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

/// Whose triggers the caller follows: a person their own, or (managers, leaders, partner apps
/// with `triggers:read`) the member they name.
async fn recipient_of(
    state: &AppState,
    actor: &Actor,
    recipient_id: Option<&ID>,
) -> AppResult<(Uuid, Uuid)> {
    let workspace_id = actor.require(Permission::ReadTriggers)?;
    let me = match actor.credential {
        Credential::User { user_id, .. } => Some(user_id),
        Credential::ApiToken { .. } => None,
    };
    let named = match recipient_id {
        Some(raw) => Some(
            Uuid::parse_str(raw.as_str())
                .map_err(|_| AppError::not_found_at("member", "recipientId"))?,
        ),
        None => None,
    };
    let recipient = match (named, me) {
        (Some(named), Some(me)) if named == me => me,
        (None, Some(me)) => me,
        (None, None) => {
            return Err(AppError::bad_input(
                "recipientId",
                "an API token names the member whose triggers it follows",
            ))
        }
        (Some(named), _) => {
            let tenant = state.store.tenant(workspace_id);
            if tenant.member_by_user(named).await?.is_none() {
                return Err(AppError::not_found_at("member", "recipientId"));
            }
            // People follow their own triggers, sales managers their team's, leaders, revops
            // and admins anyone's; a partner app with `triggers:read` names whom it follows.
            access::require_on(&tenant, actor, Permission::FollowTriggers, Some(named)).await?;
            named
        }
    };
    Ok((workspace_id, recipient))
}

/// The sequence of `since`, which must be one of the recipient's triggers.
async fn sequence_of(
    state: &AppState,
    workspace_id: Uuid,
    recipient: Uuid,
    since: Option<&ID>,
) -> AppResult<i64> {
    let Some(raw) = since else {
        return Ok(0);
    };
    let seen = state
        .store
        .tenant(workspace_id)
        .get::<trigger::Entity>(parse_id(raw, "trigger")?)
        .await
        .map_err(|_| AppError::not_found_at("trigger", "since"))?;
    if seen.recipient_id != recipient {
        return Err(AppError::not_found_at("trigger", "since"));
    }
    Ok(seen.sequence)
}

async fn read_after<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    recipient: Uuid,
    after: i64,
    limit: u64,
) -> AppResult<Vec<trigger::Model>> {
    Ok(tenant
        .select::<trigger::Entity>()
        .filter(trigger::Column::RecipientId.eq(recipient))
        .filter(trigger::Column::Sequence.gt(after))
        .order_by_asc(trigger::Column::Sequence)
        .limit(limit)
        .all(tenant.conn())
        .await?)
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
        let state = ctx.state();
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadTriggers)?;
        let me = actor.user_id()?;
        if !(1..=state.config.max_page_size as i32).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                format!("must be 1 to {}", state.config.max_page_size),
            )
            .into());
        }
        let after = sequence_of(state, workspace_id, me, since.as_ref()).await?;
        let rows = read_after(&state.store.tenant(workspace_id), me, after, first as u64).await?;
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
        let workspace_id = actor.require(Permission::ReadTriggers)?;
        let me = actor.user_id()?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
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
        active.acknowledged_at = Set(Some(state.clock.now()));
        Ok(active
            .update(tenant.conn())
            .await
            .map_err(AppError::from)?
            .into())
    }
}

/// Rows read per round trip when replaying.
const REPLAY_PAGE: u64 = 200;

/// One subscription's position in its recipient's trigger sequence.
struct Follow {
    state: AppState,
    workspace_id: Uuid,
    recipient: Uuid,
    receiver: broadcast::Receiver<BusMessage>,
    last: i64,
    buffer: VecDeque<Trigger>,
    /// Rows past `last` may be in the database and not yet streamed.
    behind: bool,
}

impl Follow {
    /// The next trigger in sequence order: buffered ones first, then any the database holds
    /// past the last one streamed, then whatever the bus announces.
    async fn next(mut self) -> Option<(Trigger, Self)> {
        loop {
            if let Some(next) = self.buffer.pop_front() {
                self.last = next.sequence;
                return Some((next, self));
            }
            if self.behind {
                let tenant = self.state.store.tenant(self.workspace_id);
                // Boxed, so an idle subscription does not carry a database query's state.
                match Box::pin(read_after(&tenant, self.recipient, self.last, REPLAY_PAGE)).await {
                    Ok(rows) => {
                        self.behind = rows.len() as u64 == REPLAY_PAGE;
                        self.buffer.extend(rows.into_iter().map(Trigger::from));
                        continue;
                    }
                    Err(err) => {
                        // A database blip must not end the stream: try again shortly.
                        tracing::warn!(error = ?err, "trigger replay failed; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        continue;
                    }
                }
            }
            match self.receiver.recv().await {
                Ok(BusMessage {
                    workspace_id,
                    event: BusEvent::Trigger(notice),
                }) if workspace_id == self.workspace_id
                    && notice.recipient_id == self.recipient =>
                {
                    if notice.sequence == self.last + 1 {
                        let waited = chrono::Utc::now() - notice.created_at;
                        if let Ok(waited) = waited.to_std() {
                            self.state
                                .prometheus
                                .trigger_delivery
                                .observe(waited.as_secs_f64());
                        }
                        self.buffer.push_back(notice.into());
                    } else if notice.sequence > self.last {
                        // A gap: an earlier trigger's message was lost or is late.
                        self.behind = true;
                    }
                }
                Ok(BusMessage {
                    event: BusEvent::Resync,
                    ..
                })
                | Err(RecvError::Lagged(_)) => self.behind = true,
                Ok(_) => {}
                Err(RecvError::Closed) => return None,
            }
        }
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
        let state = ctx.state().clone();
        let actor = ctx.actor()?;
        let (workspace_id, recipient) = recipient_of(&state, actor, recipient_id.as_ref()).await?;
        // Subscribe before reading, so nothing committed in between falls through.
        let receiver = state.bus.subscribe();
        let last = sequence_of(&state, workspace_id, recipient, since.as_ref()).await?;
        let follow = Follow {
            state,
            workspace_id,
            recipient,
            receiver,
            last,
            buffer: VecDeque::new(),
            behind: true,
        };
        Ok(futures_util::stream::unfold(follow, Follow::next))
    }
}
