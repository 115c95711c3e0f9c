//! Back-testing a contract: replay its scoring and acceptance over the workspace's history
//! ("would last quarter's won deals have scored as MQLs?") before anyone signs it.

use std::collections::{HashMap, HashSet};

use entity::{contact, event, opportunity, rejection, stage_change, LeadStage, OpportunityStage};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    domain::{
        contract::Terms,
        scoring::{entries_for_event, mql_kind, score_at, LedgerEntry},
    },
    error::AppResult,
    state::AppState,
};

/// What the contract would have done with the workspace's history.
#[derive(Debug, Clone, PartialEq, async_graphql::SimpleObject)]
pub struct Backtest {
    pub leads_evaluated: i64,
    /// Leads the contract would have made MQLs (at their peak score).
    pub would_be_mqls: i64,
    /// Leads that actually became MQLs under the contracts in force.
    pub actual_mqls: i64,
    pub won_deals: i64,
    /// Won deals whose lead the contract would have made an MQL.
    pub won_deals_caught: i64,
    pub won_deals_missed: i64,
    /// Among would-be MQLs that sales actually saw, the share sales rejected.
    pub expected_rejection_rate: f64,
}

/// Replays `terms` over every lead with events.
pub async fn run(state: &AppState, workspace_id: Uuid, terms: &Terms) -> AppResult<Backtest> {
    let tenant = state.store.tenant(workspace_id);
    let events = tenant
        .select::<event::Entity>()
        .order_by_asc(event::Column::OccurredAt)
        .all(tenant.conn())
        .await?;
    let mut by_contact: HashMap<Uuid, Vec<event::Model>> = HashMap::new();
    for e in events {
        by_contact.entry(e.contact_id).or_default().push(e);
    }
    let contacts: HashMap<Uuid, contact::Model> = tenant
        .select::<contact::Entity>()
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut would_be: HashSet<Uuid> = HashSet::new();
    for (contact_id, events) in &by_contact {
        let Some(lead) = contacts.get(contact_id) else {
            continue;
        };
        if lead.fit_score < terms.acceptance.min_fit {
            continue;
        }
        let mut ledger: Vec<LedgerEntry> = Vec::new();
        for e in events {
            let added =
                entries_for_event(&terms.scoring, e.id, &e.event_type, e.occurred_at, &ledger);
            ledger.extend(added);
            // Judged as of each event, the way ingestion would have judged it.
            let score = score_at(&terms.scoring, &ledger, e.occurred_at);
            if mql_kind(&terms.scoring, lead.fit_score, &score).is_some() {
                would_be.insert(*contact_id);
                break;
            }
        }
    }
    let actual: HashSet<Uuid> = tenant
        .select::<stage_change::Entity>()
        .filter(stage_change::Column::ToStage.eq(LeadStage::Mql))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|c| c.contact_id)
        .collect();
    let won: Vec<opportunity::Model> = tenant
        .select::<opportunity::Entity>()
        .filter(opportunity::Column::Stage.eq(OpportunityStage::ClosedWon))
        .all(tenant.conn())
        .await?;
    let caught = won
        .iter()
        .filter(|o| o.lead_id.is_some_and(|l| would_be.contains(&l)))
        .count() as i64;
    let rejected: HashSet<Uuid> = tenant
        .select::<rejection::Entity>()
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|r| r.contact_id)
        .collect();
    let seen_by_sales: Vec<&Uuid> = would_be.iter().filter(|id| actual.contains(id)).collect();
    let rejected_share = if seen_by_sales.is_empty() {
        0.0
    } else {
        seen_by_sales
            .iter()
            .filter(|id| rejected.contains(id))
            .count() as f64
            / seen_by_sales.len() as f64
    };
    Ok(Backtest {
        leads_evaluated: by_contact.len() as i64,
        would_be_mqls: would_be.len() as i64,
        actual_mqls: actual.len() as i64,
        won_deals: won.len() as i64,
        won_deals_caught: caught,
        won_deals_missed: won.len() as i64 - caught,
        expected_rejection_rate: rejected_share,
    })
}
