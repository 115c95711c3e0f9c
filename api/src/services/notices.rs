//! What a change announces once its transaction committed: triggers for the people they name,
//! stage changes for dashboards and managers. Rows first (written in the transaction), messages
//! second (published after commit, at most once).

use chrono::{DateTime, Utc};
use entity::{contact, lead_contract, stage_change, trigger, LeadStage};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{
    bus::{BusEvent, BusMessage, StageChangeNotice, TriggerNotice},
    error::AppResult,
    state::AppState,
    store::Tenant,
};

/// Collected while a transaction runs; published with [`Notices::publish`] after it committed.
#[derive(Debug, Default)]
pub struct Notices {
    pub triggers: Vec<trigger::Model>,
    pub stage_changes: Vec<StageChangeNotice>,
}

impl Notices {
    pub fn extend(&mut self, other: Notices) {
        self.triggers.extend(other.triggers);
        self.stage_changes.extend(other.stage_changes);
    }

    /// Announces everything on the bus. A bus failure is logged by [`AppState::publish`]: the
    /// rows are committed and subscribers catch up from them.
    pub async fn publish(self, state: &AppState, workspace_id: Uuid) {
        for change in self.stage_changes {
            state
                .publish(BusMessage {
                    workspace_id,
                    event: BusEvent::StageChanged(change),
                })
                .await;
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
}

/// Records one stage change of `lead` in the history and notes it for publishing.
pub async fn record_stage_change<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    change: StageMove<'_>,
    notices: &mut Notices,
) -> AppResult<()> {
    let row = stage_change::Entity::insert(stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        contact_id: Set(lead.id),
        from_stage: Set(Some(lead.stage)),
        to_stage: Set(change.to),
        changed_at: Set(change.at),
        actor_id: Set(change.actor),
        reason: Set(Some(change.reason)),
        contract_id: Set(change.contract.map(|c| c.id)),
        source_id: Set(lead.source_id),
    })
    .exec_with_returning(tenant.conn())
    .await?;
    notices.stage_changes.push(StageChangeNotice {
        id: row.id,
        lead_id: lead.id,
        owner_id: lead.owner_id,
        from_stage: row.from_stage,
        to_stage: row.to_stage,
        actor_id: row.actor_id,
        reason: row.reason,
        changed_at: row.changed_at,
    });
    Ok(())
}
