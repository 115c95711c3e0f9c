//! `Lead.timeline`: the lead's history in one list, newest first (the rules:
//! `domain::intel::timeline`).

use async_graphql::{
    connection::{Connection, Edge},
    Context, Enum, Object, Result, ID,
};
use chrono::{DateTime, Utc};
use entity::{contact, Channel, LeadStage, TouchOutcome};

use super::{
    catalog::Source,
    context::ContextExt,
    loaders::{load_one, Loaders},
    plays::Play,
    triggers::Trigger,
    types::User,
};
use crate::{
    domain::{intel::timeline::TimelineKind, permissions::Permission},
    graphql::catalog::Asset,
    services::intel::timeline::{self, Detail, TimelineItem},
    store::keyset::{page_size, DEFAULT_PAGE_SIZE},
};

/// What a timeline item is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "TimelineKind")]
pub enum TimelineKindView {
    /// An engagement event a partner app sent.
    Event,
    /// Points the event earned (one line per rule).
    ScoreEntry,
    /// The lead moved stage.
    StageChange,
    /// A trigger about the lead went to someone (with its intel).
    Trigger,
    /// A rep logged a touch.
    Touch,
}

impl From<TimelineKind> for TimelineKindView {
    fn from(k: TimelineKind) -> Self {
        match k {
            TimelineKind::Event => Self::Event,
            TimelineKind::ScoreEntry => Self::ScoreEntry,
            TimelineKind::StageChange => Self::StageChange,
            TimelineKind::Trigger => Self::Trigger,
            TimelineKind::Touch => Self::Touch,
        }
    }
}

/// One thing that happened to a lead.
pub struct TimelineEntry(TimelineItem);

#[Object]
impl TimelineEntry {
    /// The id of the row behind the item (the event, score entry, stage change, trigger or
    /// touch).
    async fn id(&self) -> ID {
        self.0.key.id.into()
    }
    async fn kind(&self) -> TimelineKindView {
        self.0.key.kind.into()
    }
    /// When it happened: an event's or touch's occurrence, a score entry's event time, a stage
    /// change's time, a trigger's creation.
    async fn at(&self) -> DateTime<Utc> {
        self.0.key.at
    }
    /// One line saying what happened.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// An event's type.
    async fn event_type(&self) -> Option<&str> {
        match &self.0.detail {
            Detail::Event(e) => Some(&e.event_type),
            _ => None,
        }
    }
    /// A score entry's points.
    async fn points(&self) -> Option<i32> {
        match &self.0.detail {
            Detail::ScoreEntry(s) => Some(s.points),
            _ => None,
        }
    }
    /// A stage change's stages.
    async fn from_stage(&self) -> Option<LeadStage> {
        match &self.0.detail {
            Detail::StageChange(s) => s.from_stage,
            _ => None,
        }
    }
    async fn to_stage(&self) -> Option<LeadStage> {
        match &self.0.detail {
            Detail::StageChange(s) => Some(s.to_stage),
            _ => None,
        }
    }
    /// A touch's channel and outcome.
    async fn channel(&self) -> Option<Channel> {
        match &self.0.detail {
            Detail::Touch(t) => Some(t.channel),
            _ => None,
        }
    }
    async fn outcome(&self) -> Option<TouchOutcome> {
        match &self.0.detail {
            Detail::Touch(t) => Some(t.outcome),
            _ => None,
        }
    }
    /// The trigger, with its intel package.
    async fn trigger(&self) -> Option<Trigger> {
        match &self.0.detail {
            Detail::Trigger(t) => Some(t.clone().into()),
            _ => None,
        }
    }
    /// The asset an event or touch carried.
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>> {
        let id = match &self.0.detail {
            Detail::Event(e) => e.asset_id,
            Detail::Touch(t) => t.asset_id,
            _ => None,
        };
        let Some(id) = id else { return Ok(None) };
        Ok(load_one(ctx.data_unchecked::<Loaders>().assets(), id)
            .await?
            .map(Asset))
    }
    /// The play a touch or trigger was part of.
    async fn play(&self, ctx: &Context<'_>) -> Result<Option<Play>> {
        let id = match &self.0.detail {
            Detail::Touch(t) => t.play_id,
            Detail::Trigger(t) => t.play_id,
            _ => None,
        };
        let Some(id) = id else { return Ok(None) };
        Ok(load_one(ctx.data_unchecked::<Loaders>().plays(), id)
            .await?
            .map(Play))
    }
    /// The source of an event.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        let Detail::Event(e) = &self.0.detail else {
            return Ok(None);
        };
        let Some(id) = e.source_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().sources(), id)
            .await?
            .map(Source))
    }
    /// Who did it: the rep of a touch, the person who moved the stage (null when the contract
    /// did), the recipient of a trigger.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let id = match &self.0.detail {
            Detail::Touch(t) => Some(t.actor_id),
            Detail::StageChange(s) => s.actor_id,
            Detail::Trigger(t) => Some(t.recipient_id),
            _ => None,
        };
        let Some(id) = id else { return Ok(None) };
        Ok(load_one(ctx.data_unchecked::<Loaders>().users(), id)
            .await?
            .map(User::from))
    }
}

/// The page of `lead`'s timeline `first`/`after` ask for.
pub async fn page(
    ctx: &Context<'_>,
    lead: &contact::Model,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<String, TimelineEntry>> {
    let workspace_id = ctx.actor()?.require(Permission::ReadLeads)?;
    let state = ctx.state();
    let first = page_size(first, "first", state.config.max_page_size)?.unwrap_or(DEFAULT_PAGE_SIZE);
    let tenant = state.store.tenant(workspace_id);
    let page = timeline::timeline(&tenant, lead.id, first, after.as_deref()).await?;
    let mut connection = Connection::new(after.is_some(), page.has_next);
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(item.cursor.clone(), TimelineEntry(item))),
    );
    Ok(connection)
}
