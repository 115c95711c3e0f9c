//! Writing what the decision for a lead called for: the MQL's stage change, the routing rule's
//! count, the `lead.assigned` webhook, the SLA clocks with their rollups and the triggers, in
//! that order, in the batch's transaction. The lead row itself is saved with the batch.

use chrono::{DateTime, Utc};
use entity::{contact, sla_clock};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::qualify::Batch;
use crate::{
    domain::{
        metrics::Attribution,
        qualification::{Assignment, LeadOutcome, Qualification, Step, TriggerPlan},
        routing::{Route, RouteReason},
    },
    error::AppResult,
    services::{
        metrics::rollups::{self, Fact},
        notices::{record_stage_change, Credit, Notices, StageMove},
        triggers::{self, NewTrigger},
        unassigned, webhooks,
    },
    store::{self, Tenant},
};

/// Applies `decided` (all but saving the lead row).
pub async fn apply<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    decided: &LeadOutcome<'_>,
    batch: &Batch<'_>,
    notices: &mut Notices,
) -> AppResult<()> {
    match &decided.step {
        Step::Rescored | Step::BecameHot { trigger: None } => Ok(()),
        Step::BecameHot {
            trigger: Some(trigger),
        } => {
            let row = write_trigger(tenant, &decided.lead, trigger, batch.now).await?;
            notices.triggers.push(row);
            Ok(())
        }
        Step::Qualified(qualification) => {
            qualify(tenant, &decided.lead, qualification, batch, notices).await
        }
    }
}

async fn qualify<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    qualification: &Qualification,
    batch: &Batch<'_>,
    notices: &mut Notices,
) -> AppResult<()> {
    let now = batch.now;
    let change = StageMove {
        to: qualification.to,
        actor: None,
        reason: qualification.reason.clone(),
        contract: batch.contract,
        at: now,
        credit: Credit {
            campaign_id: qualification.campaign_id,
            play_id: None,
        },
    };
    record_stage_change(tenant, &qualification.moving, change, notices).await?;
    let Some(assignment) = &qualification.assignment else {
        return unassigned::announce(tenant, lead, &qualification.route, now, notices).await;
    };
    assigned(tenant, lead, &qualification.route, assignment, now, notices).await
}

/// What an assignment by routing writes: the rule's count, the `lead.assigned` webhook, the SLA
/// clocks (running from `now`) and the owner's trigger. Ingestion and the unassigned queue share
/// it.
pub(crate) async fn assigned<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    route: &Route,
    assignment: &Assignment,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    if let RouteReason::Rule { rule_id, .. } = route.reason {
        store::assignment::count_rule_assignment(tenant, rule_id).await?;
    }
    let payload = serde_json::json!({
        "lead": webhooks::lead_data(lead),
        "ownerId": assignment.owner,
        "by": "routing",
        "routing": lead.routing,
    });
    notices.webhooks += webhooks::emit(tenant, "lead.assigned", payload, now).await?;
    start_clocks(tenant, lead, assignment, now).await?;
    let row = write_trigger(tenant, lead, &assignment.trigger, now).await?;
    notices.triggers.push(row);
    Ok(())
}

/// Starts the assignment's SLA clocks, each counted in the rollups on the day it is due.
async fn start_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    assignment: &Assignment,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let owner = assignment.owner;
    for clock in &assignment.clocks {
        let row = sla_clock::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
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
        };
        store::assignment::start_clock(tenant, row).await?;
        let credit = clock_credit(lead, owner, &assignment.segment);
        rollups::count(tenant, Fact::SlaDue, clock.due_at, &credit).await?;
    }
    Ok(())
}

/// Who an SLA clock of `lead` is credited to: the lead's source and segment when it starts,
/// and the rep it runs for.
fn clock_credit(lead: &contact::Model, owner: Uuid, segment: &Option<String>) -> Attribution {
    Attribution {
        source_id: lead.source_id,
        segment: segment.clone(),
        owner_id: Some(owner),
        campaign_id: None,
        play_id: None,
    }
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
        message: plan.message.clone(),
    };
    triggers::write(tenant, new, now).await
}
