//! Back-testing a contract: replay its scoring and acceptance over a range of the workspace's
//! history ("would last quarter's won deals have scored as MQLs?") before anyone signs it.
//!
//! The events of the range are read in pages, lead by lead (keyset on contact, time, id), and
//! the leads the contract would have qualified are checked against the stage history, deals and
//! rejections a batch at a time, so memory holds a page and a batch whatever the workspace's
//! size.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{contact, event, opportunity, rejection, stage_change, LeadStage, OpportunityStage};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    domain::{
        contract::Terms,
        metrics::Range,
        scoring::{entries_for_event, mql_kind, score_at, LedgerEntry},
    },
    error::AppResult,
    state::AppState,
    store::Tenant,
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

/// Where the next page of events starts.
enum Cursor {
    Start,
    /// After this event of this lead.
    After(Uuid, DateTime<Utc>, Uuid),
    /// After every event of this lead (already judged).
    PastLead(Uuid),
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
    let mut cursor = Cursor::Start;
    let mut current: Option<Replay> = None;
    loop {
        let page = events_page(&tenant, range, &cursor, page_size).await?;
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
            cursor = Cursor::After(contact_id, occurred_at, event_id);
            let Some(fit) = replay.fit.filter(|_| !replay.qualified) else {
                cursor = Cursor::PastLead(contact_id);
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
                cursor = Cursor::PastLead(contact_id);
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
    let actual_mqls = tenant
        .select::<stage_change::Entity>()
        .filter(mql_entries_in(range))
        .select_only()
        .column(stage_change::Column::ContactId)
        .distinct()
        .count(tenant.conn())
        .await? as i64;
    let won_deals = tenant
        .select::<opportunity::Entity>()
        .filter(won_in(range))
        .count(tenant.conn())
        .await? as i64;
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

fn finish(replay: Option<Replay>, pending: &mut Vec<Uuid>) {
    if let Some(replay) = replay.filter(|r| r.qualified) {
        pending.push(replay.contact_id);
    }
}

/// The next page of the range's events: (id, lead, type, time), by lead, then time, then id.
async fn events_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    cursor: &Cursor,
    page_size: u64,
) -> AppResult<Vec<(Uuid, Uuid, String, DateTime<Utc>)>> {
    use event::Column as E;
    let mut query = tenant
        .select::<event::Entity>()
        .filter(E::OccurredAt.gte(range.from))
        .filter(E::OccurredAt.lt(range.to));
    query = match *cursor {
        Cursor::Start => query,
        Cursor::PastLead(contact_id) => query.filter(E::ContactId.gt(contact_id)),
        Cursor::After(contact_id, at, id) => query.filter(
            Condition::any().add(E::ContactId.gt(contact_id)).add(
                Condition::all().add(E::ContactId.eq(contact_id)).add(
                    Condition::any()
                        .add(E::OccurredAt.gt(at))
                        .add(Condition::all().add(E::OccurredAt.eq(at)).add(E::Id.gt(id))),
                ),
            ),
        ),
    };
    Ok(query
        .order_by_asc(E::ContactId)
        .order_by_asc(E::OccurredAt)
        .order_by_asc(E::Id)
        .select_only()
        .columns([E::Id, E::ContactId, E::EventType, E::OccurredAt])
        .limit(page_size)
        .into_tuple()
        .all(tenant.conn())
        .await?)
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
    let rows: Vec<(Uuid, i32)> = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::Id.is_in(ids))
        .filter(contact::Column::FitScore.gte(terms.acceptance.min_fit))
        .select_only()
        .columns([contact::Column::Id, contact::Column::FitScore])
        .into_tuple()
        .all(tenant.conn())
        .await?;
    Ok(rows.into_iter().collect())
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
    tally.caught += tenant
        .select::<opportunity::Entity>()
        .filter(won_in(range))
        .filter(opportunity::Column::LeadId.is_in(would_be.iter().copied()))
        .count(tenant.conn())
        .await? as i64;
    let seen: Vec<Uuid> = tenant
        .select::<stage_change::Entity>()
        .filter(mql_entries_in(range))
        .filter(stage_change::Column::ContactId.is_in(would_be.iter().copied()))
        .select_only()
        .column(stage_change::Column::ContactId)
        .distinct()
        .into_tuple()
        .all(tenant.conn())
        .await?;
    if seen.is_empty() {
        return Ok(());
    }
    tally.seen_by_sales += seen.len() as i64;
    tally.rejected += tenant
        .select::<rejection::Entity>()
        .filter(rejection::Column::RejectedAt.gte(range.from))
        .filter(rejection::Column::RejectedAt.lt(range.to))
        .filter(rejection::Column::ContactId.is_in(seen))
        .select_only()
        .column(rejection::Column::ContactId)
        .distinct()
        .count(tenant.conn())
        .await? as i64;
    Ok(())
}

fn mql_entries_in(range: Range) -> Condition {
    Condition::all()
        .add(stage_change::Column::ToStage.eq(LeadStage::Mql))
        .add(stage_change::Column::ChangedAt.gte(range.from))
        .add(stage_change::Column::ChangedAt.lt(range.to))
}

fn won_in(range: Range) -> Condition {
    Condition::all()
        .add(opportunity::Column::Stage.eq(OpportunityStage::ClosedWon))
        .add(opportunity::Column::ClosedAt.gte(range.from))
        .add(opportunity::Column::ClosedAt.lt(range.to))
}
