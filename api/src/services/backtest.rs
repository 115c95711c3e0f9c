//! Back-testing a contract: replay its scoring and acceptance over a range of the workspace's
//! history ("would last quarter's won deals have scored as MQLs?") before anyone signs it.
//!
//! The events of the range are read in pages, lead by lead (keyset on contact, time, id), and
//! the leads the contract would have qualified are checked against the stage history, deals and
//! rejections a batch at a time, so memory holds a page and a batch whatever the workspace's
//! size.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::{
        contract::Terms,
        metrics::Range,
        scoring::{entries_for_event, mql_kind, score_at, LedgerEntry},
    },
    error::AppResult,
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
    /// Leads the contract would have made MQLs (at their peak score) from the range's events.
    pub would_be_mqls: i64,
    /// Leads that actually became MQLs in the range under the contracts in force.
    pub actual_mqls: i64,
    /// Deals won in the range.
    pub won_deals: i64,
    /// Won deals whose lead the contract would have made an MQL.
    pub won_deals_caught: i64,
    pub won_deals_missed: i64,
    /// Among would-be MQLs that sales actually saw, the share sales rejected in the range.
    pub expected_rejection_rate: f64,
}

/// The lead whose events are being replayed.
struct Replay {
    contact_id: Uuid,
    /// The lead's fit, or `None` when it is below the contract's minimum: nothing to replay.
    fit: Option<i32>,
    ledger: Vec<LedgerEntry>,
    qualified: bool,
}

/// Tallies of the leads judged so far.
#[derive(Default)]
struct Tally {
    leads: i64,
    would_be: i64,
    caught: i64,
    seen_by_sales: i64,
    rejected: i64,
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
    let tenant = state.store.tenant(workspace_id);
    let mut tally = Tally::default();
    let mut pending: Vec<Uuid> = Vec::new();
    let mut cursor = EventCursor::Start;
    let mut current: Option<Replay> = None;
    loop {
        let page = store::backtest::events_page(&tenant, range, &cursor, page_size).await?;
        let fits = fits_of(&tenant, terms, &page).await?;
        let full = page.len() as u64 == page_size;
        for (event_id, contact_id, event_type, occurred_at) in page {
            if current.as_ref().map(|r| r.contact_id) != Some(contact_id) {
                finish(current.take(), &mut pending);
                tally.leads += 1;
                current = Some(Replay {
                    contact_id,
                    fit: fits.get(&contact_id).copied(),
                    ledger: Vec::new(),
                    qualified: false,
                });
            }
            let replay = current.as_mut().expect("set above");
            cursor = EventCursor::After(contact_id, occurred_at, event_id);
            let Some(fit) = replay.fit.filter(|_| !replay.qualified) else {
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
            // Judged as of each event, the way ingestion would have judged it.
            let score = score_at(&terms.scoring, &replay.ledger, occurred_at);
            if mql_kind(&terms.scoring, fit, &score).is_some() {
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
    let won_deals = store::backtest::won_deals(&tenant, range, None).await? as i64;
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
        expected_rejection_rate: rejected_share,
    })
}

/// The fit of each lead of the page that meets the contract's minimum.
async fn fits_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    terms: &Terms,
    page: &[(Uuid, Uuid, String, DateTime<Utc>)],
) -> AppResult<HashMap<Uuid, i32>> {
    let ids: HashSet<Uuid> = page
        .iter()
        .map(|(_, contact_id, _, _)| *contact_id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    store::backtest::fits_at_least(tenant, ids, terms.acceptance.min_fit).await
}

fn finish(replay: Option<Replay>, pending: &mut Vec<Uuid>) {
    if let Some(replay) = replay.filter(|r| r.qualified) {
        pending.push(replay.contact_id);
    }
}

/// Adds a batch of would-be MQLs to the tally: which won deals they catch, which sales saw
/// (an actual MQL in the range) and which of those sales rejected.
async fn check<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    would_be: &[Uuid],
    tally: &mut Tally,
) -> AppResult<()> {
    if would_be.is_empty() {
        return Ok(());
    }
    tally.would_be += would_be.len() as i64;
    tally.caught += store::backtest::won_deals(tenant, range, Some(would_be)).await? as i64;
    let seen = store::backtest::mql_leads_among(tenant, range, would_be).await?;
    if seen.is_empty() {
        return Ok(());
    }
    tally.seen_by_sales += seen.len() as i64;
    tally.rejected += store::backtest::rejected_among(tenant, range, &seen).await? as i64;
    Ok(())
}
