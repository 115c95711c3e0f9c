//! Re-evaluating leads in the background after a bulk change to their facts (an import, an ICP
//! activation's rescoring, a contract signed, a source resumed), in batches, resumable: the job
//! row keeps the last lead judged and its progress (`leadReevaluation`).

use crate::{
    error::AppResult,
    services::{
        ingest::reevaluate::{reevaluate, DONE, RUNNING},
        notices::Notices,
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store,
};

const BATCH: u64 = 200;

/// Runs one batch of the oldest unfinished re-evaluation; returns whether there was one.
pub async fn run_once(state: &AppState) -> AppResult<bool> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin_global(state).await?;
    let Some(mut job) = store::requalify::claim_job(&work.global(), DONE).await? else {
        return Ok(false);
    };
    let mut notices = Notices::default();
    let tenant = work.tenant_of(job.workspace_id);
    store::identity::take_turn(&tenant).await?;
    let ids = store::requalify::leads_page(&tenant, job.source_id, job.cursor, BATCH).await?;
    job.qualified += reevaluate(&tenant, &ids, now, &mut notices).await? as i64;
    job.processed += ids.len() as i64;
    job.total = job.total.max(job.processed);
    job.cursor = ids.last().copied().or(job.cursor);
    let global = work.global();
    if ids.len() as u64 == BATCH {
        store::requalify::save_progress(&global, &job, RUNNING, None).await?;
    } else {
        job.total = job.processed;
        store::requalify::save_progress(&global, &job, DONE, Some(now)).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    Ok(true)
}

/// Runs re-evaluation batches until none is left; returns how many ran.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    let mut ran = 0;
    while run_once(state).await? {
        ran += 1;
    }
    Ok(ran)
}
