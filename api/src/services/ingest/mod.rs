//! `ingestEvents`: a partner app's batch of engagement events, answered item by item. Each event
//! is recorded once per idempotency key (a replay is DUPLICATE, the same key with another payload
//! is CONFLICT, also when two batches race), its contact and account are resolved or created, its
//! points go into the lead's score ledger, and the lead is re-evaluated against the contract.
//!
//! The walk: [`answers`] validates and answers, [`identity`] resolves who each event is about,
//! [`scoring`] appends the points, [`qualify`] asks `domain::qualification` what happens to each
//! lead and [`outcome`] writes it; all in one unit of work.

mod answers;
mod identity;
mod input;
pub(crate) mod outcome;
mod phases;
pub(crate) mod qualify;
pub mod reevaluate;
mod scoring;
mod writes;

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

pub use input::{EventAccountInput, EventContactInput, EventInput, IngestResult, IngestStatus};
pub use scoring::ledger_entry;

use self::{
    answers::{Answers, Item},
    identity::Resolved,
    phases::Phases,
    qualify::Batch,
};
use crate::{
    error::{AppError, AppResult},
    services::{account_signals, contracts, notices::Notices, unit_of_work::UnitOfWork},
    state::AppState,
    store::{self, Tenant},
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
    // Where a batch's time goes, for the benchmark (`accord::ingest=debug`).
    let mut phases = Phases::start();
    let (mut answers, valid) = Answers::triage(inputs, now);
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    // Shared with the workspace's other batches (see `identity::resolve` for how they share),
    // exclusive of every other writer of leads.
    store::identity::share_turn(&tenant).await?;
    phases.done("turn");
    let mut fresh = answers.replays(&tenant, valid).await?;
    answers.check_references(&tenant, &mut fresh).await?;
    phases.done("replays");
    let resolved = identity::resolve(&tenant, &fresh, now).await?;
    phases.done("identity");
    let inserted = record(&tenant, &fresh, &resolved, now).await?;
    answers.recorded(&tenant, &fresh, &inserted).await?;
    phases.done("record");
    evaluate(&tenant, &inserted, &resolved, now, notices, &mut phases).await?;
    // New enrollments have a step due now: let the job loop announce it without waiting.
    notices.wake_jobs();
    work.commit().await?;
    phases.done("commit");
    tracing::debug!(target: "accord::ingest", events = inserted.len(), phases = %phases, "batch");
    let results = answers.finish();
    count_answers(state, &results);
    Ok(results)
}

/// Counts the committed answers by status (the `ingested_events_total` counter).
fn count_answers(state: &AppState, results: &[IngestResult]) {
    let counter = &state.prometheus.ingested_events;
    for result in results {
        let status = match result.status {
            IngestStatus::Accepted => "accepted",
            IngestStatus::Duplicate => "duplicate",
            IngestStatus::Rejected => "rejected",
        };
        counter.with_label_values(&[status]).inc();
    }
}

/// Records the fresh events; those a concurrent batch recorded first are left out.
async fn record(
    tenant: &Tenant<'_, DatabaseTransaction>,
    fresh: &[Item],
    resolved: &Resolved,
    now: DateTime<Utc>,
) -> AppResult<Vec<event::Model>> {
    let mut rows: Vec<event::Model> = fresh
        .iter()
        .map(|(_, e)| {
            let who = &resolved.of_key[&e.key];
            event::Model {
                id: Uuid::now_v7(),
                workspace_id: tenant.workspace_id(),
                idempotency_key: e.key.clone(),
                payload_hash: e.hash.clone(),
                event_type: e.event_type.clone(),
                occurred_at: e.occurred_at,
                contact_id: who.contact_id,
                account_id: who.account_id,
                source_id: who.source_id,
                campaign_id: e.campaign_id,
                asset_id: e.asset_id,
                properties: serde_json::Value::Object(e.properties.clone()),
                received_at: now,
            }
        })
        .collect();
    // Ids in the order sent (events of one moment score in that order); rows in key order, so
    // two batches recording the same keys wait for each other in one order, never in a cycle.
    rows.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    let inserted = store::events::insert_new(tenant, rows).await?;
    // An event stamped before one of its lead's deals was created counts in that deal's credit.
    store::deal_credits::history_arrived(
        tenant,
        inserted.iter().map(|e| (e.contact_id, e.occurred_at)),
    )
    .await?;
    Ok(inserted)
}

/// Scores the recorded events and re-evaluates their leads under the active contract.
async fn evaluate(
    tenant: &Tenant<'_, DatabaseTransaction>,
    inserted: &[event::Model],
    resolved: &Resolved,
    now: DateTime<Utc>,
    notices: &mut Notices,
    phases: &mut Phases,
) -> AppResult<()> {
    let (contract, terms) = contracts::active_terms(tenant).await?;
    let events = scoring::events_by_lead(inserted);
    let ledgers = scoring::score(tenant, &terms, &events, resolved).await?;
    phases.done("score");
    let batch = Batch {
        contract: contract.as_ref(),
        terms: &terms,
        ledgers: &ledgers,
        events: &events,
        resolved,
        now,
    };
    qualify::evaluate(tenant, &batch, notices, phases).await?;
    // Accounts as a whole: scores, crossings, committees (set-based, constant statements).
    account_signals::on_events(tenant, inserted, &resolved.accounts, &terms, now, notices).await?;
    phases.done("accounts");
    Ok(())
}
