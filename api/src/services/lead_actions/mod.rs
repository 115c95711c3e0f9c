//! What people do to a lead: accept, reject (inside the window, with a reason), dispute and
//! resolve rejections, qualify (BANT), convert to an opportunity, recycle, and reassign. Every
//! move is checked by the lifecycle state machine and recorded in the stage history; a lead that
//! leaves the funnel stops its plays. Each action is one unit of work: it commits, then its
//! notices (stage changes, triggers, webhooks) go out.

mod assign;
mod moves;
mod rejections;

use chrono::{DateTime, NaiveDate, Utc};
use entity::contact;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

pub use assign::assign;
pub use moves::{accept, convert, qualify, recycle, Bant, Conversion};
pub use rejections::{dispute, reject, resolve, resume_source};

use crate::{
    auth::Actor,
    domain::{metrics::Attribution, permissions::Permission},
    error::{AppError, AppResult},
    services::{
        access,
        metrics::rollups::{self, Fact},
        notices::{record_stage_change, Notices, StageMove},
    },
    store::{self, Tenant},
};

/// A rep acts on their own leads, a sales manager on their team's, leaders on all (the
/// permission table's `WorkLead`); returns the actor's user id.
pub(crate) async fn check_works_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: &Actor,
    lead: &contact::Model,
) -> AppResult<Uuid> {
    let me = actor.user_id()?;
    access::require_on(tenant, actor, Permission::WorkLead, lead.owner_id).await?;
    Ok(me)
}

fn transition_error(err: crate::domain::lifecycle::TransitionError) -> AppError {
    AppError::bad_input("stage", err.to_string())
}

/// Records `lead` moving to `to` because `actor` did something, and saves it there.
async fn move_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    mut lead: contact::Model,
    change: StageMove<'_>,
    notices: &mut Notices,
) -> AppResult<contact::Model> {
    let (to, now) = (change.to, change.at);
    record_stage_change(tenant, &lead, change, notices).await?;
    // A lead that waited in the unassigned queue leaves it with its move.
    if lead.waiting_since.take().is_some() {
        let kind = entity::TriggerKind::UnroutableLead;
        store::triggers::acknowledge_of_lead(tenant, lead.id, kind, now).await?;
    }
    lead.stage = to;
    lead.stage_changed_at = Some(now);
    lead.updated_at = now;
    store::lead_actions::save_lead(tenant, lead).await
}

/// Stops the lead's running SLA clocks of `kind` (or all) as met.
pub(crate) async fn meet_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: Option<entity::SlaKind>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let stopped = stop_clocks(tenant, lead, kind, now).await?;
    // An SLA trigger stays open until acknowledged or acted on: this is acting on it. Meeting
    // one SLA (first touch) closes only the triggers about that SLA's clocks (a trigger carries
    // its clock's due time); meeting every SLA closes all of the lead's.
    match kind {
        None => store::triggers::acknowledge_sla_of_lead(tenant, lead, now).await,
        Some(_) => {
            let due: Vec<DateTime<Utc>> = stopped.iter().map(|c| c.due_at).collect();
            store::triggers::acknowledge_sla_due(tenant, lead, &due, now).await
        }
    }
}

/// Marks the lead's running SLA clocks of `kind` (or all) met at `now`, and counts those met in
/// time in the rollups, in the same transaction; returns the clocks it stopped.
pub(crate) async fn stop_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: Option<entity::SlaKind>,
    now: DateTime<Utc>,
) -> AppResult<Vec<entity::sla_clock::Model>> {
    let running = store::clocks::running(tenant, lead, kind).await?;
    if running.is_empty() {
        return Ok(running);
    }
    store::clocks::mark_met(tenant, &running, now).await?;
    for clock in running.iter().filter(|c| now <= c.due_at) {
        let credit = Attribution {
            source_id: clock.source_id,
            segment: clock.segment.clone(),
            owner_id: Some(clock.assignee_id),
            campaign_id: None,
            play_id: None,
        };
        rollups::count(tenant, Fact::SlaMet, clock.due_at, &credit).await?;
    }
    Ok(running)
}

/// Gives the lead `tag` as its one recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK): in its tags and
/// in `recycle_tag`; `check_back_on` is the CHECK_BACK date (none for the other tags).
pub(crate) fn set_recycle_tag(
    lead: &mut contact::Model,
    tag: &str,
    check_back_on: Option<NaiveDate>,
) {
    let mut tags: Vec<String> = serde_json::from_value(lead.tags.clone()).unwrap_or_default();
    tags.retain(|t| !RECYCLE_TAGS.contains(&t.as_str()));
    tags.push(tag.to_owned());
    lead.tags = serde_json::json!(tags);
    lead.recycle_tag = Some(tag.to_owned());
    lead.check_back_on = check_back_on.filter(|_| tag == "CHECK_BACK");
}

/// Takes the recycling tag off the lead (its CHECK_BACK date came).
pub(crate) fn clear_recycle_tag(lead: &mut contact::Model) {
    let mut tags: Vec<String> = serde_json::from_value(lead.tags.clone()).unwrap_or_default();
    tags.retain(|t| !RECYCLE_TAGS.contains(&t.as_str()));
    lead.tags = serde_json::json!(tags);
    lead.recycle_tag = None;
    lead.check_back_on = None;
}

const RECYCLE_TAGS: [&str; 3] = ["FUTURE", "RE_ENGAGE", "CHECK_BACK"];
