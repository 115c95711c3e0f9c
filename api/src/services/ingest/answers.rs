//! The per-item answers of a batch: ACCEPTED, DUPLICATE (same key and payload as before, in an
//! earlier batch or earlier in this one) or REJECTED (invalid, a reference to no record of the
//! workspace, a key reused with another payload).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{asset, campaign, event};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::input::{self, EventInput, IngestResult, ValidEvent};
use crate::{
    error::{AppError, AppResult},
    store::{self, Tenant},
};

/// An event of the batch still to record, with its index in the batch.
pub type Item = (usize, ValidEvent);

pub struct Answers {
    results: Vec<Option<IngestResult>>,
    /// The index of the first item of each key.
    first_by_key: HashMap<String, usize>,
    /// Later items of the batch repeating a key: (index, key, payload hash).
    repeats: Vec<(usize, String, String)>,
    /// The stored event id and payload hash of each key answered so far.
    outcome_of_key: HashMap<String, (Uuid, String)>,
}

impl Answers {
    /// Validates each item. The first item of each key goes on to be recorded (returned);
    /// later ones get the first one's answer.
    pub fn triage(inputs: Vec<EventInput>, now: DateTime<Utc>) -> (Self, Vec<Item>) {
        let mut answers = Answers {
            results: vec![None; inputs.len()],
            first_by_key: HashMap::new(),
            repeats: Vec::new(),
            outcome_of_key: HashMap::new(),
        };
        let mut valid = Vec::with_capacity(inputs.len());
        for (index, input) in inputs.into_iter().enumerate() {
            match input::validate(input, index, now) {
                Ok(event) if answers.first_by_key.contains_key(&event.key) => {
                    answers.repeats.push((index, event.key, event.hash));
                }
                Ok(event) => {
                    answers.first_by_key.insert(event.key.clone(), index);
                    valid.push((index, event));
                }
                Err(err) => answers.results[index] = Some(IngestResult::rejected(index, &err)),
            }
        }
        (answers, valid)
    }

    /// Answers the items whose key was recorded before as replays; returns the others.
    pub async fn replays<C: ConnectionTrait>(
        &mut self,
        tenant: &Tenant<'_, C>,
        valid: Vec<Item>,
    ) -> AppResult<Vec<Item>> {
        let keys: Vec<String> = valid.iter().map(|(_, e)| e.key.clone()).collect();
        let seen: HashMap<String, event::Model> = store::events::by_keys(tenant, keys)
            .await?
            .into_iter()
            .map(|e| (e.idempotency_key.clone(), e))
            .collect();
        let mut fresh = Vec::with_capacity(valid.len());
        for (index, event) in valid {
            match seen.get(&event.key) {
                Some(existing) => self.replayed(index, &event, existing),
                None => fresh.push((index, event)),
            }
        }
        Ok(fresh)
    }

    /// Rejects the items whose campaign or asset id names no record of this workspace.
    pub async fn check_references<C: ConnectionTrait>(
        &mut self,
        tenant: &Tenant<'_, C>,
        fresh: &mut Vec<Item>,
    ) -> AppResult<()> {
        let campaign_ids: Vec<Uuid> = fresh.iter().filter_map(|(_, e)| e.campaign_id).collect();
        let asset_ids: Vec<Uuid> = fresh.iter().filter_map(|(_, e)| e.asset_id).collect();
        let campaigns: HashSet<Uuid> = tenant
            .get_many::<campaign::Entity>(&campaign_ids)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let assets: HashSet<Uuid> = tenant
            .get_many::<asset::Entity>(&asset_ids)
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
            let Some((noun, field)) = missing else {
                return true;
            };
            let err = AppError::not_found_at(noun, format!("events[{index}].{field}"));
            self.results[*index] = Some(IngestResult::rejected(*index, &err));
            false
        });
        Ok(())
    }

    /// Answers the items this batch tried to record: ACCEPTED when it did, a replay when a
    /// concurrent batch recorded the key first (read back here).
    pub async fn recorded<C: ConnectionTrait>(
        &mut self,
        tenant: &Tenant<'_, C>,
        fresh: &[Item],
        inserted: &[event::Model],
    ) -> AppResult<()> {
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
            store::events::by_keys(tenant, raced)
                .await?
                .into_iter()
                .map(|e| (e.idempotency_key.clone(), e))
                .collect()
        };
        for (index, e) in fresh {
            if let Some(row) = inserted_by_key.get(e.key.as_str()) {
                self.outcome_of_key
                    .insert(e.key.clone(), (row.id, row.payload_hash.clone()));
                self.results[*index] = Some(IngestResult::accepted(*index, row.id));
            } else if let Some(row) = raced_rows.get(&e.key) {
                self.replayed(*index, e, row);
            }
        }
        Ok(())
    }

    fn replayed(&mut self, index: usize, event: &ValidEvent, stored: &event::Model) {
        self.outcome_of_key
            .insert(event.key.clone(), (stored.id, stored.payload_hash.clone()));
        self.results[index] = Some(IngestResult::replayed(index, stored, &event.hash));
    }

    /// The answers in the order sent; a repeated key is DUPLICATE of its first item when the
    /// payloads match, CONFLICT otherwise.
    pub fn finish(mut self) -> Vec<IngestResult> {
        for (index, key, hash) in std::mem::take(&mut self.repeats) {
            self.results[index] = Some(match self.outcome_of_key.get(&key) {
                Some((id, stored)) if *stored == hash => IngestResult::duplicate(index, *id),
                _ => IngestResult::rejected(
                    index,
                    &AppError::Conflict(format!(
                        "idempotency key repeats events[{}] with another payload",
                        self.first_by_key[&key]
                    )),
                ),
            });
        }
        self.results.into_iter().flatten().collect()
    }
}
