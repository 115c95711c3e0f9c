//! Keeping each won deal's assets (`store::won_deal_assets`): the deals whose lines are due
//! (won, changed, or whose account's contacts' history changed) get them worked out from the
//! history, a batch at a time, each batch in one transaction with the deals' due rows locked.

use crate::{
    error::AppResult, services::unit_of_work::UnitOfWork, state::AppState, store::won_deal_assets,
};

/// Deals worked out per transaction.
const BATCH: usize = 1_000;

/// Works out one batch of one workspace's due deals; returns whether there was one.
pub async fn run_once(state: &AppState) -> AppResult<bool> {
    let Some(workspace_id) = won_deal_assets::DUE
        .workspace(&state.store.global())
        .await?
    else {
        return Ok(false);
    };
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let due = won_deal_assets::DUE.batch(&tenant, BATCH).await?;
    if due.is_empty() {
        // Another instance holds them.
        return Ok(false);
    }
    won_deal_assets::keep(&tenant, &due).await?;
    work.commit().await?;
    Ok(true)
}

/// Works out every due deal (the job loop's and [`super::run_due`]'s turn); returns the
/// batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    let mut batches = 0;
    while run_once(state).await? {
        batches += 1;
    }
    Ok(batches)
}
