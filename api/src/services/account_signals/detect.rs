//! At the end of an ingest batch: every account the batch's events are about is scored again
//! (`domain::accounts`), set-based: one read of the active ICPs, one of the accounts' contacts,
//! one of their stored signals, one multi-row upsert, then the triggers (one append for all)
//! and, only when a committee became covered and a play listens for it, the plays. The number
//! of statements does not depend on the number of events or accounts.
//!
//! An account that crosses the contract's account threshold becomes a marketing-qualified
//! account: its owner gets a `HOT_ACCOUNT` trigger, once per crossing (the stored
//! `in_market_since` says it already crossed). An account whose committee becomes covered (a
//! TRIGGERS and an INFLUENCES persona engaged in the last 30 days) tells its owner which personas
//! are still missing (`COMMITTEE_COVERED`) and starts the `COMMITTEE_COVERED` plays for the
//! owned TRIGGERS contact, once per account.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{account, account_signal, contact, event, TriggerKind};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::member_of;
use crate::{
    domain::{
        accounts::{
            account_score, assess, committee_of, Committee, ContactEngagementFacts, MarketReason,
            Member,
        },
        contract::Terms,
        fit::{IcpModel, PersonaRole},
        plays::{PlayTrigger, Signal},
    },
    error::AppResult,
    services::{
        fit::{account_view, contact_view, lead_view, model_of},
        notices::Notices,
        plays::engine::{Ask, PlayEngine},
    },
    store::{
        self,
        account_signals::{MemberRow, StoredSignal},
        triggers::NewTrigger,
        Tenant,
    },
};

/// One account of the batch, scored.
struct Scored<'a> {
    account: &'a account::Model,
    committee: Option<Committee>,
    row: account_signal::Model,
    entered: bool,
    newly_covered: bool,
    top_contact: Option<Uuid>,
}

/// Notes the accounts' latest events, scores the accounts of `events` (the batch's recorded
/// events) under `terms` and announces the crossings. `accounts` are the batch's resolved
/// accounts.
pub async fn on_events<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    events: &[event::Model],
    accounts: &HashMap<Uuid, account::Model>,
    terms: &Terms,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let latest = events
        .iter()
        .filter_map(|e| Some((e.account_id?, e.occurred_at)));
    store::market_facts::raise_account_last_event(tenant, latest).await?;
    let mut ids: Vec<Uuid> = events.iter().filter_map(|e| e.account_id).collect();
    ids.sort();
    ids.dedup();
    ids.retain(|id| accounts.contains_key(id));
    if ids.is_empty() {
        return Ok(());
    }
    let icps = store::fit::active_icps(tenant)
        .await?
        .iter()
        .map(model_of)
        .collect::<AppResult<Vec<IcpModel>>>()?;
    let mut members: HashMap<Uuid, Vec<MemberRow>> = HashMap::new();
    for row in store::account_signals::members_of(tenant, &ids).await? {
        if let Some(account) = row.account_id {
            members.entry(account).or_default().push(row);
        }
    }
    let stored: HashMap<Uuid, StoredSignal> = store::account_signals::of_accounts(tenant, &ids)
        .await?
        .into_iter()
        .map(|s| (s.account_id, s))
        .collect();
    let mut types: HashMap<Uuid, Vec<&str>> = HashMap::new();
    for e in events {
        if let Some(account) = e.account_id {
            types.entry(account).or_default().push(&e.event_type);
        }
    }
    let scoring = Scoring {
        workspace_id: tenant.workspace_id(),
        icps: &icps,
        terms,
        now,
    };
    let scored: Vec<Scored<'_>> = ids
        .iter()
        .map(|id| {
            scoring.score(
                &accounts[id],
                members.get(id).map_or(&[][..], Vec::as_slice),
                stored.get(id),
                types.get(id).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect();
    let rows = scored.iter().map(|s| s.row.clone()).collect();
    store::account_signals::write(tenant, &stored, rows).await?;
    let mut triggers: Vec<NewTrigger> = scored
        .iter()
        .flat_map(|s| triggers_of(s, terms.accounts.threshold))
        .collect();
    // The contact a trigger names gets its intel (reads only when an account crossed).
    crate::services::intel::complete(tenant, &mut triggers, now).await?;
    let rows = store::triggers::append_many(tenant, triggers, now).await?;
    notices.triggers.extend(rows);
    start_plays(tenant, &scored, terms, now).await
}

/// What every account of the batch is scored under.
struct Scoring<'b> {
    workspace_id: Uuid,
    icps: &'b [IcpModel],
    terms: &'b Terms,
    now: DateTime<Utc>,
}

impl Scoring<'_> {
    /// Scores `account` from its contacts' `rows` against its `stored` signal; `event_types`
    /// are the batch's events at it.
    fn score<'a>(
        &self,
        account: &'a account::Model,
        rows: &[MemberRow],
        stored: Option<&StoredSignal>,
        event_types: &[&str],
    ) -> Scored<'a> {
        let Scoring {
            workspace_id,
            icps,
            terms,
            now,
        } = *self;
        let members: Vec<Member> = rows.iter().map(member_of).collect();
        let committee = committee_of(
            icps,
            account.lifecycle == entity::Lifecycle::Customer,
            &members,
            now,
        );
        let facts: Vec<ContactEngagementFacts> = rows
            .iter()
            .map(|r| ContactEngagementFacts {
                contact_id: r.id,
                behaviour: r.engagement_score,
                last_engaged_at: r.last_engaged_at,
            })
            .collect();
        let score = account_score(
            &terms.scoring,
            &terms.accounts,
            account.fit_score,
            &facts,
            now,
        );
        let was_in = stored.and_then(|s| s.in_market_since);
        let was_covered = stored.and_then(|s| s.committee_covered_at);
        let verdict = assess(
            &terms.accounts,
            score.score,
            was_in.is_some(),
            committee.as_ref(),
            was_covered.is_some(),
        );
        // The reason is written with the crossing and kept while the account stays in market (the
        // store writes it only when the account enters or leaves): it says why it became one.
        // Below the threshold there is nothing to explain.
        let reason = verdict
            .entered
            .then(|| {
                // Only a crossing names its contacts.
                let names: HashMap<Uuid, &Option<String>> =
                    rows.iter().map(|r| (r.id, &r.name)).collect();
                MarketReason::new(
                    &terms.accounts,
                    account.fit_score,
                    &score,
                    |id| names.get(&id).and_then(|n| (*n).clone()),
                    committee.as_ref(),
                    event_types.iter().copied(),
                )
            })
            .and_then(|reason| serde_json::to_value(reason).ok());
        let row = account_signal::Model {
            id: stored.map_or_else(Uuid::now_v7, |s| s.id),
            workspace_id,
            account_id: account.id,
            score: score.score,
            in_market_since: match (verdict.entered, verdict.in_market) {
                (true, _) => Some(now),
                (false, true) => was_in,
                (false, false) => None,
            },
            reason,
            committee_covered_at: match (verdict.newly_covered, verdict.covered) {
                (true, _) => Some(now),
                (false, true) => was_covered,
                (false, false) => None,
            },
            scored_at: now,
        };
        Scored {
            account,
            top_contact: score.contributions.first().map(|c| c.contact_id),
            committee,
            row,
            entered: verdict.entered,
            newly_covered: verdict.newly_covered,
        }
    }
}

/// The owned TRIGGERS contact that engaged most recently in the covered committee.
fn triggering_contact(committee: &Committee) -> Option<Uuid> {
    committee
        .seats
        .iter()
        .filter(|s| s.role == PersonaRole::Triggers)
        .flat_map(|s| s.engaged_30d.iter().filter(|id| s.owned.contains(id)))
        .next()
        .copied()
}

/// The triggers an account's scoring sends its owner (an account nobody owns tells nobody: it
/// waits in `accountsInMarket` for someone to take it).
fn triggers_of(scored: &Scored<'_>, threshold: i32) -> Vec<NewTrigger> {
    let Some(owner) = scored.account.owner_id else {
        return Vec::new();
    };
    let account = &scored.account;
    let missing = scored
        .committee
        .as_ref()
        .map_or_else(|| "no active ICP".to_owned(), Committee::missing_text);
    let mut out = Vec::new();
    if scored.entered {
        out.push(NewTrigger {
            recipient_id: owner,
            kind: TriggerKind::HotAccount,
            lead_id: scored.top_contact,
            play_id: None,
            step: None,
            due_at: None,
            intel: None,
            message: format!(
                "{} ({}) is in market: account score {} reached {threshold}; committee personas missing: {missing}",
                account.name, account.domain, scored.row.score,
            ),
        });
    }
    if scored.newly_covered {
        let engaged: Vec<String> = scored
            .committee
            .iter()
            .flat_map(|c| c.engaged())
            .map(|s| s.persona.clone())
            .collect();
        out.push(NewTrigger {
            recipient_id: owner,
            kind: TriggerKind::CommitteeCovered,
            lead_id: scored.committee.as_ref().and_then(triggering_contact),
            play_id: None,
            step: None,
            due_at: None,
            intel: None,
            message: format!(
                "{} ({}): buying committee covered ({} engaged); missing: {missing}",
                account.name,
                account.domain,
                engaged.join(", "),
            ),
        });
    }
    out
}

/// Enrolls the owned TRIGGERS contact of each newly covered committee in the
/// `COMMITTEE_COVERED` plays, once per account and play.
async fn start_plays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    scored: &[Scored<'_>],
    terms: &Terms,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let wanted: Vec<(Uuid, Uuid)> = scored
        .iter()
        .filter(|s| s.newly_covered)
        .filter_map(|s| Some((s.account.id, triggering_contact(s.committee.as_ref()?)?)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let engine = PlayEngine::load(tenant).await?;
    if !engine.wants(|t| matches!(t, PlayTrigger::CommitteeCovered)) {
        return Ok(());
    }
    let ids: Vec<Uuid> = wanted.iter().map(|(_, lead)| *lead).collect();
    let leads: HashMap<Uuid, contact::Model> = tenant
        .get_many::<contact::Entity>(&ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let accounts: HashMap<Uuid, &account::Model> =
        scored.iter().map(|s| (s.account.id, s.account)).collect();
    let mut seen = HashSet::new();
    let picked: Vec<(&contact::Model, &account::Model, String)> = wanted
        .iter()
        .filter(|(_, lead)| seen.insert(*lead))
        .filter_map(|(account, lead)| {
            Some((
                leads.get(lead)?,
                *accounts.get(account)?,
                format!("committee:{account}"),
            ))
        })
        .collect();
    let views: Vec<_> = picked
        .iter()
        .map(|(lead, account, _)| (contact_view(lead, None), account_view(account)))
        .collect();
    let signals = [Signal::CommitteeCovered];
    let asks: Vec<Ask<'_>> = picked
        .iter()
        .zip(&views)
        .map(|((lead, _, key), (contact, account))| Ask {
            lead,
            view: lead_view(lead, contact, Some(account)),
            signals: &signals,
            signal_key: Some(key),
        })
        .collect();
    engine
        .enroll_many(tenant, &asks, &terms.slas.calendar, now)
        .await?;
    Ok(())
}
