//! What a batch's decisions write, gathered while its leads are judged and written at the end
//! with one multi-row statement per table ([`Writes::flush`]): the stage history, the rollups,
//! the routing rules' counts, the SLA clocks, the triggers and the webhook deliveries. A batch
//! so costs the same number of statements whatever its size. What the writes depend on (the
//! leads' open stays, their accounts' segments, the active webhooks) is read once per batch.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{contact, sla_clock, stage_change, webhook_delivery, DeliveryStatus, LeadStage};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{
        metrics::Attribution,
        qualification::{Assignment, TriggerPlan},
        routing::{Route, RouteReason},
    },
    error::AppResult,
    services::{
        intel,
        metrics::{
            rollups::{Fact, Tally},
            stage_of,
        },
        notices::{announce_stay, credit_of, stage_webhook, stay_row, Notices, StageMove},
        webhooks,
    },
    store::{self, triggers::NewTrigger, Tenant},
};

/// The writes of a batch, not yet made.
pub struct Writes {
    workspace_id: Uuid,
    /// Each moving lead's open stays, newest first.
    open: HashMap<Uuid, Vec<stage_change::Model>>,
    /// The segment of each account a moving lead belongs to.
    segments: HashMap<Uuid, Option<String>>,
    /// Leads whose open stays end: (when, the stage they move on to, lead).
    closing: Vec<(DateTime<Utc>, LeadStage, Uuid)>,
    stays: Vec<stage_change::Model>,
    tally: Tally,
    rules: Vec<(Uuid, i64)>,
    clocks: Vec<sla_clock::ActiveModel>,
    triggers: Vec<NewTrigger>,
    /// Webhook events: (name, data, when).
    events: Vec<(&'static str, Value, DateTime<Utc>)>,
    /// The lead intel the batch composed in memory, for its triggers.
    pub intel: intel::BatchIntel,
}

impl Writes {
    /// Writes for a batch moving the leads `moving` (their open stays and accounts' segments
    /// are read here, once).
    pub async fn for_moves<C: ConnectionTrait>(
        tenant: &Tenant<'_, C>,
        moving: &[&contact::Model],
        known_accounts: &HashMap<Uuid, entity::account::Model>,
    ) -> AppResult<Self> {
        let ids: Vec<Uuid> = moving.iter().map(|l| l.id).collect();
        let mut open: HashMap<Uuid, Vec<stage_change::Model>> = HashMap::new();
        for stay in store::stages::open_stays_of(tenant, &ids).await? {
            open.entry(stay.contact_id).or_default().push(stay);
        }
        let mut segments: HashMap<Uuid, Option<String>> = HashMap::new();
        let mut unknown = Vec::new();
        for account_id in moving.iter().filter_map(|l| l.account_id) {
            match known_accounts.get(&account_id) {
                Some(account) => {
                    segments.insert(account_id, account.segment.clone());
                }
                None => unknown.push(account_id),
            }
        }
        for account in tenant.get_many::<entity::account::Entity>(&unknown).await? {
            segments.insert(account.id, account.segment);
        }
        let mut writes = Self::new(tenant.workspace_id());
        writes.open = open;
        writes.segments = segments;
        Ok(writes)
    }

    pub fn new(workspace_id: Uuid) -> Self {
        Writes {
            workspace_id,
            open: HashMap::new(),
            segments: HashMap::new(),
            closing: Vec::new(),
            stays: Vec::new(),
            tally: Tally::default(),
            rules: Vec::new(),
            clocks: Vec::new(),
            triggers: Vec::new(),
            events: Vec::new(),
            intel: intel::BatchIntel::new(),
        }
    }

    /// A stage change of `lead`, as [`crate::services::notices::record_stage_change`] records
    /// it, from the open stays read for the batch.
    pub fn stage_change(
        &mut self,
        lead: &contact::Model,
        change: StageMove<'_>,
        notices: &mut Notices,
    ) {
        let open = self.open.remove(&lead.id).unwrap_or_default();
        for stay in &open {
            if stage_of(stay.to_stage).advances_to(stage_of(change.to)) {
                let fact = Fact::Advanced(stay.to_stage);
                self.tally.count(fact, stay.changed_at, &credit_of(stay));
            }
        }
        let previous = open.into_iter().next();
        if previous.is_some() {
            self.closing.push((change.at, change.to, lead.id));
        }
        let segment = lead
            .account_id
            .and_then(|a| self.segments.get(&a).cloned().flatten());
        let row = stay_row(self.workspace_id, lead, &change, previous.as_ref(), segment);
        self.tally.count(
            Fact::Entered(row.to_stage),
            row.changed_at,
            &credit_of(&row),
        );
        if let Some((event, payload)) = stage_webhook(lead, change.to, &row) {
            self.events.push((event, payload, row.changed_at));
        }
        announce_stay(notices, lead, &row);
        self.stays.push(row);
    }

    /// What an assignment by routing writes: the rule's count, the `lead.assigned` webhook,
    /// the SLA clocks (running from `now`, each counted on the day it is due) and the owner's
    /// trigger.
    pub fn assigned(
        &mut self,
        lead: &contact::Model,
        route: &Route,
        assignment: &Assignment,
        now: DateTime<Utc>,
    ) {
        if let RouteReason::Rule { rule_id, .. } = route.reason {
            match self.rules.iter_mut().find(|(id, _)| *id == rule_id) {
                Some((_, n)) => *n += 1,
                None => self.rules.push((rule_id, 1)),
            }
        }
        let payload = serde_json::json!({
            "lead": webhooks::lead_data(lead),
            "ownerId": assignment.owner,
            "by": "routing",
            "routing": lead.routing,
        });
        self.events.push(("lead.assigned", payload, now));
        let owner = assignment.owner;
        for clock in &assignment.clocks {
            self.clocks.push(sla_clock::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(self.workspace_id),
                contact_id: Set(lead.id),
                kind: Set(clock.kind),
                assignee_id: Set(owner),
                started_at: Set(now),
                due_at: Set(clock.due_at),
                warn_at: Set(clock.warn_at),
                warned_at: Set(None),
                breached_at: Set(None),
                met_at: Set(None),
                source_id: Set(lead.source_id),
                segment: Set(assignment.segment.clone()),
                first_touch_at: Set(None),
            });
            let credit = Attribution {
                source_id: lead.source_id,
                segment: assignment.segment.clone(),
                owner_id: Some(owner),
                campaign_id: None,
                play_id: None,
            };
            self.tally.count(Fact::SlaDue, clock.due_at, &credit);
        }
        self.trigger(lead, &assignment.trigger);
    }

    /// A trigger about `lead` for the plan's recipient.
    pub fn trigger(&mut self, lead: &contact::Model, plan: &TriggerPlan) {
        self.triggers.push(NewTrigger {
            recipient_id: plan.recipient_id,
            kind: plan.kind,
            lead_id: Some(lead.id),
            play_id: None,
            step: None,
            due_at: plan.due_at,
            intel: self.intel.get(&lead.id).map(|i| i.for_trigger(plan.kind)),
            message: plan.message.clone(),
        });
    }

    /// Makes every write gathered, a statement or so per table; the triggers and deliveries go
    /// into `notices`.
    pub async fn flush<C: ConnectionTrait>(
        self,
        tenant: &Tenant<'_, C>,
        notices: &mut Notices,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut closing = self.closing;
        closing.sort_by_key(|(at, to, _)| (*at, to.as_str()));
        for group in closing.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
            let leads: Vec<Uuid> = group.iter().map(|c| c.2).collect();
            store::stages::close_stays_of(tenant, &leads, group[0].0, group[0].1).await?;
        }
        store::stages::insert_many(tenant, self.stays).await?;
        self.tally.write(tenant).await?;
        store::assignment::count_rule_assignments(tenant, &self.rules).await?;
        store::assignment::start_clocks(tenant, self.clocks).await?;
        let mut triggers = self.triggers;
        intel::complete(tenant, &mut triggers, now).await?;
        let rows = store::triggers::append_many(tenant, triggers, now).await?;
        notices.triggers.extend(rows);
        notices.webhooks += queue_events(tenant, self.events).await?;
        Ok(())
    }
}

/// Puts each event in the outbox of every active webhook that asked for it (one read of the
/// webhooks, one multi-row insert); returns how many deliveries were queued.
async fn queue_events<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    events: Vec<(&'static str, Value, DateTime<Utc>)>,
) -> AppResult<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    let hooks = store::webhooks::active(tenant).await?;
    let mut rows = Vec::new();
    for (event, data, at) in events {
        let wanting = webhooks::wanting(&hooks, event);
        if wanting.is_empty() {
            continue;
        }
        let (event_id, payload) = webhooks::envelope(tenant.workspace_id(), event, data, at);
        for hook in wanting {
            rows.push(webhook_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(tenant.workspace_id()),
                webhook_id: Set(hook),
                event_id: Set(event_id),
                event: Set(event.to_owned()),
                payload: Set(payload.clone()),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(0),
                next_attempt_at: Set(at),
                last_status_code: Set(None),
                last_error: Set(None),
                created_at: Set(at),
                delivered_at: Set(None),
            });
        }
    }
    let queued = rows.len();
    store::webhooks::queue_many(tenant, rows).await?;
    Ok(queued)
}
