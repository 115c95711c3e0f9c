//! The bus carries what happened after it was committed: activity for dashboards, triggers for
//! reps, credential revocations and changes for open sockets and cached credentials. Delivery
//! is at-most-once; the database is the truth, so a subscriber that missed a message can catch
//! up from its rows.

mod memory;
mod redis_bus;
pub(crate) use redis_bus::bounded as bounded_redis_call;

pub use async_trait_free::BoxFuture;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

pub use memory::MemoryBus;
pub use redis_bus::RedisBus;

/// Room for bursts before a slow local subscriber starts missing messages.
pub(crate) const LOCAL_CAPACITY: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityKind {
    MemberAdded,
    MemberRoleChanged,
    MemberRemoved,
    ApiTokenCreated,
    ApiTokenRevoked,
    /// A lead changed stage (subject: the lead).
    LeadStageChanged,
    /// A trigger went to someone (subject: the trigger).
    TriggerCreated,
}

/// Something that happened in a workspace, for its `workspaceActivity` stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Activity {
    pub id: Uuid,
    pub kind: ActivityKind,
    pub actor_user_id: Option<Uuid>,
    pub subject_id: Uuid,
    pub message: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BusEvent {
    Activity(Activity),
    /// A session (refresh-token family) ended; sockets opened with its access tokens close.
    SessionRevoked {
        session_id: Uuid,
    },
    /// An API token was revoked; sockets opened with it close.
    ApiTokenRevoked {
        token_id: Uuid,
    },
    /// A member lost their seat; their sockets in that workspace close.
    MembershipEnded {
        user_id: Uuid,
    },
    /// A member's seat changed in a way that authorizes differently (a new role, a new seat):
    /// instances forget the role they cached for it.
    MembershipChanged {
        user_id: Uuid,
    },
    /// An API token changed what it may do (its allow-list mode): instances forget the token
    /// they cached (its open sockets notice at their next credential check).
    ApiTokenChanged {
        token_id: Uuid,
    },
    /// A trigger row was committed for a person. Subscribers that saw the recipient's previous
    /// sequence stream it as it is; any gap is read from the database.
    Trigger(TriggerNotice),
    /// A lead changed stage (committed), for dashboards and managers.
    StageChanged(StageChangeNotice),
    /// Local only, never sent between processes: this process may have missed messages (the
    /// Redis subscription was re-established), so subscribers re-read what they follow.
    Resync,
}

/// A committed trigger, as carried on the bus: everything a subscription streams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerNotice {
    pub id: Uuid,
    pub recipient_id: Uuid,
    pub sequence: i64,
    pub kind: entity::TriggerKind,
    pub lead_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
    pub step: Option<i32>,
    pub due_at: Option<DateTime<Utc>>,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The lead intel package stored with the trigger (boxed: most of a notice's size).
    #[serde(default)]
    pub intel: Option<Box<crate::domain::intel::Intel>>,
}

impl From<entity::trigger::Model> for TriggerNotice {
    fn from(row: entity::trigger::Model) -> Self {
        Self {
            id: row.id,
            recipient_id: row.recipient_id,
            sequence: row.sequence,
            kind: row.kind,
            lead_id: row.lead_id,
            play_id: row.play_id,
            step: row.step,
            due_at: row.due_at,
            message: row.message,
            created_at: row.created_at,
            acknowledged_at: row.acknowledged_at,
            intel: row
                .intel
                .and_then(|json| serde_json::from_value(json).ok())
                .map(Box::new),
        }
    }
}

/// A committed stage change, with the lead's owner so managers can follow their team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChangeNotice {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub owner_id: Option<Uuid>,
    pub from_stage: Option<entity::LeadStage>,
    pub to_stage: entity::LeadStage,
    pub actor_id: Option<Uuid>,
    pub reason: Option<String>,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BusMessage {
    pub workspace_id: Uuid,
    pub event: BusEvent,
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("bus unavailable: {0}")]
    Unavailable(String),
}

/// Publish after commit; subscribe to everything this process receives.
pub trait Bus: Send + Sync + 'static {
    fn publish(&self, message: BusMessage) -> BoxFuture<'_, Result<(), BusError>>;
    fn subscribe(&self) -> broadcast::Receiver<BusMessage>;
    /// Whether the bus can carry messages right now (for `/readyz`).
    fn check(&self) -> BoxFuture<'_, Result<(), BusError>>;
    fn name(&self) -> &'static str;
}

/// A boxed future, so the trait stays object-safe without a macro crate.
mod async_trait_free {
    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
}
