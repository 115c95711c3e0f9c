//! The lead's own moves through the funnel by the person working it: accept (MQL -> SAL),
//! qualify (SAL -> SQL), convert (-> OPPORTUNITY) and recycle (-> NURTURE).

use chrono::NaiveDate;
use entity::{contact, opportunity};
use uuid::Uuid;

use super::{check_works_lead, meet_clocks, move_lead, set_recycle_tag, transition_error};
use crate::{
    auth::Actor,
    domain::lifecycle::{next_stage, Transition},
    error::{AppError, AppResult},
    services::{
        contracts,
        notices::{Credit, StageMove},
        plays::{engine, touches::touches_since},
        unassigned,
        unit_of_work::UnitOfWork,
        webhooks,
    },
    state::AppState,
    store::{self, lead_actions::NewDeal},
};

/// MQL -> SAL by the owner (or their manager or a leader).
pub async fn accept(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<contact::Model> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Accept).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
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
        notices,
    )
    .await?;
    work.commit().await?;
    Ok(lead)
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
) -> AppResult<contact::Model> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::QualifySales).map_err(transition_error)?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let reason = format!(
        "BANT: budget {}; authority {}; need {}; timing {}",
        bant.budget, bant.authority, bant.need, bant.timing
    );
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
        notices,
    )
    .await?;
    work.commit().await?;
    Ok(lead)
}

pub struct Conversion {
    pub name: String,
    pub amount: f64,
    pub currency: String,
    pub close_date: Option<NaiveDate>,
}

/// SAL | SQL -> OPPORTUNITY, opening the deal with the lead's account, source and owner.
pub async fn convert(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    deal: Conversion,
) -> AppResult<opportunity::Model> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let lead = tenant.lead_for_update(id).await?;
    let me = check_works_lead(&tenant, actor, &lead).await?;
    let to = next_stage(lead.stage, Transition::Convert).map_err(transition_error)?;
    let account_id = lead
        .account_id
        .ok_or_else(|| AppError::bad_input("id", "the lead has no account to open a deal with"))?;
    let (contract, _) = contracts::active_terms(&tenant).await?;
    let opp = store::lead_actions::open_deal(
        &tenant,
        NewDeal {
            name: deal.name,
            amount: deal.amount,
            currency: deal.currency,
            close_date: deal.close_date,
            account_id,
            lead_id: lead.id,
            source_id: lead.source_id,
            owner_id: lead.owner_id.or(Some(me)),
            at: now,
        },
    )
    .await?;
    crate::services::opportunities::record_stage(&tenant, &opp, None, Some(me), now).await?;
    engine::stop_all(&tenant, lead.id, "converted to an opportunity", now).await?;
    move_lead(
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
        notices,
    )
    .await?;
    unassigned::route_waiting(&tenant, notices, now).await?;
    work.commit().await?;
    Ok(opp)
}

/// MQL | SAL | SQL -> NURTURE with a recycling tag (FUTURE, RE_ENGAGE, CHECK_BACK). RE_ENGAGE
/// (unresponsive) needs the contract's minimum touches since the lead was assigned.
pub async fn recycle(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    tag: &str,
    until: Option<NaiveDate>,
) -> AppResult<contact::Model> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let mut lead = tenant.lead_for_update(id).await?;
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
    set_recycle_tag(&mut lead, tag, until);
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
        notices,
    )
    .await?;
    let payload =
        serde_json::json!({"lead": webhooks::lead_data(&lead), "tag": tag, "until": until});
    notices.webhooks += webhooks::emit(&tenant, "lead.recycled", payload, now).await?;
    unassigned::route_waiting(&tenant, notices, now).await?;
    work.commit().await?;
    Ok(lead)
}
