//! What people do to a lead: accept, reject (inside the window, with a reason), dispute and
//! resolve rejections, qualify (BANT), convert to an opportunity, recycle, and reassign. Every
//! move is checked by the lifecycle state machine and recorded in the stage history; a lead that
//! leaves the funnel stops its plays.

mod rejections;

use chrono::{DateTime, Duration, Utc};
use entity::{contact, opportunity, sla_clock, OpportunityStage, TriggerKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

pub use rejections::{dispute, reject, resolve};

use crate::domain::text::display_name;
use crate::{
    auth::Actor,
    domain::{
        lifecycle::{next_stage, Transition},
        metrics::Attribution,
        permissions::{role_allows, Permission},
    },
    error::{AppError, AppResult},
    services::{
        access, contracts,
        metrics::rollups::{self, Fact},
        notices::{record_stage_change, Credit, Notices, StageMove},
        plays::{engine, touches::touches_since},
        triggers::{self, NewTrigger},
        webhooks,
    },
    state::AppState,
    store::Tenant,
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
    lead.stage = to;
    lead.stage_changed_at = Some(now);
    lead.updated_at = now;
    Ok(lead
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}

/// Stops the lead's running SLA clocks of `kind` (or all) as met.
pub(crate) async fn meet_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: Option<entity::SlaKind>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    stop_clocks(tenant, lead, kind, now).await?;
    // An SLA trigger stays open until acknowledged or acted on: this is acting on it.
    entity::trigger::Entity::update_many()
        .col_expr(entity::trigger::Column::AcknowledgedAt, Some(now).into())
        .filter(entity::trigger::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(entity::trigger::Column::LeadId.eq(lead))
        .filter(
            entity::trigger::Column::Kind
                .is_in([TriggerKind::SlaWarning, TriggerKind::SlaBreached]),
        )
        .filter(entity::trigger::Column::AcknowledgedAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Marks the lead's running SLA clocks of `kind` (or all) met at `now`, and counts those met in
/// time in the rollups, in the same transaction.
pub(crate) async fn stop_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: Option<entity::SlaKind>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use sla_clock::Column as K;
    let mut running = tenant
        .select::<sla_clock::Entity>()
        .filter(K::ContactId.eq(lead))
        .filter(K::MetAt.is_null());
    if let Some(kind) = kind {
        running = running.filter(K::Kind.eq(kind));
    }
    let running = running.all(tenant.conn()).await?;
    if running.is_empty() {
        return Ok(());
    }
    sla_clock::Entity::update_many()
        .col_expr(K::MetAt, Some(now).into())
        .filter(K::WorkspaceId.eq(tenant.workspace_id()))
        .filter(K::Id.is_in(running.iter().map(|c| c.id)))
        .exec(tenant.conn())
        .await?;
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
    Ok(())
}

/// The lead's tags with `tag` as its one recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK).
pub(crate) fn with_recycle_tag(tags: &serde_json::Value, tag: &str) -> serde_json::Value {
    let mut tags: Vec<String> = serde_json::from_value(tags.clone()).unwrap_or_default();
    tags.retain(|t| !["FUTURE", "RE_ENGAGE", "CHECK_BACK"].contains(&t.as_str()));
    tags.push(tag.to_owned());
    serde_json::json!(tags)
}

pub struct Outcome {
    pub lead: contact::Model,
    /// To publish once committed.
    pub notices: Notices,
}

/// MQL -> SAL by the owner (or their manager or a leader).
pub async fn accept(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<Outcome> {
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Accept).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let mut notices = Notices::default();
    meet_clocks(&tenant, lead.id, Some(entity::SlaKind::StatusUpdate), now).await?;
    let lead = move_lead(
        &tenant,
        lead,
        StageMove {
            to,
            actor: Some(me),
            reason: "accepted by sales".into(),
            contract: contract.as_ref(),
            at: now,
            credit: Credit::default(),
        },
        &mut notices,
    )
    .await?;
    txn.commit().await?;
    Ok(Outcome { lead, notices })
}

/// BANT answers that make a lead sales-qualified.
pub struct Bant {
    pub budget: String,
    pub authority: String,
    pub need: String,
    pub timing: String,
}

/// SAL -> SQL with the BANT answers recorded in the history. The lead's plays did their job.
pub async fn qualify(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    bant: Bant,
) -> AppResult<Outcome> {
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::QualifySales).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let reason = format!(
        "BANT: budget {}; authority {}; need {}; timing {}",
        bant.budget, bant.authority, bant.need, bant.timing
    );
    let mut notices = Notices::default();
    engine::stop_all(&tenant, lead.id, "qualified by sales (SQL)", now).await?;
    let lead = move_lead(
        &tenant,
        lead,
        StageMove {
            to,
            actor: Some(me),
            reason,
            contract: contract.as_ref(),
            at: now,
            credit: Credit::default(),
        },
        &mut notices,
    )
    .await?;
    txn.commit().await?;
    Ok(Outcome { lead, notices })
}

pub struct Conversion {
    pub name: String,
    pub amount: f64,
    pub currency: String,
    pub close_date: Option<chrono::NaiveDate>,
}

/// SAL | SQL -> OPPORTUNITY, opening the deal with the lead's account, source and owner.
pub async fn convert(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    deal: Conversion,
) -> AppResult<(Outcome, opportunity::Model)> {
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Convert).map_err(transition_error)?;
    let account_id = lead
        .account_id
        .ok_or_else(|| AppError::bad_input("id", "the lead has no account to open a deal with"))?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let opp = opportunity::Entity::insert(opportunity::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set(deal.name),
        account_id: Set(account_id),
        primary_contact_id: Set(Some(lead.id)),
        lead_id: Set(Some(lead.id)),
        source_id: Set(lead.source_id),
        owner_id: Set(lead.owner_id.or(Some(me))),
        amount: Set(deal.amount),
        currency: Set(deal.currency),
        stage: Set(OpportunityStage::Discovery),
        close_date: Set(deal.close_date),
        lost_reason: Set(None),
        created_at: Set(now),
        closed_at: Set(None),
        stage_changed_at: Set(Some(now)),
        external_id: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    crate::services::opportunities::record_stage(&tenant, &opp, None, Some(me), now).await?;
    let mut notices = Notices::default();
    engine::stop_all(&tenant, lead.id, "converted to an opportunity", now).await?;
    let lead = move_lead(
        &tenant,
        lead,
        StageMove {
            to,
            actor: Some(me),
            reason: "converted to an opportunity".into(),
            contract: contract.as_ref(),
            at: now,
            credit: Credit::default(),
        },
        &mut notices,
    )
    .await?;
    txn.commit().await?;
    Ok((Outcome { lead, notices }, opp))
}

/// MQL | SAL | SQL -> NURTURE with a recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK). RE_ENGAGE
/// (unresponsive) needs the contract's minimum touches since the lead was assigned.
pub async fn recycle(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    tag: &str,
    until: Option<chrono::NaiveDate>,
) -> AppResult<Outcome> {
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Recycle).map_err(transition_error)?;
    let (contract, terms) = contracts::active_terms(&tenant).await?;
    if tag == "RE_ENGAGE" {
        let since = lead.assigned_at.unwrap_or(lead.created_at);
        let touches = touches_since(&tenant, lead.id, since).await?;
        let needed = terms.slas.min_touches_before_recycle;
        if touches < needed {
            return Err(AppError::bad_input(
                "tag",
                format!(
                    "the contract asks for {needed} touches before an unresponsive lead is \
                     recycled; {touches} logged since assignment"
                ),
            ));
        }
    }
    let reason = match until {
        Some(date) => format!("recycled: {tag} (check back on {date})"),
        None => format!("recycled: {tag}"),
    };
    meet_clocks(&tenant, lead.id, None, now).await?;
    engine::stop_all(&tenant, lead.id, &reason, now).await?;
    let mut lead = lead;
    lead.tags = with_recycle_tag(&lead.tags, tag);
    let mut notices = Notices::default();
    let lead = move_lead(
        &tenant,
        lead,
        StageMove {
            to,
            actor: Some(me),
            reason,
            contract: contract.as_ref(),
            at: now,
            credit: Credit::default(),
        },
        &mut notices,
    )
    .await?;
    let payload =
        serde_json::json!({"lead": webhooks::lead_data(&lead), "tag": tag, "until": until});
    notices.webhooks += webhooks::emit(&tenant, "lead.recycled", payload, now).await?;
    txn.commit().await?;
    Ok(Outcome { lead, notices })
}

/// Overrides routing: gives the lead to `owner`, restarting its clocks, and tells them. Open
/// cadence tasks move with the lead.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
) -> AppResult<Outcome> {
    let me = actor.user_id()?;
    actor.require(Permission::AssignLead)?;
    let now = state.clock.now();
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
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
    lead.routing = Some(
        serde_json::json!({"by": "manual", "assignedBy": me, "explanation": "assigned by hand"}),
    );
    lead.updated_at = now;
    let lead = lead.into_active_model().reset_all().update(&txn).await?;
    let mut notices = Notices::default();
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
                message: format!("{} was assigned to you", display_name(&lead)),
            },
            now,
        )
        .await?,
    );
    txn.commit().await?;
    Ok(Outcome { lead, notices })
}
