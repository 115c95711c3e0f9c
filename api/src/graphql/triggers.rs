//! Triggers: the caller's inbox, acknowledging, and `playTriggers`, the live stream that replays
//! from the database after `since` and then follows the bus, in the recipient's sequence order.

use async_graphql::{Context, Object, Result, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use entity::{trigger, AssetKind, FunnelStage, TriggerKind};
use futures_util::{Stream, StreamExt};

use super::context::ContextExt;
use crate::{bus::TriggerNotice, domain::intel::Intel, services::triggers};

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
    /// The lead intel package, as it was when the trigger went out (stored with the trigger,
    /// streamed with it: no other query needed); null for a trigger about no lead.
    pub intel: Option<TriggerIntel>,
}

/// Seed 002's lead intel package: all the context a rep needs to act on a lead now, compiled
/// when the trigger was written.
#[derive(SimpleObject, Clone, Debug)]
pub struct TriggerIntel {
    /// One sentence: the trigger's headline, the last scored event, the score and the fit.
    pub why_now: String,
    /// The lead's last three scored events (behaviour and PQL points of one event added),
    /// newest first: the behavioural data the marketing SLA promises.
    pub last_events: Vec<IntelEvent>,
    /// The three heaviest fit lines the lead meets (ICP criteria and personas), by weight.
    pub fit_top: Vec<IntelFit>,
    /// The engagement score when the trigger went out (decay counted).
    pub score: i32,
    /// The fit score (0-100) then.
    pub fit_score: i32,
    /// The play the moment fires for the lead (the highest priority), else the play the
    /// trigger is about, else a play the lead runs.
    pub suggested_play: Option<IntelPlay>,
    /// The suggested play's first asset.
    pub suggested_asset: Option<IntelAsset>,
}

/// A scored event in an intel package.
#[derive(SimpleObject, Clone, Debug)]
pub struct IntelEvent {
    /// The event; the nil id when the ledger was read compacted (one line per rule: its latest
    /// event's time, the points the rule earned in all).
    pub event_id: ID,
    #[graphql(name = "type")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// The points it earned, all rules together.
    pub points: i32,
}

/// A fit line the lead meets.
#[derive(SimpleObject, Clone, Debug)]
pub struct IntelFit {
    pub criterion: String,
    pub weight: i32,
}

/// A play an intel package suggests.
#[derive(SimpleObject, Clone, Debug)]
pub struct IntelPlay {
    pub id: ID,
    pub name: String,
}

/// An asset an intel package suggests, with what the rep needs to send it.
#[derive(SimpleObject, Clone, Debug)]
pub struct IntelAsset {
    pub id: ID,
    pub name: String,
    pub kind: AssetKind,
    pub funnel_stage: FunnelStage,
    pub url: Option<String>,
}

impl From<Intel> for TriggerIntel {
    fn from(i: Intel) -> Self {
        TriggerIntel {
            why_now: i.why_now,
            last_events: i
                .last_events
                .into_iter()
                .map(|e| IntelEvent {
                    event_id: e.event_id.into(),
                    event_type: e.event_type,
                    occurred_at: e.occurred_at,
                    points: e.points,
                })
                .collect(),
            fit_top: i
                .fit_top
                .into_iter()
                .map(|f| IntelFit {
                    criterion: f.criterion,
                    weight: f.weight,
                })
                .collect(),
            score: i.score,
            fit_score: i.fit_score,
            suggested_play: i.suggested_play.map(|p| IntelPlay {
                id: p.id.into(),
                name: p.name,
            }),
            suggested_asset: i.suggested_asset.map(|a| IntelAsset {
                id: a.id.into(),
                name: a.name,
                kind: a.kind,
                funnel_stage: a.funnel_stage,
                url: a.url,
            }),
        }
    }
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
            intel: row.intel.map(|intel| (*intel).into()),
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
        // Boxed: async-graphql keeps this future's slot (sized for its largest state, the
        // database reads) beside the stream for the subscription's whole life.
        let stream = Box::pin(triggers::follow(
            ctx.state(),
            ctx.actor()?,
            since.as_ref(),
            recipient_id.as_ref(),
        ))
        .await?;
        Ok(stream.map(Trigger::from))
    }
}
