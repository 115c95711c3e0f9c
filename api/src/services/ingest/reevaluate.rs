//! Re-evaluating leads whose facts changed without an event: records upserted or imported, an
//! ICP activated (fit rescored), a contract signed, a paused source resumed. The leads still in
//! the LEAD stage are judged by the same step as ingestion ([`super::qualify::evaluate`]: the
//! decision in `domain::qualification`, then routing, clocks, triggers, webhooks, stage history
//! and plays), with no new events. A small change is judged in its own transaction; a bulk one
//! queues a `requalify_job` the job loop runs in batches, with its progress.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{account, contact, requalify_job, source};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{identity::Resolved, qualify, scoring};
use crate::{
    error::AppResult,
    services::{contracts, notices::Notices},
    store::{self, Tenant},
};

/// A change touching more leads than this re-evaluates them in the background.
pub const INLINE_LIMIT: usize = 200;

/// Why a background re-evaluation runs.
pub mod reason {
    pub const RECORDS: &str = "RECORDS";
    pub const ICP_ACTIVATED: &str = "ICP_ACTIVATED";
    pub const CONTRACT_SIGNED: &str = "CONTRACT_SIGNED";
    pub const SOURCE_RESUMED: &str = "SOURCE_RESUMED";
}

pub const PENDING: &str = "PENDING";
pub const RUNNING: &str = "RUNNING";
pub const DONE: &str = "DONE";

/// Judges the leads among `ids` still in the LEAD stage against the active contract, as
/// ingestion does after an event; returns how many became MQLs. The caller holds the
/// workspace's identity turn.
pub async fn reevaluate<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<u64> {
    let ids = store::requalify::still_leads(tenant, ids).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let contacts: HashMap<Uuid, contact::Model> = tenant
        .get_many::<contact::Entity>(&ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let account_ids = ids_of(contacts.values().filter_map(|c| c.account_id));
    let accounts = tenant.get_many::<account::Entity>(&account_ids).await?;
    let source_ids = ids_of(contacts.values().filter_map(|c| c.source_id));
    let sources = tenant.get_many::<source::Entity>(&source_ids).await?;
    let mut ledgers = scoring::load_ledgers(tenant, ids.clone()).await?;
    for id in &ids {
        ledgers.entry(*id).or_default();
    }
    let resolved = Resolved {
        of_key: HashMap::new(),
        contacts,
        accounts: accounts.into_iter().map(|a| (a.id, a)).collect(),
        sources: sources.into_iter().map(|s| (s.id, s)).collect(),
    };
    let (contract, terms) = contracts::active_terms(tenant).await?;
    let events = HashMap::new();
    let batch = qualify::Batch {
        contract: contract.as_ref(),
        terms: &terms,
        ledgers: &ledgers,
        events: &events,
        resolved: &resolved,
        now,
    };
    qualify::evaluate(tenant, &batch, notices, &mut super::phases::Phases::start()).await
}

fn ids_of(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    ids
}

/// After a change to the facts of the leads `ids`: judges them now, or, when there are more
/// than [`INLINE_LIMIT`], queues their workspace's background re-evaluation.
pub async fn after_change<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    if ids.len() > INLINE_LIMIT {
        return queue(tenant, reason::RECORDS, None, now, notices).await;
    }
    reevaluate(tenant, ids, now, notices).await.map(|_| ())
}

/// Queues the background re-evaluation of the workspace's leads (of `source_id` only, when
/// given), unless one over the same leads waits to start already.
pub async fn queue<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    why: &str,
    source_id: Option<Uuid>,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    if store::requalify::waiting(tenant, source_id, PENDING).await? {
        return Ok(());
    }
    let total = store::requalify::leads_to_judge(tenant, source_id).await?;
    let job = requalify_job::Model {
        id: Uuid::now_v7(),
        workspace_id: tenant.workspace_id(),
        reason: why.to_owned(),
        source_id,
        status: PENDING.to_owned(),
        total: total as i64,
        processed: 0,
        qualified: 0,
        cursor: None,
        created_at: now,
        finished_at: None,
    };
    store::requalify::queue(tenant, job).await?;
    notices.wake_jobs();
    Ok(())
}

/// The latest background re-evaluation, if any.
pub async fn latest<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<requalify_job::Model>> {
    store::requalify::latest(tenant).await
}
