//! No lead waits unseen: an MQL that no rep can take (all out of office, at capacity, or nobody
//! in its pool) waits in the unassigned queue, revops and the sales managers hear of it once (an
//! UNROUTABLE_LEAD trigger), and it is routed as soon as a rep becomes eligible. Every change
//! that can make a rep eligible (back from out of office, a lead leaving a rep's hands, a
//! routing rule created, edited or deleted, a role change) calls [`route_waiting`] in its own
//! unit of work; the lead's SLA clocks start at that assignment.

use chrono::{DateTime, Utc};
use entity::{account, contact, source, Lifecycle, TriggerKind};
use sea_orm::ConnectionTrait;

use super::{
    contracts,
    fit::{account_view, contact_view},
    ingest::{outcome, qualify::load_routing},
    notices::Notices,
    plays::engine::PlayEngine,
};
use crate::{
    domain::{
        contract::Terms,
        permissions::Permission,
        plays::Signal,
        qualification::{self, Policy, RoutingSnapshot},
        routing::{AccountMatch, Route},
        views::lead_view,
    },
    error::AppResult,
    store::{self, audiences, Tenant},
};

/// Waiting leads read at a time (oldest first); the whole queue is tried, page by page.
const BATCH: u64 = 200;

/// Tells the members who hear of unroutable leads that `lead` (just qualified, routed to
/// nobody) waits in the queue. Called once per entry into the queue.
pub async fn announce<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: &contact::Model,
    route: &Route,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let recipients = audiences::with_permission(tenant, Permission::HearOfUnroutableLeads).await?;
    for plan in qualification::unroutable(lead, route, &recipients) {
        let row = outcome::write_trigger(tenant, lead, &plan, now).await?;
        notices.triggers.push(row);
    }
    Ok(())
}

/// Routes the waiting MQLs, oldest first, with the rules, the rep states and the contract as
/// they stand in this unit of work: each one someone can take now gets its owner, its SLA
/// clocks (from `now`), its owner's trigger, its webhook and its plays, exactly as ingestion
/// assigns, and its UNROUTABLE_LEAD triggers are closed. Returns how many were routed.
pub async fn route_waiting<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    notices: &mut Notices,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut waiting = store::assignment::waiting(tenant, None, BATCH).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let (_, terms) = contracts::active_terms(tenant).await?;
    let policy = Policy {
        terms: &terms,
        acceptance: None,
        now,
    };
    let mut routing = load_routing(tenant).await?;
    let plays = PlayEngine::load(tenant).await?;
    let mut routed = 0;
    loop {
        let last = waiting.last().and_then(|l| Some((l.waiting_since?, l.id)));
        let full = waiting.len() as u64 == BATCH;
        routed += route_page(
            tenant,
            notices,
            waiting,
            &terms,
            &policy,
            &mut routing,
            &plays,
        )
        .await?;
        match last {
            Some(after) if full => {
                waiting = store::assignment::waiting(tenant, Some(after), BATCH).await?
            }
            _ => return Ok(routed),
        }
    }
}

/// Routes one page of the queue; returns how many found an owner.
async fn route_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    notices: &mut Notices,
    waiting: Vec<contact::Model>,
    terms: &Terms,
    policy: &Policy<'_>,
    routing: &mut RoutingSnapshot,
    plays: &PlayEngine,
) -> AppResult<usize> {
    let now = policy.now;
    let mut routed = 0;
    for mut lead in waiting {
        let before = lead.clone();
        let seen = Seen::load(tenant, &before, terms.routing.account_owner_first).await?;
        let view = lead_view(&before, &seen.contact, seen.account.as_ref());
        let Some((route, assignment)) = qualification::route_waiting(
            &mut lead,
            &view,
            seen.account_owner,
            seen.segment.clone(),
            routing,
            policy,
        ) else {
            continue;
        };
        lead.updated_at = now;
        let lead = store::lead_actions::save_lead(tenant, lead).await?;
        outcome::assigned(tenant, &lead, &route, &assignment, now, notices).await?;
        store::triggers::acknowledge_of_lead(tenant, lead.id, TriggerKind::UnroutableLead, now)
            .await?;
        if !plays.is_empty() {
            let kind = lead.mql_kind.unwrap_or(entity::MqlKind::Warm);
            let view = lead_view(&lead, &seen.contact, seen.account.as_ref());
            let signals = [Signal::MqlAssigned(kind)];
            let calendar = &terms.slas.calendar;
            plays
                .enroll(tenant, &lead, &view, &signals, None, calendar, now)
                .await?;
        }
        routed += 1;
    }
    Ok(routed)
}

/// What routing reads of a waiting lead: its views, its account's claim and segment.
struct Seen {
    contact: crate::domain::views::ContactView,
    account: Option<crate::domain::views::AccountView>,
    account_owner: Option<AccountMatch>,
    segment: Option<String>,
}

impl Seen {
    async fn load<C: ConnectionTrait>(
        tenant: &Tenant<'_, C>,
        lead: &contact::Model,
        account_owner_first: bool,
    ) -> AppResult<Self> {
        let source = match lead.source_id {
            Some(id) => tenant.get::<source::Entity>(id).await.ok().map(|s| s.name),
            None => None,
        };
        let account = match lead.account_id {
            Some(id) => tenant.get::<account::Entity>(id).await.ok(),
            None => None,
        };
        let open_deal = match &account {
            Some(a) if a.owner_id.is_some() => {
                store::opportunities::accounts_with_open_deals(tenant, &[a.id])
                    .await?
                    .contains(&a.id)
            }
            _ => false,
        };
        Ok(Seen {
            contact: contact_view(lead, source.as_deref()),
            account_owner: account.as_ref().and_then(|a| {
                AccountMatch::of(
                    a.owner_id,
                    a.named_account,
                    a.lifecycle == Lifecycle::Customer,
                    open_deal,
                    account_owner_first,
                )
            }),
            segment: account.as_ref().and_then(|a| a.segment.clone()),
            account: account.as_ref().map(account_view),
        })
    }
}
