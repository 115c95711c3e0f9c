//! Recomputing every fit score after the active ICP changed, in batches, resumable: the job row
//! keeps its phase and the last id scored.

use entity::{account, fit_job};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    error::AppResult,
    services::{
        fit::{account_view, contact_view, lead_view, stored, FitModels},
        ingest::reevaluate,
        notices::Notices,
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{self, Tenant},
};

pub const PENDING: &str = "PENDING";
const ACCOUNTS: &str = "ACCOUNTS";
const CONTACTS: &str = "CONTACTS";
pub const DONE: &str = "DONE";
const BATCH: u64 = 500;

/// Runs one batch of the oldest unfinished job; returns whether there was one.
pub async fn run_once(state: &AppState) -> AppResult<bool> {
    let mut work = UnitOfWork::begin_global(state).await?;
    let Some(job) = store::fit::claim_job(&work.global(), DONE).await? else {
        return Ok(false);
    };
    let tenant = work.tenant_of(job.workspace_id);
    if store::fit::newer_job(&tenant, job.created_at).await? {
        // A later activation rescored everything anyway.
        finish(&work, &job, job.processed).await?;
        work.commit().await?;
        return Ok(true);
    }
    let models = FitModels::load(&tenant).await?;
    let (phase, cursor, scored) = match job.status.as_str() {
        PENDING | ACCOUNTS => {
            let n = score_accounts(&tenant, &models, job.cursor).await?;
            match n.last {
                Some(last) if n.count == BATCH => (ACCOUNTS, Some(last), n.count),
                _ => (CONTACTS, None, n.count),
            }
        }
        _ => {
            let n = score_contacts(&tenant, &models, job.cursor).await?;
            match n.last {
                Some(last) if n.count == BATCH => (CONTACTS, Some(last), n.count),
                _ => (DONE, None, n.count),
            }
        }
    };
    let processed = job.processed + scored as i64;
    let mut notices = Notices::default();
    if phase == DONE {
        finish(&work, &job, processed).await?;
        // Leads whose fit rose may meet the contract now.
        let why = reevaluate::reason::ICP_ACTIVATED;
        reevaluate::queue(&tenant, why, None, state.clock.now(), &mut notices).await?;
    } else {
        store::fit::save_progress(&work.global(), job.id, phase, cursor, processed).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    Ok(true)
}

async fn finish(work: &UnitOfWork<'_>, job: &fit_job::Model, processed: i64) -> AppResult<()> {
    let processed = processed.min(job.total).max(processed);
    store::fit::finish_job(&work.global(), job.id, DONE, processed).await
}

struct Batch {
    count: u64,
    last: Option<Uuid>,
}

async fn score_accounts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    models: &FitModels,
    after: Option<Uuid>,
) -> AppResult<Batch> {
    let rows = store::fit::accounts_page(tenant, after, BATCH).await?;
    for row in &rows {
        let (score, breakdown) = stored(&models.account(&account_view(row)));
        if score != row.fit_score || breakdown != row.fit_breakdown {
            tenant.set_account_fit(row.id, score, breakdown).await?;
        }
    }
    Ok(Batch {
        count: rows.len() as u64,
        last: rows.last().map(|r| r.id),
    })
}

async fn score_contacts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    models: &FitModels,
    after: Option<Uuid>,
) -> AppResult<Batch> {
    let rows = store::fit::contacts_page(tenant, after, BATCH).await?;
    let account_ids = crate::services::fit::account_ids(&rows);
    let accounts: std::collections::HashMap<Uuid, _> = tenant
        .get_many::<account::Entity>(&account_ids)
        .await?
        .iter()
        .map(|a| (a.id, account_view(a)))
        .collect();
    let refs: Vec<&_> = rows.iter().collect();
    let sources = crate::services::fit::source_names(tenant, &refs).await?;
    for row in &rows {
        let view = contact_view(row, crate::services::fit::source_of(row, &sources));
        let account = row.account_id.and_then(|id| accounts.get(&id));
        let (score, breakdown) = stored(&models.contact(&lead_view(row, &view, account)));
        if score != row.fit_score || breakdown != row.fit_breakdown {
            tenant.set_contact_fit(row.id, score, breakdown).await?;
        }
    }
    Ok(Batch {
        count: rows.len() as u64,
        last: rows.last().map(|r| r.id),
    })
}
