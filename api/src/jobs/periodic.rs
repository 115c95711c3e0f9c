//! Work that runs on a calendar rather than on a due time: the monthly source rule and the
//! search for stalled deals. A periodic run is claimed by inserting its mark (one per workspace,
//! job and period) in the transaction that does the work, so with several instances exactly
//! one does it and a crash leaves it to the next attempt.

use chrono::{DateTime, Datelike, Utc};
use entity::{opportunity, OpportunityStage};

use crate::{
    domain::{
        pipeline::{is_stalled, stage_medians, Move},
        plays::{PlayTrigger, Signal},
    },
    error::AppResult,
    services::{
        contracts,
        opportunities::is_closed,
        plays::engine::{signal_lead, PlayEngine},
        sources,
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::periodic,
};

/// Once a month per workspace: judges every running source on the months that ended (the
/// contract's consecutive calendar months up to last month, in the contract's time zone) and
/// pauses those over the limit, with a SOURCE_PAUSED trigger to the marketing leaders. Returns
/// the workspaces judged.
pub async fn source_rule(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut judged = 0;
    for ws in periodic::workspaces(&state.store.global()).await? {
        let mut work = UnitOfWork::begin(state, ws.id).await?;
        let (tenant, notices) = work.parts();
        periodic::take_identity_turn(&tenant).await?;
        let (_, terms) = contracts::active_terms(&tenant).await?;
        let local = now.with_timezone(&terms.slas.calendar.time_zone);
        let period = format!("{:04}-{:02}", local.year(), local.month());
        if !periodic::claim_period(&tenant, "source_rule", &period, now).await? {
            continue;
        }
        for running in periodic::running_sources(&tenant).await? {
            notices.extend(sources::apply_rule(&tenant, running.id, &terms, now).await?);
        }
        work.commit().await?;
        judged += 1;
    }
    Ok(judged)
}

/// Enrolls the primary contacts of open deals that have stayed in their stage longer than the
/// stage's median (from the stage history) in the OPPORTUNITY_STALLED plays, once per deal and
/// stage. Returns the enrollments made.
pub async fn stalled_opportunities(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut enrolled = 0;
    for ws in periodic::workspaces(&state.store.global()).await? {
        let tenant = state.store.tenant(ws.id);
        let engine = PlayEngine::load(&tenant).await?;
        if !engine.wants(|t| matches!(t, PlayTrigger::OpportunityStalled)) {
            continue;
        }
        let moves: Vec<Move<OpportunityStage>> = periodic::deal_moves(&tenant)
            .await?
            .into_iter()
            .map(|m| Move {
                subject: m.opportunity_id,
                to: m.to_stage,
                at: m.changed_at,
            })
            .collect();
        let medians = stage_medians(&moves);
        let stalled: Vec<opportunity::Model> = periodic::deals_with_primary_contact(&tenant)
            .await?
            .into_iter()
            .filter(|o| !is_closed(o.stage))
            .filter(|o| {
                is_stalled(
                    &medians,
                    o.stage,
                    o.stage_changed_at.unwrap_or(o.created_at),
                    now,
                )
            })
            .collect();
        for deal in stalled {
            let work = UnitOfWork::begin(state, ws.id).await?;
            let tenant = work.tenant();
            periodic::take_identity_turn(&tenant).await?;
            let entered = deal.stage_changed_at.unwrap_or(deal.created_at);
            let key = format!(
                "stalled:{}:{}:{}",
                deal.id,
                deal.stage.as_str(),
                entered.timestamp()
            );
            let contact = deal
                .primary_contact_id
                .expect("filtered on a primary contact");
            enrolled += signal_lead(&tenant, contact, Signal::OpportunityStalled, &key, now)
                .await?
                .len();
            work.commit().await?;
        }
    }
    Ok(enrolled)
}
