//! What people do to a lead: accept, reject (inside the window, with a reason), dispute and
//! resolve rejections, qualify (BANT), convert to an opportunity, recycle, and reassign. Every
//! move is checked by the lifecycle state machine and recorded in the stage history.

use chrono::{DateTime, Duration, Utc};
use entity::{
    contact, lead_contract, membership, opportunity, rejection, sla_clock, LeadStage,
    OpportunityStage, RejectionReason, Role, TriggerKind,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use crate::{
    auth::Actor,
    domain::lifecycle::{move_to, next_stage, Transition},
    error::{AppError, AppResult},
    services::{
        contracts,
        ingest::qualify::display_name,
        triggers::{self, NewTrigger},
    },
    state::AppState,
    store::Tenant,
};

/// Roles that act on any lead of the workspace.
fn is_leader(role: Option<Role>) -> bool {
    matches!(
        role,
        Some(Role::Owner | Role::Admin | Role::SalesLeader | Role::Revops)
    )
}

/// A rep acts on their own leads, a sales manager on their team's, leaders on all.
async fn check_works_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: &Actor,
    lead: &contact::Model,
) -> AppResult<Uuid> {
    let me = actor.user_id()?;
    if lead.owner_id == Some(me) || is_leader(actor.role) {
        return Ok(me);
    }
    if actor.role == Some(Role::SalesManager) {
        if let Some(owner) = lead.owner_id {
            let seat = tenant.member_by_user(owner).await?;
            if seat.is_some_and(|s| s.manager_id == Some(me)) {
                return Ok(me);
            }
        }
    }
    Err(AppError::forbidden(
        "only the lead's owner, their manager or a sales leader may do this",
    ))
}

fn transition_error(err: crate::domain::lifecycle::TransitionError) -> AppError {
    AppError::bad_input("stage", err.to_string())
}

async fn record<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    to: LeadStage,
    actor: Option<Uuid>,
    reason: String,
    contract: Option<&lead_contract::Model>,
) -> AppResult<()> {
    entity::stage_change::Entity::insert(entity::stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        contact_id: Set(lead.id),
        from_stage: Set(Some(lead.stage)),
        to_stage: Set(to),
        changed_at: Set(Utc::now()),
        actor_id: Set(actor),
        reason: Set(Some(reason)),
        contract_id: Set(contract.map(|c| c.id)),
        source_id: Set(lead.source_id),
    })
    .exec(tenant.conn())
    .await?;
    Ok(())
}

async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    mut lead: contact::Model,
    to: LeadStage,
) -> AppResult<contact::Model> {
    let now = Utc::now();
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
async fn meet_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    kind: Option<entity::SlaKind>,
) -> AppResult<()> {
    let mut update = sla_clock::Entity::update_many()
        .col_expr(sla_clock::Column::MetAt, Some(Utc::now()).into())
        .filter(sla_clock::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(sla_clock::Column::ContactId.eq(lead))
        .filter(sla_clock::Column::MetAt.is_null());
    if let Some(kind) = kind {
        update = update.filter(sla_clock::Column::Kind.eq(kind));
    }
    update.exec(tenant.conn()).await?;
    Ok(())
}

pub struct Outcome {
    pub lead: contact::Model,
    pub triggers: Vec<entity::trigger::Model>,
}

/// MQL -> SAL by the owner (or their manager or a leader).
pub async fn accept(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<Outcome> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.get::<contact::Entity>(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Accept).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    record(
        &tenant,
        &lead,
        to,
        Some(me),
        "accepted by sales".into(),
        contract.as_ref(),
    )
    .await?;
    meet_clocks(&tenant, lead.id, Some(entity::SlaKind::StatusUpdate)).await?;
    let lead = save(&tenant, lead, to).await?;
    txn.commit().await?;
    Ok(Outcome {
        lead,
        triggers: Vec::new(),
    })
}

/// Refuses an MQL inside the contract's rejection window, with a reason code.
pub async fn reject(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    reason: RejectionReason,
    note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<(Outcome, rejection::Model)> {
    if reason == RejectionReason::Other && note.is_none() {
        return Err(AppError::bad_input(
            "note",
            "a rejection coded OTHER needs a note",
        ));
    }
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.get::<contact::Entity>(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let (contract, terms) = contracts::active_terms(&tenant).await?;
    if !terms
        .rejection
        .reason_codes
        .iter()
        .any(|c| c == reason.as_str())
    {
        return Err(AppError::bad_input(
            "reason",
            "the contract does not allow this reason code",
        ));
    }
    let target = match reason {
        RejectionReason::Duplicate | RejectionReason::BadContactData => LeadStage::Disqualified,
        _ => LeadStage::Nurture,
    };
    let to = move_to(lead.stage, Transition::Reject, target).map_err(transition_error)?;
    let opened = lead
        .assigned_at
        .or(lead.stage_changed_at)
        .unwrap_or(lead.created_at);
    let window = Duration::hours(i64::from(terms.rejection.window_hours));
    if now - opened > window {
        return Err(AppError::SlaWindowClosed(format!(
            "the rejection window of {} hours closed at {}",
            terms.rejection.window_hours,
            (opened + window).to_rfc3339()
        )));
    }
    record(
        &tenant,
        &lead,
        to,
        Some(me),
        format!("rejected: {}", reason.as_str()),
        contract.as_ref(),
    )
    .await?;
    let row = rejection::Entity::insert(rejection::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        contact_id: Set(lead.id),
        rejected_by: Set(me),
        source_id: Set(lead.source_id),
        reason: Set(reason),
        note: Set(note),
        rejected_at: Set(now),
        disputed_by: Set(None),
        disputed_at: Set(None),
        dispute_note: Set(None),
        resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    meet_clocks(&tenant, lead.id, None).await?;
    let source = lead.source_id;
    let lead = save(&tenant, lead, to).await?;
    let mut written = Vec::new();
    if let Some(source) = source {
        written.extend(crate::services::sources::apply_rule(&tenant, source, &terms, now).await?);
    }
    txn.commit().await?;
    Ok((
        Outcome {
            lead,
            triggers: written,
        },
        row,
    ))
}

/// Marketing disputes a rejection; the sales leaders are told.
pub async fn dispute(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    note: String,
) -> AppResult<(rejection::Model, Vec<entity::trigger::Model>)> {
    let me = actor.user_id()?;
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get::<rejection::Entity>(id).await?;
    if row.disputed_at.is_some() {
        return Err(AppError::Conflict(
            "this rejection is already disputed".into(),
        ));
    }
    let mut active = row.into_active_model();
    active.disputed_by = Set(Some(me));
    active.disputed_at = Set(Some(Utc::now()));
    active.dispute_note = Set(Some(note));
    let saved = active.update(&txn).await?;
    let leaders = tenant
        .select::<membership::Entity>()
        .filter(membership::Column::Role.eq(Role::SalesLeader))
        .all(&txn)
        .await?;
    let mut written = Vec::new();
    for leader in leaders {
        written.push(
            triggers::write(
                &tenant,
                NewTrigger {
                    recipient_id: leader.user_id,
                    kind: TriggerKind::RejectionDisputed,
                    lead_id: Some(saved.contact_id),
                    due_at: None,
                    message: format!(
                        "Marketing disputes the {} rejection of a lead",
                        saved.reason.as_str()
                    ),
                },
            )
            .await?,
        );
    }
    txn.commit().await?;
    Ok((saved, written))
}

/// A leader settles a dispute: upheld sends the lead back to its rep as an MQL.
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    upheld: bool,
) -> AppResult<(rejection::Model, Vec<entity::trigger::Model>)> {
    let me = actor.user_id()?;
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get::<rejection::Entity>(id).await?;
    if row.disputed_at.is_none() {
        return Err(AppError::bad_input("id", "this rejection is not disputed"));
    }
    if row.resolved_at.is_some() {
        return Err(AppError::Conflict(
            "this dispute is already resolved".into(),
        ));
    }
    let mut written = Vec::new();
    if upheld {
        let lead = tenant.get::<contact::Entity>(row.contact_id).await?;
        let to = next_stage(lead.stage, Transition::Reinstate).map_err(transition_error)?;
        let (contract, _) = contracts::active_terms(&tenant).await?;
        record(
            &tenant,
            &lead,
            to,
            Some(me),
            "dispute upheld: back to its rep".into(),
            contract.as_ref(),
        )
        .await?;
        let owner = lead.owner_id;
        let lead = save(&tenant, lead, to).await?;
        if let Some(owner) = owner {
            written.push(
                triggers::write(
                    &tenant,
                    NewTrigger {
                        recipient_id: owner,
                        kind: TriggerKind::DisputeResolved,
                        lead_id: Some(lead.id),
                        due_at: None,
                        message: format!(
                            "{} is back with you: marketing's dispute was upheld",
                            display_name(&lead)
                        ),
                    },
                )
                .await?,
            );
        }
    }
    let mut active = row.into_active_model();
    active.resolution = Set(Some(if upheld { "UPHELD" } else { "DENIED" }.to_owned()));
    active.resolved_by = Set(Some(me));
    active.resolved_at = Set(Some(Utc::now()));
    let saved = active.update(&txn).await?;
    txn.commit().await?;
    Ok((saved, written))
}

/// BANT answers that make a lead sales-qualified.
pub struct Bant {
    pub budget: String,
    pub authority: String,
    pub need: String,
    pub timing: String,
}

/// SAL -> SQL with the BANT answers recorded in the history.
pub async fn qualify(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    bant: Bant,
) -> AppResult<Outcome> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.get::<contact::Entity>(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::QualifySales).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let reason = format!(
        "BANT: budget {}; authority {}; need {}; timing {}",
        bant.budget, bant.authority, bant.need, bant.timing
    );
    record(&tenant, &lead, to, Some(me), reason, contract.as_ref()).await?;
    let lead = save(&tenant, lead, to).await?;
    txn.commit().await?;
    Ok(Outcome {
        lead,
        triggers: Vec::new(),
    })
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
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.get::<contact::Entity>(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Convert).map_err(transition_error)?;
    let account_id = lead
        .account_id
        .ok_or_else(|| AppError::bad_input("id", "the lead has no account to open a deal with"))?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    record(
        &tenant,
        &lead,
        to,
        Some(me),
        "converted to an opportunity".into(),
        contract.as_ref(),
    )
    .await?;
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
        created_at: Set(Utc::now()),
        closed_at: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    let lead = save(&tenant, lead, to).await?;
    txn.commit().await?;
    Ok((
        Outcome {
            lead,
            triggers: Vec::new(),
        },
        opp,
    ))
}

/// MQL | SAL | SQL -> NURTURE with a recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK).
pub async fn recycle(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    tag: &str,
    until: Option<chrono::NaiveDate>,
) -> AppResult<Outcome> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let lead = tenant.get::<contact::Entity>(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Recycle).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let reason = match until {
        Some(date) => format!("recycled: {tag} (check back on {date})"),
        None => format!("recycled: {tag}"),
    };
    record(&tenant, &lead, to, Some(me), reason, contract.as_ref()).await?;
    meet_clocks(&tenant, lead.id, None).await?;
    let mut tags: Vec<String> = serde_json::from_value(lead.tags.clone()).unwrap_or_default();
    tags.retain(|t| !["FUTURE", "RE_ENGAGE", "CHECK_BACK"].contains(&t.as_str()));
    tags.push(tag.to_owned());
    let mut lead = lead;
    lead.tags = serde_json::json!(tags);
    let lead = save(&tenant, lead, to).await?;
    txn.commit().await?;
    Ok(Outcome {
        lead,
        triggers: Vec::new(),
    })
}

/// Overrides routing: gives the lead to `owner`, restarting its clocks, and tells them.
pub async fn assign(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
) -> AppResult<Outcome> {
    let me = actor.user_id()?;
    if !(is_leader(actor.role) || actor.role == Some(Role::SalesManager)) {
        return Err(AppError::forbidden(
            "only sales managers, leaders and revops reassign leads",
        ));
    }
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let mut lead = tenant.get::<contact::Entity>(id).await?;
    if tenant.member_by_user(owner).await?.is_none() {
        return Err(AppError::not_found_at("member", "userId"));
    }
    let (_, terms) = contracts::active_terms(&tenant).await?;
    let now = Utc::now();
    meet_clocks(&tenant, lead.id, None).await?;
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
    let written = vec![
        triggers::write(
            &tenant,
            NewTrigger {
                recipient_id: owner,
                kind: TriggerKind::LeadAssigned,
                lead_id: Some(lead.id),
                due_at: Some(due),
                message: format!("{} was assigned to you", display_name(&lead)),
            },
        )
        .await?,
    ];
    txn.commit().await?;
    Ok(Outcome {
        lead,
        triggers: written,
    })
}
