//! `ingestEvents`: a partner app's batch of engagement events, answered item by item. Each event
//! is recorded once per idempotency key (a replay is DUPLICATE, the same key with another payload
//! is CONFLICT, also when two batches race), its contact and account are resolved or created, its
//! points go into the lead's score ledger, and the lead is re-evaluated against the contract.

mod identity;
mod input;
pub mod qualify;

use std::collections::HashMap;

use entity::{event, score_entry, ScoreKind};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TryInsertResult};
use uuid::Uuid;

pub use input::{EventAccountInput, EventContactInput, EventInput, IngestResult, IngestStatus};

use crate::{
    domain::scoring::{entries_for_event, EntryKind, LedgerEntry},
    error::{AppError, AppResult},
    services::{contracts, notices::Notices},
    state::AppState,
    store::Tenant,
};

pub const MAX_EVENTS: usize = 1000;

pub async fn ingest(
    state: &AppState,
    workspace_id: Uuid,
    inputs: Vec<EventInput>,
) -> AppResult<Vec<IngestResult>> {
    if inputs.is_empty() || inputs.len() > MAX_EVENTS {
        return Err(AppError::bad_input(
            "events",
            format!("send 1 to {MAX_EVENTS} events"),
        ));
    }
    let now = state.clock.now();
    let mut results: Vec<Option<IngestResult>> = vec![None; inputs.len()];
    let mut valid = Vec::with_capacity(inputs.len());
    let mut first_by_key: HashMap<String, usize> = HashMap::new();
    // Later items of the batch repeating a key: (index, key, payload hash).
    let mut repeats: Vec<(usize, String, String)> = Vec::new();
    for (index, input) in inputs.into_iter().enumerate() {
        match input::validate(input, index, now) {
            Ok(event) if first_by_key.contains_key(&event.key) => {
                repeats.push((index, event.key, event.hash));
            }
            Ok(event) => {
                first_by_key.insert(event.key.clone(), index);
                valid.push((index, event));
            }
            Err(err) => results[index] = Some(IngestResult::rejected(index, &err)),
        }
    }

    let txn = state.store.begin_write().await?;
    crate::store::serialize_identity_writes(&txn, workspace_id).await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let keys: Vec<String> = valid.iter().map(|(_, e)| e.key.clone()).collect();
    let seen: HashMap<String, event::Model> = tenant
        .select::<event::Entity>()
        .filter(event::Column::IdempotencyKey.is_in(keys))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| (e.idempotency_key.clone(), e))
        .collect();
    let mut fresh = Vec::with_capacity(valid.len());
    let mut outcome_of_key: HashMap<String, (Uuid, String)> = HashMap::new();
    for (index, event) in valid {
        match seen.get(&event.key) {
            Some(existing) => {
                outcome_of_key.insert(
                    event.key.clone(),
                    (existing.id, existing.payload_hash.clone()),
                );
                results[index] = Some(IngestResult::replayed(index, existing, &event.hash));
            }
            None => fresh.push((index, event)),
        }
    }

    // Campaign and asset ids must name records of this workspace.
    let campaign_ids: Vec<Uuid> = fresh.iter().filter_map(|(_, e)| e.campaign_id).collect();
    let asset_ids: Vec<Uuid> = fresh.iter().filter_map(|(_, e)| e.asset_id).collect();
    let campaigns: std::collections::HashSet<Uuid> = tenant
        .get_many::<entity::campaign::Entity>(&campaign_ids)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let assets: std::collections::HashSet<Uuid> = tenant
        .get_many::<entity::asset::Entity>(&asset_ids)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    fresh.retain(|(index, e)| {
        let missing = if e.campaign_id.is_some_and(|id| !campaigns.contains(&id)) {
            Some(("campaign", "campaignId"))
        } else if e.asset_id.is_some_and(|id| !assets.contains(&id)) {
            Some(("asset", "assetId"))
        } else {
            None
        };
        match missing {
            Some((noun, field)) => {
                let err = AppError::not_found_at(noun, format!("events[{index}].{field}"));
                results[*index] = Some(IngestResult::rejected(*index, &err));
                false
            }
            None => true,
        }
    });
    let resolved = identity::resolve(&tenant, &fresh, now).await?;
    let rows: Vec<event::ActiveModel> = fresh
        .iter()
        .map(|(_, e)| {
            let who = &resolved.of_key[&e.key];
            event::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(workspace_id),
                idempotency_key: Set(e.key.clone()),
                payload_hash: Set(e.hash.clone()),
                event_type: Set(e.event_type.clone()),
                occurred_at: Set(e.occurred_at),
                contact_id: Set(who.contact_id),
                account_id: Set(who.account_id),
                source_id: Set(who.source_id),
                campaign_id: Set(e.campaign_id),
                asset_id: Set(e.asset_id),
                properties: Set(serde_json::Value::Object(e.properties.clone())),
                received_at: Set(now),
            }
        })
        .collect();
    // A concurrent batch may have recorded one of these keys since we looked: those rows are
    // skipped here and answered as replays below.
    let inserted: Vec<event::Model> = if rows.is_empty() {
        Vec::new()
    } else {
        match event::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([event::Column::WorkspaceId, event::Column::IdempotencyKey])
            .exec_with_returning_many(&txn)
            .await?
        {
            TryInsertResult::Inserted(models) => models,
            TryInsertResult::Conflicted | TryInsertResult::Empty => Vec::new(),
        }
    };
    let inserted_by_key: HashMap<&str, &event::Model> = inserted
        .iter()
        .map(|e| (e.idempotency_key.as_str(), e))
        .collect();
    let raced: Vec<String> = fresh
        .iter()
        .filter(|(_, e)| !inserted_by_key.contains_key(e.key.as_str()))
        .map(|(_, e)| e.key.clone())
        .collect();
    let raced_rows: HashMap<String, event::Model> = if raced.is_empty() {
        HashMap::new()
    } else {
        tenant
            .select::<event::Entity>()
            .filter(event::Column::IdempotencyKey.is_in(raced))
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| (e.idempotency_key.clone(), e))
            .collect()
    };
    for (index, e) in &fresh {
        if let Some(row) = inserted_by_key.get(e.key.as_str()) {
            outcome_of_key.insert(e.key.clone(), (row.id, row.payload_hash.clone()));
            results[*index] = Some(IngestResult::accepted(*index, row.id));
        } else if let Some(row) = raced_rows.get(&e.key) {
            outcome_of_key.insert(e.key.clone(), (row.id, row.payload_hash.clone()));
            results[*index] = Some(IngestResult::replayed(*index, row, &e.hash));
        }
    }
    for (index, key, hash) in repeats {
        results[index] = Some(match outcome_of_key.get(&key) {
            Some((id, stored)) if *stored == hash => IngestResult::duplicate(index, *id),
            _ => IngestResult::rejected(
                index,
                &AppError::Conflict(format!(
                    "idempotency key repeats events[{}] with another payload",
                    first_by_key[&key]
                )),
            ),
        });
    }

    let (contract, terms) = contracts::active_terms(&tenant).await?;
    let mut by_contact: HashMap<Uuid, Vec<&event::Model>> = HashMap::new();
    for row in &inserted {
        by_contact.entry(row.contact_id).or_default().push(row);
    }
    for events in by_contact.values_mut() {
        events.sort_by_key(|e| (e.occurred_at, e.id));
    }
    let ledgers = load_ledgers(&tenant, by_contact.keys().copied().collect()).await?;
    let mut new_entries = Vec::new();
    let mut ledger_after: HashMap<Uuid, Vec<LedgerEntry>> = HashMap::new();
    for (&contact_id, events) in &by_contact {
        let mut ledger = ledgers.get(&contact_id).cloned().unwrap_or_default();
        for row in events.iter().copied() {
            for entry in entries_for_event(
                &terms.scoring,
                row.id,
                &row.event_type,
                row.occurred_at,
                &ledger,
            ) {
                new_entries.push(score_entry::ActiveModel {
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
                });
                ledger.push(entry);
            }
        }
        ledger_after.insert(contact_id, ledger);
    }
    for chunk in new_entries.chunks(500) {
        score_entry::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let mut notices = Notices::default();
    qualify::evaluate(
        &tenant,
        contract.as_ref(),
        &terms,
        &ledger_after,
        &by_contact,
        &resolved,
        now,
        &mut notices,
    )
    .await?;
    txn.commit().await?;
    notices.publish(state).await;
    // New enrollments have a step due now: let the job loop announce it without waiting.
    state.wake_jobs();
    Ok(results.into_iter().flatten().collect())
}

async fn load_ledgers<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contacts: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, Vec<LedgerEntry>>> {
    if contacts.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = tenant
        .select::<score_entry::Entity>()
        .filter(score_entry::Column::ContactId.is_in(contacts))
        .all(tenant.conn())
        .await?;
    let mut ledgers: HashMap<Uuid, Vec<LedgerEntry>> = HashMap::new();
    for row in rows {
        ledgers
            .entry(row.contact_id)
            .or_default()
            .push(ledger_entry(&row));
    }
    for ledger in ledgers.values_mut() {
        ledger.sort_by_key(|e| e.occurred_at);
    }
    Ok(ledgers)
}

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
