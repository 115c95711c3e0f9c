//! Writing what the decisions for a batch's leads called for: each MQL's stage change, its
//! routing rule's count, the `lead.assigned` webhook, the SLA clocks with their rollups and the
//! triggers, gathered per lead in [`Writes`] and written together, in the batch's transaction.
//! The lead rows themselves are saved with the batch.

use chrono::{DateTime, Utc};
use entity::contact;
use sea_orm::ConnectionTrait;

use super::{qualify::Batch, writes::Writes};
use crate::{
    domain::{
        permissions::Permission,
        qualification::{self, Assignment, LeadOutcome, Qualification, Step, TriggerPlan},
        routing::Route,
    },
    error::AppResult,
    services::{
        intel::BatchIntel,
        notices::{Credit, Notices, StageMove},
        triggers::{self, NewTrigger},
    },
    store::{self, Tenant},
};

/// Applies every outcome of the batch (all but saving the lead rows).
pub async fn apply_all<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    decided: &[LeadOutcome<'_>],
    batch: &Batch<'_>,
    intel: BatchIntel,
    notices: &mut Notices,
) -> AppResult<()> {
    let qualified: Vec<(&contact::Model, &Qualification)> = decided
        .iter()
        .filter_map(|d| match &d.step {
            Step::Qualified(q) => Some((&d.lead, q.as_ref())),
            _ => None,
        })
        .collect();
    let moving: Vec<&contact::Model> = qualified.iter().map(|(_, q)| &q.moving).collect();
    let mut writes = Writes::for_moves(tenant, &moving, &batch.resolved.accounts).await?;
    writes.intel = intel;
    // Who hears of MQLs nobody could take, read once when the batch has any.
    let unroutable_audience = match qualified.iter().any(|(_, q)| q.assignment.is_none()) {
        true => {
            store::audiences::with_permission(tenant, Permission::HearOfUnroutableLeads).await?
        }
        false => Vec::new(),
    };
    for outcome in decided {
        match &outcome.step {
            Step::Rescored | Step::BecameHot { trigger: None } => {}
            Step::BecameHot {
                trigger: Some(trigger),
            } => writes.trigger(&outcome.lead, trigger),
            Step::Qualified(q) => {
                qualify(&mut writes, &outcome.lead, q, batch, notices);
                match &q.assignment {
                    Some(assignment) => {
                        writes.assigned(&outcome.lead, &q.route, assignment, batch.now)
                    }
                    None => {
                        for plan in
                            qualification::unroutable(&outcome.lead, &q.route, &unroutable_audience)
                        {
                            writes.trigger(&outcome.lead, &plan);
                        }
                    }
                }
            }
        }
    }
    writes.flush(tenant, notices, batch.now).await
}

fn qualify(
    writes: &mut Writes,
    lead: &contact::Model,
    qualification: &Qualification,
    batch: &Batch<'_>,
    notices: &mut Notices,
) {
    debug_assert_eq!(lead.id, qualification.moving.id);
    let change = StageMove {
        to: qualification.to,
        actor: None,
        reason: qualification.reason.clone(),
        contract: batch.contract,
        at: batch.now,
        credit: Credit {
            campaign_id: qualification.campaign_id,
            play_id: None,
        },
    };
    writes.stage_change(&qualification.moving, change, notices);
}

/// What an assignment by routing writes: the rule's count, the `lead.assigned` webhook, the SLA
/// clocks (running from `now`) and the owner's trigger. The unassigned queue shares it with
/// ingestion.
pub(crate) async fn assigned<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    route: &Route,
    assignment: &Assignment,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let mut writes = Writes::new(tenant.workspace_id());
    writes.assigned(lead, route, assignment, now);
    writes.flush(tenant, notices, now).await
}

pub(crate) async fn write_trigger<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    plan: &TriggerPlan,
    now: DateTime<Utc>,
) -> AppResult<entity::trigger::Model> {
    let new = NewTrigger {
        recipient_id: plan.recipient_id,
        kind: plan.kind,
        lead_id: Some(lead.id),
        play_id: None,
        step: None,
        due_at: plan.due_at,
        intel: None,
        message: plan.message.clone(),
    };
    triggers::write(tenant, new, now).await
}
