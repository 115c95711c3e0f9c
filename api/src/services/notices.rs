//! What a change announces once its transaction committed: triggers for the people they name,
//! stage changes for dashboards and managers. Rows first (written in the transaction), messages
//! second (published after commit, at most once).

use chrono::{DateTime, Utc};
use entity::{contact, lead_contract, stage_change, trigger, LeadStage};
use sea_orm::{ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use crate::{
    bus::{BusEvent, BusMessage, StageChangeNotice, TriggerNotice},
    domain::metrics::Attribution,
    error::AppResult,
    services::metrics::{
        rollups::{self, Fact},
        stage_of,
    },
    state::AppState,
    store::{self, Tenant},
};

/// Collected while a unit of work runs; published by [`UnitOfWork::commit`] after the
/// transaction committed, never before and never by hand.
///
/// [`UnitOfWork::commit`]: crate::services::unit_of_work::UnitOfWork::commit
#[derive(Debug, Default)]
pub struct Notices {
    /// Trigger rows for the people they name (each row carries its workspace).
    pub triggers: Vec<trigger::Model>,
    /// Everything else to announce, addressed to its workspace.
    messages: Vec<BusMessage>,
    /// Webhook deliveries the transaction put in the outbox.
    pub webhooks: usize,
    /// Background work was queued: the job loop runs now rather than at its next poll.
    wake_jobs: bool,
}

impl Notices {
    pub fn extend(&mut self, other: Notices) {
        self.triggers.extend(other.triggers);
        self.messages.extend(other.messages);
        self.webhooks += other.webhooks;
        self.wake_jobs |= other.wake_jobs;
    }

    /// Announces `event` to `workspace_id`'s subscribers after commit.
    pub fn announce(&mut self, workspace_id: Uuid, event: BusEvent) {
        self.messages.push(BusMessage {
            workspace_id,
            event,
        });
    }

    /// Announces a workspace activity entry after commit.
    pub fn activity(
        &mut self,
        workspace_id: Uuid,
        kind: crate::bus::ActivityKind,
        actor_user_id: Option<Uuid>,
        subject_id: Uuid,
        message: String,
    ) {
        let activity = crate::bus::Activity {
            id: Uuid::now_v7(),
            kind,
            actor_user_id,
            subject_id,
            message,
            occurred_at: Utc::now(),
        };
        self.announce(workspace_id, BusEvent::Activity(activity));
    }

    /// Asks the job loop to run as soon as the change committed.
    pub fn wake_jobs(&mut self) {
        self.wake_jobs = true;
    }

    /// Whether anything was collected (jobs skip a pass that found nothing).
    pub fn is_empty(&self) -> bool {
        self.triggers.is_empty() && self.messages.is_empty() && self.webhooks == 0
    }

    /// Announces everything on the bus. Only the unit of work calls it, after commit. A bus
    /// failure is logged by [`AppState::publish`]: the rows are committed and subscribers catch
    /// up from them.
    pub(crate) async fn publish(self, state: &AppState) {
        if self.webhooks > 0 {
            state.webhooks_wakeup.notify_one();
        }
        if self.wake_jobs {
            state.wake_jobs();
        }
        for message in self.messages {
            state.publish(message).await;
        }
        for row in self.triggers {
            state
                .publish(BusMessage {
                    workspace_id: row.workspace_id,
                    event: BusEvent::Trigger(TriggerNotice::from(row)),
                })
                .await;
        }
    }
}

/// Why and by whom a lead moves, for its stage history.
pub struct StageMove<'a> {
    pub to: LeadStage,
    /// The person who moved it; `None` when the contract or a clock did.
    pub actor: Option<Uuid>,
    pub reason: String,
    pub contract: Option<&'a lead_contract::Model>,
    pub at: DateTime<Utc>,
    pub credit: Credit,
}

/// The campaign and play a move is credited to, when the move itself knows (the event that
/// qualified the lead, the touch that accelerated it). Unknown parts are inherited from the
/// lead's previous change.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credit {
    pub campaign_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
}

/// Who and what a stay is credited to in the rollups: what its row was stamped with.
pub(crate) fn credit_of(row: &stage_change::Model) -> Attribution {
    Attribution {
        source_id: row.source_id,
        segment: row.segment.clone(),
        owner_id: row.owner_id,
        campaign_id: row.campaign_id,
        play_id: row.play_id,
    }
}

/// The partner webhook of a move into MQL, SAL or opportunity: its event and payload.
pub(crate) fn stage_webhook(
    lead: &contact::Model,
    to: LeadStage,
    row: &stage_change::Model,
) -> Option<(&'static str, serde_json::Value)> {
    let event = match to {
        LeadStage::Mql => "lead.mql",
        LeadStage::Sal => "lead.accepted",
        LeadStage::Opportunity => "lead.converted",
        _ => return None,
    };
    let mut data = crate::services::webhooks::lead_data(lead);
    data["stage"] = serde_json::json!(to);
    data["previousStage"] = serde_json::json!(lead.stage);
    Some((
        event,
        serde_json::json!({"lead": data, "reason": row.reason}),
    ))
}

/// The new stay of `lead` a move records: stamped with the lead's source, owner and `segment`,
/// credited to what the move knows, the rest inherited from the `previous` stay.
pub(crate) fn stay_row(
    workspace_id: Uuid,
    lead: &contact::Model,
    change: &StageMove<'_>,
    previous: Option<&stage_change::Model>,
    segment: Option<String>,
) -> stage_change::Model {
    stage_change::Model {
        id: Uuid::now_v7(),
        workspace_id,
        contact_id: lead.id,
        from_stage: Some(lead.stage),
        to_stage: change.to,
        changed_at: change.at,
        actor_id: change.actor,
        reason: Some(change.reason.clone()),
        contract_id: change.contract.map(|c| c.id),
        source_id: lead.source_id,
        owner_id: lead.owner_id,
        segment,
        campaign_id: change
            .credit
            .campaign_id
            .or_else(|| previous.and_then(|p| p.campaign_id)),
        play_id: change
            .credit
            .play_id
            .or_else(|| previous.and_then(|p| p.play_id)),
        left_at: None,
        next_stage: None,
    }
}

/// Notes a recorded stay for publishing after commit.
pub(crate) fn announce_stay(
    notices: &mut Notices,
    lead: &contact::Model,
    row: &stage_change::Model,
) {
    notices.announce(
        row.workspace_id,
        BusEvent::StageChanged(StageChangeNotice {
            id: row.id,
            lead_id: lead.id,
            owner_id: lead.owner_id,
            from_stage: row.from_stage,
            to_stage: row.to_stage,
            actor_id: row.actor_id,
            reason: row.reason.clone(),
            changed_at: row.changed_at,
        }),
    );
}

/// Records one stage change of `lead` in the history and notes it for publishing. The lead's
/// previous stay ends here, in the same transaction, so every row's `left_at` is exact.
pub async fn record_stage_change<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    change: StageMove<'_>,
    notices: &mut Notices,
) -> AppResult<()> {
    let open = store::stages::open_stays(tenant, lead.id).await?;
    for stay in &open {
        if stage_of(stay.to_stage).advances_to(stage_of(change.to)) {
            let fact = Fact::Advanced(stay.to_stage);
            rollups::count(tenant, fact, stay.changed_at, &credit_of(stay)).await?;
        }
    }
    let previous = open.into_iter().next();
    if previous.is_some() {
        store::stages::close_stays(tenant, lead.id, change.at, change.to).await?;
    }
    let segment = match lead.account_id {
        Some(account_id) => store::stages::segment_of(tenant, account_id).await?,
        None => None,
    };
    let stay = stay_row(
        tenant.workspace_id(),
        lead,
        &change,
        previous.as_ref(),
        segment,
    );
    let row = store::stages::insert(tenant, stay.into_active_model()).await?;
    rollups::count(
        tenant,
        Fact::Entered(row.to_stage),
        row.changed_at,
        &credit_of(&row),
    )
    .await?;
    if let Some((event, payload)) = stage_webhook(lead, change.to, &row) {
        notices.webhooks +=
            crate::services::webhooks::emit(tenant, event, payload, row.changed_at).await?;
    }
    announce_stay(notices, lead, &row);
    Ok(())
}
