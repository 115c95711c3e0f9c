//! The `workspaceActivity` subscription: member and token changes, stage changes and triggers,
//! for dashboards and managers. Leaders, revops and admins see everything; a sales manager sees
//! their team's leads and triggers; marketers and viewers see stage changes but not people's
//! triggers.

use std::collections::HashSet;

use async_graphql::{Context, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};
use uuid::Uuid;

use super::context::ContextExt;
use crate::{
    bus::{Activity, ActivityKind, BusEvent},
    domain::permissions::Permission,
    services::access::{self, Audience},
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
    /// The lead it concerns, for stage changes and triggers.
    pub lead_id: Option<ID>,
    /// Who a trigger went to.
    pub recipient_id: Option<ID>,
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
            lead_id: None,
            recipient_id: None,
            message: activity.message,
            occurred_at: activity.occurred_at,
        }
    }
}

/// What one watcher may see.
enum Scope {
    Everything,
    /// A sales manager: leads owned by, and triggers sent to, these people.
    Team(HashSet<Uuid>),
    /// Stage changes and workspace changes, no one's triggers.
    NoTriggers,
}

impl Scope {
    fn view(&self, event: BusEvent) -> Option<ActivityEvent> {
        match event {
            BusEvent::Activity(activity) => Some(activity.into()),
            BusEvent::StageChanged(change) => {
                if let Scope::Team(team) = self {
                    if !change.owner_id.is_some_and(|o| team.contains(&o)) {
                        return None;
                    }
                }
                let from = change.from_stage.map_or("new", |s| s.as_str());
                Some(ActivityEvent {
                    id: change.id.into(),
                    kind: ActivityKind::LeadStageChanged,
                    actor_user_id: change.actor_id.map(Into::into),
                    subject_id: change.lead_id.into(),
                    lead_id: Some(change.lead_id.into()),
                    recipient_id: None,
                    message: format!(
                        "{from} -> {}{}",
                        change.to_stage.as_str(),
                        change.reason.map(|r| format!(": {r}")).unwrap_or_default()
                    ),
                    occurred_at: change.changed_at,
                })
            }
            BusEvent::Trigger(trigger) => {
                match self {
                    Scope::NoTriggers => return None,
                    Scope::Team(team) if !team.contains(&trigger.recipient_id) => return None,
                    _ => {}
                }
                Some(ActivityEvent {
                    id: trigger.id.into(),
                    kind: ActivityKind::TriggerCreated,
                    actor_user_id: None,
                    subject_id: trigger.id.into(),
                    lead_id: trigger.lead_id.map(Into::into),
                    recipient_id: Some(trigger.recipient_id.into()),
                    message: format!("{}: {}", trigger.kind.as_str(), trigger.message),
                    occurred_at: trigger.created_at,
                })
            }
            _ => None,
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
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WatchActivity)?;
        // How far the role sees people's triggers (the permission table's `WatchTriggers`); a
        // sales manager's view of stage changes is narrowed to their team's leads too.
        let tenant = ctx.state().store.tenant(workspace_id);
        // Boxed for the same reason as `playTriggers`' setup: the stream outlives it.
        let audience = Box::pin(access::audience(&tenant, actor, Permission::WatchTriggers));
        let scope = match audience.await? {
            Audience::Everyone => Scope::Everything,
            Audience::People(team) => Scope::Team(team),
            Audience::Nobody => Scope::NoTriggers,
        };
        let receiver = ctx.state().bus.subscribe();
        Ok(BroadcastStream::new(receiver).filter_map(move |message| {
            let seen = match message {
                Ok(message) if message.workspace_id == workspace_id => scope.view(message.event),
                Ok(_) => None,
                Err(BroadcastStreamRecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "activity subscriber lagged");
                    None
                }
            };
            async move { seen }
        }))
    }
}
