//! The batch's points: each new event's ledger entries, decided by the scoring terms against
//! the lead's ledger so far, and the "company matches the ICP" PQL signal of a lead whose fit
//! matches, appended to the ledger.

use std::collections::HashMap;

use entity::{event, score_entry, ScoreKind};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::identity::Resolved;
use crate::{
    domain::{
        contract::Terms,
        scoring::{entries_for_event, icp_match_entry, matches_icp, EntryKind, LedgerEntry},
    },
    error::AppResult,
    store::{self, Tenant},
};

/// The recorded events of each lead, oldest first.
pub fn events_by_lead(inserted: &[event::Model]) -> HashMap<Uuid, Vec<&event::Model>> {
    let mut by_contact: HashMap<Uuid, Vec<&event::Model>> = HashMap::new();
    for row in inserted {
        by_contact.entry(row.contact_id).or_default().push(row);
    }
    for events in by_contact.values_mut() {
        events.sort_by_key(|e| (e.occurred_at, e.id));
    }
    by_contact
}

/// Scores each lead's new events and appends the entries; returns each lead's whole ledger. A
/// lead whose fit (as resolved for the batch) matches the ICP earns the ICP signal with its
/// latest event.
pub async fn score<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    terms: &Terms,
    by_contact: &HashMap<Uuid, Vec<&event::Model>>,
    resolved: &Resolved,
) -> AppResult<HashMap<Uuid, Vec<LedgerEntry>>> {
    let ledgers = load_ledgers(tenant, by_contact.keys().copied().collect()).await?;
    let mut new_entries = Vec::new();
    let mut ledger_after: HashMap<Uuid, Vec<LedgerEntry>> = HashMap::new();
    for (&contact_id, events) in by_contact {
        let mut ledger = ledgers.get(&contact_id).cloned().unwrap_or_default();
        for row in events.iter().copied() {
            for entry in entries_for_event(
                &terms.scoring,
                row.id,
                &row.event_type,
                row.occurred_at,
                &ledger,
            ) {
                new_entries.push(entry_row(tenant.workspace_id(), contact_id, &entry));
                ledger.push(entry);
            }
        }
        let fit = resolved
            .contacts
            .get(&contact_id)
            .map_or(0, |c| c.fit_score);
        let icp = events
            .last()
            .filter(|_| matches_icp(fit, terms.acceptance.min_fit))
            .and_then(|last| icp_match_entry(&terms.scoring, last.id, last.occurred_at, &ledger));
        if let Some(entry) = icp {
            new_entries.push(entry_row(tenant.workspace_id(), contact_id, &entry));
            ledger.push(entry);
        }
        ledger_after.insert(contact_id, ledger);
    }
    store::scores::append(tenant, new_entries).await?;
    Ok(ledger_after)
}

fn entry_row(
    workspace_id: Uuid,
    contact_id: Uuid,
    entry: &LedgerEntry,
) -> score_entry::ActiveModel {
    score_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        contact_id: Set(contact_id),
        event_id: Set(entry.event_id),
        rule: Set(entry.rule.clone()),
        kind: Set(match entry.kind {
            EntryKind::Behaviour => ScoreKind::Behaviour,
            EntryKind::Pql => ScoreKind::Pql,
        }),
        points: Set(entry.points),
        occurred_at: Set(entry.occurred_at),
    }
}

/// The ledgers of these contacts as scoring reads them: grouped in the database
/// ([`crate::domain::scoring::compact`]), a few rows per lead whatever its history.
pub(super) async fn load_ledgers<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contacts: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, Vec<LedgerEntry>>> {
    let mut ledgers: HashMap<Uuid, Vec<LedgerEntry>> = HashMap::new();
    for group in store::scores::groups_of_contacts(tenant, &contacts).await? {
        ledgers
            .entry(group.contact_id)
            .or_default()
            .push(LedgerEntry {
                event_id: Uuid::nil(),
                rule: group.rule,
                kind: match group.kind {
                    ScoreKind::Behaviour => EntryKind::Behaviour,
                    ScoreKind::Pql => EntryKind::Pql,
                },
                points: group.points.clamp(i32::MIN.into(), i32::MAX.into()) as i32,
                occurred_at: group.last_at,
            });
    }
    Ok(ledgers)
}

/// A stored ledger row as the domain reads it.
pub fn ledger_entry(row: &score_entry::Model) -> LedgerEntry {
    LedgerEntry {
        event_id: row.event_id,
        rule: row.rule.clone(),
        kind: match row.kind {
            ScoreKind::Behaviour => EntryKind::Behaviour,
            ScoreKind::Pql => EntryKind::Pql,
        },
        points: row.points,
        occurred_at: row.occurred_at,
    }
}
