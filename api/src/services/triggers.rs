//! Triggers are rows first, messages second: written in the transaction of the change that
//! caused them, with a per-recipient sequence allocated there, then published after commit
//! ([`crate::services::notices::Notices`]). Also: whose triggers a caller may follow, and
//! acknowledging one.

use std::collections::VecDeque;

use async_graphql::ID;
use chrono::{DateTime, Utc};
use entity::trigger;
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

pub use crate::store::triggers::{InboxFilter, NewTrigger};
use crate::{
    auth::{Actor, Credential},
    bus::{BusEvent, BusMessage, TriggerNotice},
    domain::permissions::Permission,
    error::{AppError, AppResult},
    services::{access, unit_of_work::UnitOfWork},
    state::AppState,
    store::{self, parse_id, Tenant},
};

/// Writes the trigger row, a trigger about a lead with its intel package (composed here when
/// the caller brought none); the unit of work publishes it once the transaction committed (push
/// the row on its notices' `triggers`).
pub async fn write<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    new: NewTrigger,
    now: DateTime<Utc>,
) -> AppResult<trigger::Model> {
    let mut one = [new];
    crate::services::intel::complete(tenant, &mut one, now).await?;
    let [new] = one;
    store::triggers::append(tenant, new, now).await
}

/// Whose triggers the caller follows: a person their own, or (managers, leaders, partner apps
/// with `triggers:read`) the member they name. Returns the workspace and the recipient.
pub async fn recipient_of(
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
        Some(raw) => Some(store::parse_id_at(raw, "member", "recipientId")?),
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
pub async fn sequence_of(
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

/// The caller's inbox: up to `first` of their triggers after `since` (a trigger id), oldest
/// first.
pub async fn inbox(
    state: &AppState,
    actor: &Actor,
    since: Option<&ID>,
    filter: &store::triggers::InboxFilter,
    first: i32,
) -> AppResult<Vec<trigger::Model>> {
    let workspace_id = actor.require(Permission::ReadTriggers)?;
    let me = actor.user_id()?;
    if !(1..=state.config.max_page_size as i32).contains(&first) {
        return Err(AppError::bad_input(
            "first",
            format!("must be 1 to {}", state.config.max_page_size),
        ));
    }
    let after = sequence_of(state, workspace_id, me, since).await?;
    store::triggers::inbox(
        &state.store.tenant(workspace_id),
        me,
        after,
        filter,
        first as u64,
    )
    .await
}

/// Marks one of the caller's triggers as seen and handled (again: it keeps the first time).
pub async fn acknowledge(state: &AppState, actor: &Actor, id: &ID) -> AppResult<trigger::Model> {
    let workspace_id = actor.require(Permission::ReadTriggers)?;
    let me = actor.user_id()?;
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant
        .get::<trigger::Entity>(parse_id(id, "trigger")?)
        .await?;
    if row.recipient_id != me {
        return Err(AppError::not_found("trigger"));
    }
    if row.acknowledged_at.is_some() {
        return Ok(row);
    }
    let row = store::triggers::acknowledge(&tenant, row, state.clock.now()).await?;
    work.commit().await?;
    Ok(row)
}

/// Rows read per round trip when replaying.
const REPLAY_PAGE: u64 = 200;

/// `recipient`'s triggers, live: every trigger after `since` (the last one the client saw) is
/// replayed from the database, then new ones stream as they are committed, exactly once each
/// and strictly in sequence order.
pub async fn follow(
    state: &AppState,
    actor: &Actor,
    since: Option<&ID>,
    recipient_id: Option<&ID>,
) -> AppResult<impl Stream<Item = TriggerNotice>> {
    let turn = state.socket_setup.acquire().await;
    let (workspace_id, recipient) = recipient_of(state, actor, recipient_id).await?;
    // Subscribe before reading, so nothing committed in between falls through.
    let receiver = state.bus.subscribe();
    let last = sequence_of(state, workspace_id, recipient, since).await?;
    drop(turn);
    let follow = Follow {
        state: state.clone(),
        workspace_id,
        recipient,
        receiver,
        last,
        buffer: VecDeque::new(),
        behind: true,
    };
    Ok(futures_util::stream::unfold(follow, Follow::next))
}

/// One subscription's position in its recipient's trigger sequence.
struct Follow {
    state: AppState,
    workspace_id: Uuid,
    recipient: Uuid,
    receiver: broadcast::Receiver<BusMessage>,
    last: i64,
    buffer: VecDeque<TriggerNotice>,
    /// Rows past `last` may be in the database and not yet streamed.
    behind: bool,
}

impl Follow {
    /// The next trigger in sequence order: buffered ones first, then any the database holds
    /// past the last one streamed, then whatever the bus announces.
    async fn next(mut self) -> Option<(TriggerNotice, Self)> {
        loop {
            if let Some(next) = self.buffer.pop_front() {
                self.last = next.sequence;
                if self.buffer.is_empty() {
                    // A replay can buffer a page of rows; an idle subscription keeps none.
                    self.buffer = VecDeque::new();
                }
                return Some((next, self));
            }
            if self.behind {
                // A burst of sockets subscribing (every rep reconnecting after a deploy) waits
                // for turns at a few bytes each: a replay's query, built only once its turn
                // comes, holds kilobytes while it waits for a pooled connection.
                let turn = self.state.socket_setup.acquire().await;
                let tenant = self.state.store.tenant(self.workspace_id);
                // Boxed, so an idle subscription does not carry a database query's state.
                let read = store::triggers::after(&tenant, self.recipient, self.last, REPLAY_PAGE);
                let read = Box::pin(read).await;
                drop(turn);
                match read {
                    Ok(rows) => {
                        self.behind = rows.len() as u64 == REPLAY_PAGE;
                        self.buffer
                            .extend(rows.into_iter().map(TriggerNotice::from));
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
                        self.buffer.push_back(notice);
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
