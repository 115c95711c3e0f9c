//! Back-testing a contract: replay its scoring and acceptance over a range of the workspace's
//! history ("would last quarter's won deals have scored as MQLs?") before anyone signs it.
//!
//! The events of the range are read in pages, lead by lead (keyset on contact, time, id), and
//! the leads the contract would have qualified are checked against the stage history, deals and
//! rejections a batch at a time, so memory holds a page and a batch whatever the workspace's
//! size.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::contact;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::{
        contract::Terms,
        criteria::Criteria,
        metrics::Range,
        scoring::{entries_for_event, mql_kind, score_at, LedgerEntry},
        views::{AccountView, ContactView},
    },
    error::{AppError, AppResult},
    services::fit::{account_view, contact_view, lead_view, source_names, source_of},
    state::AppState,
    store::{self, backtest::EventCursor, Tenant},
};

/// Events read per query.
const EVENT_PAGE: u64 = 1_000;
/// Would-be MQLs checked against the stage history, deals and rejections per query.
const CHECK_BATCH: usize = 500;

/// What the contract would have done with the history of the range.
#[derive(Debug, Clone, PartialEq, async_graphql::SimpleObject)]
pub struct Backtest {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Leads with events in the range.
    pub leads_evaluated: i64,
    /// Leads the contract would have made MQLs from the range's events: their score crossed
    /// the threshold and they met the acceptance criteria (minimum fit and criteria) then.
    pub would_be_mqls: i64,
    /// Leads that actually became MQLs in the range under the contracts in force.
    pub actual_mqls: i64,
    /// Deals won in the range that have a lead.
    pub won_deals: i64,
    /// Won deals whose lead the contract would have made an MQL.
    pub won_deals_caught: i64,
    /// Won deals whose lead the contract would not have made an MQL.
    pub won_deals_missed: i64,
    /// Deals won in the range without a lead: neither caught nor missed.
    pub won_deals_without_lead: i64,
    /// Among would-be MQLs that sales actually saw, the share sales rejected in the range.
    pub expected_rejection_rate: f64,
    /// The same figures by the leads' source: first a row without `source` for leads of none
    /// (when there are any), then one per source in id order.
    pub sources: Vec<BacktestSource>,
}

/// A back-test's figures for the leads of one source.
#[derive(Debug, Clone, PartialEq, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct BacktestSource {
    #[graphql(skip)]
    pub source_id: Option<Uuid>,
    pub leads_evaluated: i64,
    pub would_be_mqls: i64,
    /// Deals won in the range whose lead came from this source.
    pub won_deals: i64,
    pub won_deals_caught: i64,
    pub won_deals_missed: i64,
}

/// The lead whose events are being replayed.
struct Replay {
    contact_id: Uuid,
    source_id: Option<Uuid>,
    /// The lead as acceptance reads it, or `None` when its fit is below the contract's
    /// minimum: nothing to replay.
    lead: Option<Lead>,
    ledger: Vec<LedgerEntry>,
    qualified: bool,
}

/// A lead's row and the views its criteria read.
struct Lead {
    row: contact::Model,
    contact: ContactView,
    account: Option<AccountView>,
}

/// Tallies of the leads judged so far.
#[derive(Default)]
struct Tally {
    leads: i64,
    would_be: i64,
    caught: i64,
    seen_by_sales: i64,
    rejected: i64,
    sources: BTreeMap<Option<Uuid>, SourceTally>,
}

#[derive(Default)]
struct SourceTally {
    leads: i64,
    would_be: i64,
    caught: i64,
}

/// Replays the terms of the contract version `id` over the events of `range` (NOT_FOUND when
/// the version is not this workspace's).
pub async fn of_contract(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    range: Range,
) -> AppResult<Backtest> {
    let row = state
        .store
        .tenant(workspace_id)
        .get::<entity::lead_contract::Entity>(id)
        .await?;
    let terms = crate::services::contracts::terms_of(&row)?;
    run(state, workspace_id, &terms, range).await
}

/// Replays `terms` over the events of `range`.
pub async fn run(
    state: &AppState,
    workspace_id: Uuid,
    terms: &Terms,
    range: Range,
) -> AppResult<Backtest> {
    run_paged(state, workspace_id, terms, range, EVENT_PAGE).await
}

/// [`run`], reading `page_size` events per query (tests use tiny pages to cross boundaries).
pub async fn run_paged(
    state: &AppState,
    workspace_id: Uuid,
    terms: &Terms,
    range: Range,
    page_size: u64,
) -> AppResult<Backtest> {
    let page_size = page_size.max(1);
    let check_batch = CHECK_BATCH.min(page_size as usize);
    let acceptance = terms
        .acceptance
        .criteria
        .as_ref()
        .map(Criteria::parse)
        .transpose()
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
    let tenant = state.store.tenant(workspace_id);
    let mut tally = Tally::default();
    let mut pending: Vec<(Uuid, Option<Uuid>)> = Vec::new();
    let mut cursor = EventCursor::Start;
    let mut current: Option<Replay> = None;
    loop {
        let page = store::backtest::events_page(&tenant, range, &cursor, page_size).await?;
        let mut leads = leads_of(&tenant, &page).await?;
        let full = page.len() as u64 == page_size;
        for (event_id, contact_id, event_type, occurred_at) in page {
            if current.as_ref().map(|r| r.contact_id) != Some(contact_id) {
                finish(current.take(), &mut pending);
                let lead = leads.remove(&contact_id);
                let source_id = lead.as_ref().and_then(|lead| lead.row.source_id);
                let lead = lead.filter(|lead| lead.row.fit_score >= terms.acceptance.min_fit);
                tally.leads += 1;
                tally.sources.entry(source_id).or_default().leads += 1;
                current = Some(Replay {
                    contact_id,
                    source_id,
                    lead,
                    ledger: Vec::new(),
                    qualified: false,
                });
            }
            let replay = current.as_mut().expect("set above");
            cursor = EventCursor::After(contact_id, occurred_at, event_id);
            let Some(lead) = replay.lead.as_ref().filter(|_| !replay.qualified) else {
                cursor = EventCursor::PastLead(contact_id);
                continue;
            };
            let added = entries_for_event(
                &terms.scoring,
                event_id,
                &event_type,
                occurred_at,
                &replay.ledger,
            );
            replay.ledger.extend(added);
            // Judged as of each event, the way ingestion would have judged it: the score
            // crosses the threshold and the lead meets the acceptance criteria.
            let score = score_at(&terms.scoring, &replay.ledger, occurred_at);
            let crosses = mql_kind(&terms.scoring, lead.row.fit_score, &score).is_some();
            let accepted = crosses
                && acceptance.as_ref().is_none_or(|criteria| {
                    let mut view = lead_view(&lead.row, &lead.contact, lead.account.as_ref());
                    view.score = Some(score.total);
                    view.engagement_score = Some(score.behaviour);
                    view.pql_score = Some(score.pql);
                    criteria.evaluate(&view)
                });
            if accepted {
                replay.qualified = true;
                replay.ledger = Vec::new();
                cursor = EventCursor::PastLead(contact_id);
            }
        }
        if !full {
            finish(current.take(), &mut pending);
        }
        if pending.len() >= check_batch || !full {
            check(&tenant, range, &pending, &mut tally).await?;
            pending.clear();
        }
        if !full {
            break;
        }
    }
    let actual_mqls = store::backtest::mql_leads(&tenant, range).await? as i64;
    let (won_deals, without_lead) = store::backtest::won_deals(&tenant, range).await?;
    let won_deals = won_deals as i64;
    let won_by_source: HashMap<Option<Uuid>, i64> =
        store::backtest::won_deals_by_lead_source(&tenant, range)
            .await?
            .into_iter()
            .collect();
    for source_id in won_by_source.keys() {
        tally.sources.entry(*source_id).or_default();
    }
    let rejected_share = if tally.seen_by_sales == 0 {
        0.0
    } else {
        tally.rejected as f64 / tally.seen_by_sales as f64
    };
    Ok(Backtest {
        from: range.from,
        to: range.to,
        leads_evaluated: tally.leads,
        would_be_mqls: tally.would_be,
        actual_mqls,
        won_deals,
        won_deals_caught: tally.caught,
        won_deals_missed: won_deals - tally.caught,
        won_deals_without_lead: without_lead as i64,
        expected_rejection_rate: rejected_share,
        sources: tally
            .sources
            .into_iter()
            .map(|(source_id, source)| {
                let won = won_by_source.get(&source_id).copied().unwrap_or(0);
                BacktestSource {
                    source_id,
                    leads_evaluated: source.leads,
                    would_be_mqls: source.would_be,
                    won_deals: won,
                    won_deals_caught: source.caught,
                    won_deals_missed: won - source.caught,
                }
            })
            .collect(),
    })
}

/// The leads of the page, with the views acceptance reads.
async fn leads_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    page: &[(Uuid, Uuid, String, DateTime<Utc>)],
) -> AppResult<HashMap<Uuid, Lead>> {
    let ids: HashSet<Uuid> = page
        .iter()
        .map(|(_, contact_id, _, _)| *contact_id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (rows, accounts) = store::backtest::leads_with_accounts(tenant, ids).await?;
    let sources = source_names(tenant, &rows.iter().collect::<Vec<_>>()).await?;
    let accounts: HashMap<Uuid, AccountView> = accounts
        .iter()
        .map(|row| (row.id, account_view(row)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let lead = Lead {
                contact: contact_view(&row, source_of(&row, &sources)),
                account: row.account_id.and_then(|id| accounts.get(&id).cloned()),
                row,
            };
            (lead.row.id, lead)
        })
        .collect())
}

fn finish(replay: Option<Replay>, pending: &mut Vec<(Uuid, Option<Uuid>)>) {
    if let Some(replay) = replay.filter(|r| r.qualified) {
        pending.push((replay.contact_id, replay.source_id));
    }
}

/// Adds a batch of would-be MQLs (with their sources) to the tally: which won deals they
/// catch, which sales saw (an actual MQL in the range) and which of those sales rejected.
async fn check<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    would_be: &[(Uuid, Option<Uuid>)],
    tally: &mut Tally,
) -> AppResult<()> {
    if would_be.is_empty() {
        return Ok(());
    }
    let sources: HashMap<Uuid, Option<Uuid>> = would_be.iter().copied().collect();
    let leads: Vec<Uuid> = would_be.iter().map(|(lead, _)| *lead).collect();
    tally.would_be += leads.len() as i64;
    for source_id in sources.values() {
        tally.sources.entry(*source_id).or_default().would_be += 1;
    }
    for (lead, won) in store::backtest::won_deals_of(tenant, range, &leads).await? {
        tally.caught += won;
        let source_id = sources.get(&lead).copied().flatten();
        tally.sources.entry(source_id).or_default().caught += won;
    }
    let seen = store::backtest::mql_leads_among(tenant, range, &leads).await?;
    if seen.is_empty() {
        return Ok(());
    }
    tally.seen_by_sales += seen.len() as i64;
    tally.rejected += store::backtest::rejected_among(tenant, range, &seen).await? as i64;
    Ok(())
}
