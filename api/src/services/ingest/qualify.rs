//! Re-evaluating leads after their events: scores, the MQL decision under the active contract,
//! routing, assignment, SLA clocks, the rep's trigger and play enrollment, all in the batch's
//! transaction. What happens to each lead is decided in [`crate::domain::qualification`]; here
//! its facts are loaded and its outcome applied (see [`super::outcome`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{contact, event, lead_contract, source, Lifecycle};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{identity::Resolved, outcome, phases::Phases};
use crate::{
    domain::{
        contract::Terms,
        criteria::Criteria,
        permissions::{role_allows, Permission},
        plays::Signal,
        qualification::{
            assess, decide, Assessment, LeadFacts, LeadOutcome, Policy, RoutingSnapshot, Step,
        },
        routing::{AccountMatch, RepState},
        scoring::LedgerEntry,
        views::{AccountView, ContactView},
    },
    error::{AppError, AppResult},
    services::{
        fit::{account_view, contact_view},
        intel,
        notices::Notices,
        plays::engine::{Ask, PlayEngine},
    },
    store::{self, Tenant},
};

/// What the batch changed, per lead: the ledger after its entries and its new events.
pub struct Batch<'a> {
    pub contract: Option<&'a lead_contract::Model>,
    pub terms: &'a Terms,
    pub ledgers: &'a HashMap<Uuid, Vec<LedgerEntry>>,
    pub events: &'a HashMap<Uuid, Vec<&'a event::Model>>,
    pub resolved: &'a Resolved,
    pub now: DateTime<Utc>,
}

/// A lead of the batch with the views its criteria read.
struct Known<'r> {
    before: &'r contact::Model,
    contact: ContactView,
    account: Option<AccountView>,
    source_paused: bool,
    /// Whether the lead's account has an open deal (lead-to-account routing).
    open_deal: bool,
}

/// Updates the scores of every lead that received events, qualifies those that now meet the
/// contract, and enrolls leads in the plays their events, assignment or score crossings fire.
/// Triggers and stage changes go into `notices`, to publish after commit. Returns how many
/// leads became MQLs. Ingestion and re-evaluation ([`super::reevaluate`]) both decide here.
pub async fn evaluate<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    batch: &Batch<'_>,
    notices: &mut Notices,
    phases: &mut Phases,
) -> AppResult<u64> {
    let plays = PlayEngine::load(tenant).await?;
    let acceptance = batch
        .terms
        .acceptance
        .criteria
        .as_ref()
        .map(Criteria::parse)
        .transpose()
        .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?;
    let policy = Policy {
        terms: batch.terms,
        acceptance: acceptance.as_ref(),
        now: batch.now,
    };
    let known = known_leads(tenant, batch).await?;
    phases.done("leads");
    let assessments: Vec<Assessment<'_>> = known
        .iter()
        .map(|lead| assess(facts_of(lead, batch), &policy))
        .collect();
    let mut routing = match assessments.iter().any(Assessment::needs_routing) {
        true => Some(load_routing(tenant).await?),
        false => None,
    };
    let mut decided = Vec::with_capacity(known.len());
    for assessment in assessments {
        decided.push(
            decide(assessment, routing.as_mut(), &policy)
                .map_err(|err| AppError::internal(std::io::Error::other(err.to_string())))?,
        );
    }
    let qualified = decided
        .iter()
        .filter(|d| matches!(d.step, Step::Qualified(_)))
        .count() as u64;
    let asks = asks_of(&decided, &known, &plays);
    // The triggers' intel, from what the batch holds (no query).
    let intel = intel::of_batch(&decided, batch.ledgers, &plays, &asks);
    phases.done("decide");
    outcome::apply_all(tenant, &decided, batch, intel, notices).await?;
    phases.done("outcomes");
    if !asks.is_empty() {
        let calendar = &batch.terms.slas.calendar;
        plays
            .enroll_many(tenant, &asks, calendar, batch.now)
            .await?;
    }
    drop(asks);
    phases.done("plays");
    write_leads(tenant, &known, decided, batch).await?;
    phases.done("write");
    Ok(qualified)
}

/// Writes back the leads the decisions changed (stamped `updated_at`), with their latest event.
async fn write_leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    known: &[Known<'_>],
    decided: Vec<crate::domain::qualification::LeadOutcome<'_>>,
    batch: &Batch<'_>,
) -> AppResult<()> {
    let after: Vec<contact::Model> = decided
        .into_iter()
        .zip(known)
        .map(|(decided, lead)| {
            let mut row = decided.lead;
            // An event is the lead's activity, not an edit of it: `updated_at` stays.
            if row != *lead.before {
                row.updated_at = batch.now;
            }
            let latest = batch.events.get(&row.id).into_iter().flatten();
            row.last_event_at = latest.map(|e| e.occurred_at).max().max(row.last_event_at);
            row
        })
        .collect();
    let pairs: Vec<(&contact::Model, &contact::Model)> =
        known.iter().map(|lead| lead.before).zip(&after).collect();
    store::updates::write_changed::<contact::Entity, _>(tenant, &pairs).await
}

/// What the plays hear of each decided lead, in order (nothing when no play is active).
fn asks_of<'a>(
    decided: &'a [LeadOutcome<'a>],
    known: &'a [Known<'_>],
    plays: &PlayEngine,
) -> Vec<Ask<'a>> {
    if plays.is_empty() {
        return Vec::new();
    }
    decided
        .iter()
        .zip(known)
        .map(|(d, lead)| {
            let mut view =
                crate::domain::views::lead_view(&d.lead, &lead.contact, lead.account.as_ref());
            view.score = Some(d.score);
            Ask {
                lead: &d.lead,
                view,
                signals: &d.signals,
                signal_key: None,
            }
        })
        .collect()
}

/// The leads that received events, in id order, with their views and whether their source is
/// paused.
async fn known_leads<'r, C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    batch: &Batch<'r>,
) -> AppResult<Vec<Known<'r>>> {
    let resolved = batch.resolved;
    let mut ids: Vec<&Uuid> = batch.ledgers.keys().collect();
    ids.sort();
    let owned: Vec<Uuid> = ids
        .iter()
        .filter_map(|id| resolved.contacts.get(*id)?.account_id)
        .filter(|a| {
            resolved
                .accounts
                .get(a)
                .is_some_and(|a| a.owner_id.is_some())
        })
        .collect();
    let open_deals = store::opportunities::accounts_with_open_deals(tenant, &owned).await?;
    // The sources the batch did not name, read at once.
    let mut unnamed: Vec<Uuid> = ids
        .iter()
        .filter_map(|id| resolved.contacts.get(*id)?.source_id)
        .filter(|s| !resolved.sources.contains_key(s))
        .collect();
    unnamed.sort();
    unnamed.dedup();
    let other_sources: HashMap<Uuid, source::Model> = tenant
        .get_many::<source::Entity>(&unnamed)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut known = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(before) = resolved.contacts.get(id) else {
            continue;
        };
        let source = before.source_id.and_then(|id| {
            resolved
                .sources
                .get(&id)
                .or_else(|| other_sources.get(&id))
                .cloned()
        });
        let source_paused = source.as_ref().is_some_and(|s| s.paused);
        let source_name = source.map(|s| s.name);
        let account = before.account_id.and_then(|a| resolved.accounts.get(&a));
        known.push(Known {
            before,
            contact: contact_view(before, source_name.as_deref()),
            account: account.map(account_view),
            source_paused,
            open_deal: before.account_id.is_some_and(|a| open_deals.contains(&a)),
        });
    }
    Ok(known)
}

/// What the decision knows of `lead`.
fn facts_of<'a>(lead: &'a Known<'_>, batch: &'a Batch<'_>) -> LeadFacts<'a> {
    let before = lead.before;
    let account = before
        .account_id
        .and_then(|a| batch.resolved.accounts.get(&a));
    let events = batch.events.get(&before.id);
    LeadFacts {
        lead: before,
        ledger: &batch.ledgers[&before.id],
        contact: &lead.contact,
        account: lead.account.as_ref(),
        account_owner: account.and_then(|a| {
            AccountMatch::of(
                a.owner_id,
                a.named_account,
                a.lifecycle == Lifecycle::Customer,
                lead.open_deal,
                batch.terms.routing.account_owner_first,
            )
        }),
        segment: account.and_then(|a| a.segment.clone()),
        source_paused: lead.source_paused,
        events: events
            .into_iter()
            .flatten()
            .filter_map(|e| match &e.properties {
                serde_json::Value::Object(properties) => Some(Signal::Event {
                    event_type: &e.event_type,
                    properties,
                }),
                _ => None,
            })
            .collect(),
        campaign_id: events.and_then(|batch| batch.iter().rev().find_map(|e| e.campaign_id)),
    }
}

/// The routing snapshot: the rules in order, and the members with their open leads.
pub(crate) async fn load_routing<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<RoutingSnapshot> {
    let rules = store::assignment::rules(tenant)
        .await?
        .iter()
        .filter_map(|row| crate::services::routing::spec_of(row).ok())
        .collect();
    let mut reps: HashMap<Uuid, RepState> = store::assignment::members(tenant)
        .await?
        .into_iter()
        .map(|m| {
            (
                m.user_id,
                RepState {
                    open_leads: 0,
                    out_of_office: m.out_of_office,
                    takes_leads: role_allows(m.role, Permission::ReceiveLeads),
                },
            )
        })
        .collect();
    for (owner, open) in store::assignment::open_leads_by_owner(tenant).await? {
        if let Some(owner) = owner {
            reps.entry(owner).or_default().open_leads = open as u32;
        }
    }
    Ok(RoutingSnapshot { rules, reps })
}
