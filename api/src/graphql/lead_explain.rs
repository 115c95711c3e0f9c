//! Why a lead has its score, why it is or is not an MQL, and how it got where it is.

use async_graphql::{Context, Json, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{contact, LeadStage};

use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
    pagination::Page,
};
use crate::{
    domain::scoring::{score_at, EntryKind, ScoreBreakdown},
    services::{contracts, explain, ingest::ledger_entry},
};

#[derive(SimpleObject)]
pub struct ScoreLineOut {
    /// The event type the rule scores.
    pub rule: String,
    /// BEHAVIOUR or PQL.
    pub kind: String,
    pub points: i32,
    /// How many events it counted.
    pub count: i32,
}

/// The lead's score as of now: every rule that fired, and the decay in force.
#[derive(SimpleObject)]
pub struct LeadScore {
    pub fit: i32,
    pub behaviour: i32,
    pub pql: i32,
    /// Decay for inactivity (0 or negative): the largest step of the contract that applies.
    pub decay: i32,
    /// Behaviour after decay, never below 0.
    pub engagement: i32,
    /// fit + engagement, compared with the contract's MQL threshold.
    pub total: i32,
    pub last_engaged_at: Option<DateTime<Utc>>,
    pub lines: Vec<ScoreLineOut>,
}

#[derive(SimpleObject)]
pub struct QualificationCriterion {
    pub criterion: String,
    pub met: bool,
    /// What decided it: for each contract acceptance criterion, each field it tests with the
    /// lead's value (`lead.source = "Webinar"`, `account.industry missing`).
    pub detail: String,
}

/// Criterion by criterion, whether the lead meets the active contract.
#[derive(SimpleObject)]
pub struct Qualification {
    pub qualifies: bool,
    /// HOT (a hand-raiser) or WARM when it qualifies.
    pub kind: Option<String>,
    pub criteria: Vec<QualificationCriterion>,
    /// "no signed contract: the seed's default terms apply" while no contract is signed (a
    /// theater signal); null under a signed contract.
    pub notice: Option<String>,
}

#[derive(SimpleObject)]
pub struct StageChangeOut {
    pub from: Option<LeadStage>,
    pub to: LeadStage,
    pub at: DateTime<Utc>,
    pub actor_id: Option<async_graphql::ID>,
    pub reason: Option<String>,
    pub contract_id: Option<async_graphql::ID>,
}

async fn breakdown(
    ctx: &Context<'_>,
    row: &contact::Model,
) -> Result<(ScoreBreakdown, crate::domain::contract::Terms)> {
    let tenant = ctx.state().store.tenant(row.workspace_id);
    let (_, terms) = contracts::active_terms(&tenant).await?;
    let entries = load_one(ctx.data_unchecked::<Loaders>().ledger_by_contact(), row.id)
        .await?
        .unwrap_or_default();
    let ledger: Vec<_> = entries.iter().map(ledger_entry).collect();
    Ok((score_at(&terms.scoring, &ledger, Utc::now()), terms))
}

pub async fn score(ctx: &Context<'_>, row: &contact::Model) -> Result<LeadScore> {
    let (score, _) = breakdown(ctx, row).await?;
    Ok(LeadScore {
        fit: row.fit_score,
        behaviour: score.behaviour,
        pql: score.pql,
        decay: score.decay,
        engagement: score.total,
        total: row.fit_score + score.total,
        last_engaged_at: score.last_engaged_at,
        lines: score
            .lines
            .iter()
            .map(|l| ScoreLineOut {
                rule: l.rule.clone(),
                kind: match l.kind {
                    EntryKind::Behaviour => "BEHAVIOUR".into(),
                    EntryKind::Pql => "PQL".into(),
                },
                points: l.points,
                count: l.count as i32,
            })
            .collect(),
    })
}

pub async fn qualification(ctx: &Context<'_>, row: &contact::Model) -> Result<Qualification> {
    let state = ctx.state();
    let tenant = state.store.tenant(row.workspace_id);
    let report = explain::qualification(&tenant, row, state.clock.now()).await?;
    Ok(Qualification {
        qualifies: report.qualifies,
        kind: report.kind.map(|k| format!("{k:?}").to_uppercase()),
        criteria: report
            .criteria
            .into_iter()
            .map(|c| QualificationCriterion {
                criterion: c.criterion,
                met: c.met,
                detail: c.detail,
            })
            .collect(),
        notice: report.notice.map(str::to_owned),
    })
}

pub async fn history(
    ctx: &Context<'_>,
    row: &contact::Model,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page<StageChangeOut>> {
    let max = ctx.state().config.max_page_size;
    ctx.data_unchecked::<Loaders>()
        .stages_by_contact()
        .page(ctx, row.id, first, after, max, |c| StageChangeOut {
            from: c.from_stage,
            to: c.to_stage,
            at: c.changed_at,
            actor_id: c.actor_id.map(Into::into),
            reason: c.reason,
            contract_id: c.contract_id.map(Into::into),
        })
        .await
}

pub fn routing(row: &contact::Model) -> Option<Json<serde_json::Value>> {
    row.routing.clone().map(Json)
}
