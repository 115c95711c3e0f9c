//! The `workspaceActivity` subscription.

use async_graphql::{Context, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

use super::context::ContextExt;
use crate::{
    bus::{Activity, ActivityKind, BusEvent},
    domain::permissions::Permission,
};

/// Something that happened in the workspace.
#[derive(SimpleObject, Clone)]
pub struct ActivityEvent {
    pub id: ID,
    pub kind: ActivityKind,
    /// The person who caused it, if a person did.
    pub actor_user_id: Option<ID>,
    /// The record it is about.
    pub subject_id: ID,
    pub message: String,
    pub occurred_at: DateTime<Utc>,
}

impl From<Activity> for ActivityEvent {
    fn from(activity: Activity) -> Self {
        Self {
            id: activity.id.into(),
            kind: activity.kind,
            actor_user_id: activity.actor_user_id.map(Into::into),
            subject_id: activity.subject_id.into(),
            message: activity.message,
            occurred_at: activity.occurred_at,
        }
    }
}

#[derive(Default)]
pub struct ActivitySubscription;

#[Subscription]
impl ActivitySubscription {
    /// Live changes in the current workspace, for dashboards and managers.
    async fn workspace_activity(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ActivityEvent>> {
        let workspace_id = ctx.actor()?.require(Permission::WatchActivity)?;
        let receiver = ctx.state().bus.subscribe();
        Ok(
            BroadcastStream::new(receiver).filter_map(move |message| async move {
                match message {
                    Ok(message) if message.workspace_id == workspace_id => match message.event {
                        BusEvent::Activity(activity) => Some(activity.into()),
                        _ => None,
                    },
                    Ok(_) => None,
                    Err(BroadcastStreamRecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "activity subscriber lagged");
                        None
                    }
                }
            }),
        )
    }
}
