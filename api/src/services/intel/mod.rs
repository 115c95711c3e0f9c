//! The lead intel package ([`crate::domain::intel`]) composed when a trigger is written, in the
//! unit of work that writes it, and stored with the trigger: delivery over the socket reads
//! nothing more, and the package shows what was true when the trigger went out.
//!
//! - Ingestion composes it in memory ([`of_batch`]): the batch already holds each lead's whole
//!   ledger (this batch's entries included), its fit breakdown, its score now and the active
//!   plays; no query is added per trigger or per lead.
//! - Every other trigger about a lead (SLA clocks, play steps, assignment, rejections, the
//!   unassigned queue, ...) is completed by [`complete`] before it is written: a constant number
//!   of reads for all the triggers at hand (the leads, their ledgers, the scoring terms, the
//!   plays they run and those plays' first assets), not a number per trigger.
//!
//! [`timeline`] is `Lead.timeline`.

pub mod timeline;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{asset, contact, play};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::{
        intel::{IntelPlay, LeadIntel},
        qualification::{LeadOutcome, Step},
        scoring::{score_at, LedgerEntry},
    },
    error::AppResult,
    services::{
        contracts,
        ingest::ledger_entry,
        plays::{
            definitions::asset_ids_of,
            engine::{intel_asset, Ask, PlayEngine},
        },
    },
    store::{self, triggers::NewTrigger, Tenant},
};

/// What a batch knows of each lead it sends a trigger about.
pub type BatchIntel = HashMap<Uuid, LeadIntel>;

/// The intel of every lead of an ingestion batch whose outcome sends a trigger (an MQL's owner
/// or the unroutable audience, a WARM lead turned HOT), from the batch's memory: the ledger, the
/// fit breakdown, the score now, and the play the lead's signals fire (`asks`, in the order of
/// `decided`, empty when no play is active).
pub fn of_batch(
    decided: &[LeadOutcome<'_>],
    ledgers: &HashMap<Uuid, Vec<LedgerEntry>>,
    plays: &PlayEngine,
    asks: &[Ask<'_>],
) -> BatchIntel {
    decided
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            matches!(
                d.step,
                Step::Qualified(_) | Step::BecameHot { trigger: Some(_) }
            )
        })
        .map(|(i, d)| {
            let ledger = ledgers.get(&d.lead.id).map_or(&[][..], Vec::as_slice);
            let mut lead = LeadIntel::new(
                ledger,
                d.lead.fit_breakdown.as_ref(),
                d.score,
                d.lead.fit_score,
            );
            if let Some((play, asset)) = asks.get(i).and_then(|ask| plays.suggest(ask)) {
                lead.play = Some(play);
                lead.asset = asset;
            }
            (d.lead.id, lead)
        })
        .collect()
}

/// Gives every trigger about a lead that has no intel yet its package, with one read per kind
/// of fact for all of them. Triggers about no lead keep none.
pub async fn complete<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    triggers: &mut [NewTrigger],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut leads: Vec<Uuid> = triggers
        .iter()
        .filter(|t| t.intel.is_none())
        .filter_map(|t| t.lead_id)
        .collect();
    if leads.is_empty() {
        return Ok(());
    }
    leads.sort();
    leads.dedup();
    let contacts: HashMap<Uuid, contact::Model> = tenant
        .get_many::<contact::Entity>(&leads)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut rows = store::scores::of_contacts(tenant, leads.clone()).await?;
    rows.sort_by_key(|r| (r.occurred_at, r.id));
    let mut ledgers: HashMap<Uuid, Vec<LedgerEntry>> = HashMap::new();
    for row in &rows {
        ledgers
            .entry(row.contact_id)
            .or_default()
            .push(ledger_entry(row));
    }
    let (_, terms) = contracts::active_terms(tenant).await?;
    // A lead's suggested play: the trigger's own, else the one it enrolled in first of those
    // it runs.
    let mut running = store::enrollments::active_of_leads(tenant, &leads).await?;
    running.sort_by_key(|e| (e.enrolled_at, e.id));
    let mut running_play: HashMap<Uuid, Uuid> = HashMap::new();
    for e in &running {
        running_play.entry(e.contact_id).or_insert(e.play_id);
    }
    let mut play_ids: Vec<Uuid> = triggers
        .iter()
        .filter_map(|t| t.play_id)
        .chain(running_play.values().copied())
        .collect();
    play_ids.sort();
    play_ids.dedup();
    let plays: HashMap<Uuid, play::Model> = tenant
        .get_many::<play::Entity>(&play_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let first_assets: Vec<Uuid> = plays
        .values()
        .filter_map(|p| asset_ids_of(p).first().copied())
        .collect();
    let assets: HashMap<Uuid, asset::Model> = match first_assets.is_empty() {
        true => HashMap::new(),
        false => tenant
            .get_many::<asset::Entity>(&first_assets)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect(),
    };
    for trigger in triggers.iter_mut().filter(|t| t.intel.is_none()) {
        let Some(lead) = trigger.lead_id.and_then(|id| contacts.get(&id)) else {
            continue;
        };
        let ledger = ledgers.get(&lead.id).map_or(&[][..], Vec::as_slice);
        let score = score_at(&terms.scoring, ledger, now).total;
        let mut intel = LeadIntel::new(ledger, lead.fit_breakdown.as_ref(), score, lead.fit_score);
        let play = trigger
            .play_id
            .or_else(|| running_play.get(&lead.id).copied())
            .and_then(|id| plays.get(&id));
        if let Some(play) = play {
            intel.play = Some(IntelPlay {
                id: play.id,
                name: play.name.clone(),
            });
            intel.asset = asset_ids_of(play)
                .first()
                .and_then(|id| assets.get(id))
                .cloned()
                .map(intel_asset);
        }
        trigger.intel = Some(intel.for_trigger(trigger.kind));
    }
    Ok(())
}
