//! Reassigning a lead by hand, overriding routing.

use chrono::Duration;
use entity::{contact, TriggerKind};
use uuid::Uuid;

use super::meet_clocks;
use crate::domain::text::display_name;
use crate::{
    auth::Actor,
    domain::permissions::{role_allows, Permission},
    error::{AppError, AppResult},
    services::{
        access, contracts,
        plays::engine,
        triggers::{self, NewTrigger},
        unassigned,
        unit_of_work::UnitOfWork,
        webhooks,
    },
    state::AppState,
    store,
};

/// Overrides routing: gives the lead to `owner`, restarting its clocks, and tells them. Open
/// cadence tasks move with the lead.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
) -> AppResult<contact::Model> {
    let me = actor.user_id()?;
    actor.require(Permission::AssignLead)?;
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let mut lead = tenant.lead_for_update(id).await?;
    let Some(seat) = tenant.member_by_user(owner).await? else {
        return Err(AppError::not_found_at("member", "userId"));
    };
    // The lead leaves its current owner's hands and lands in the new owner's: the actor must
    // reach both (a queued lead has no owner to leave).
    if lead.owner_id.is_some() {
        access::require_on(&tenant, actor, Permission::AssignLead, lead.owner_id).await?;
    }
    access::require_on(&tenant, actor, Permission::AssignLead, Some(owner)).await?;
    if !role_allows(seat.role, Permission::ReceiveLeads) {
        return Err(AppError::bad_input(
            "userId",
            "this member's role does not take leads",
        ));
    }
    let (_, terms) = contracts::active_terms(&tenant).await?;
    meet_clocks(&tenant, lead.id, None, now).await?;
    engine::reassign(&tenant, lead.id, owner).await?;
    let due = terms.slas.calendar.add_business_duration(
        now,
        Duration::minutes(i64::from(terms.slas.first_touch_warm_minutes)),
    );
    lead.owner_id = Some(owner);
    lead.assigned_at = Some(now);
    // Out of the unassigned queue, if it waited there.
    lead.waiting_since = None;
    store::triggers::acknowledge_of_lead(&tenant, lead.id, TriggerKind::UnroutableLead, now)
        .await?;
    lead.routing = Some(
        serde_json::json!({"by": "manual", "assignedBy": me, "explanation": "assigned by hand"}),
    );
    lead.updated_at = now;
    let lead = store::lead_actions::save_lead(&tenant, lead).await?;
    let payload =
        serde_json::json!({"lead": webhooks::lead_data(&lead), "ownerId": owner, "by": "manual"});
    notices.webhooks += webhooks::emit(&tenant, "lead.assigned", payload, now).await?;
    notices.triggers.push(
        triggers::write(
            &tenant,
            NewTrigger {
                recipient_id: owner,
                kind: TriggerKind::LeadAssigned,
                lead_id: Some(lead.id),
                play_id: None,
                step: None,
                due_at: Some(due),
                intel: None,
                message: format!("{} was assigned to you", display_name(&lead)),
            },
            now,
        )
        .await?,
    );
    // The previous owner has room again.
    unassigned::route_waiting(&tenant, notices, now).await?;
    work.commit().await?;
    Ok(lead)
}
