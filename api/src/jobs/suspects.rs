//! Keeping each account's suspects (`store::account_suspects`): the accounts whose counts are
//! due (new, a contact's part changed, the contract's minimum fit moved) are counted from their
//! contacts, a batch at a time, each batch in one transaction with the accounts locked.

use crate::{
    error::AppResult,
    services::{contracts, unit_of_work::UnitOfWork},
    state::AppState,
    store::account_suspects,
};

/// Accounts counted per transaction.
const BATCH: usize = 1_000;

/// Counts one batch of one workspace's due accounts; returns whether there was one.
pub async fn run_once(state: &AppState) -> AppResult<bool> {
    let Some(workspace_id) = account_suspects::DUE
        .workspace(&state.store.global())
        .await?
    else {
        return Ok(false);
    };
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let due = account_suspects::DUE.batch(&tenant, BATCH).await?;
    if due.is_empty() {
        // Another instance holds them.
        return Ok(false);
    }
    let min_fit = contracts::active_terms(&tenant).await?.1.acceptance.min_fit;
    account_suspects::recount(&tenant, &due, min_fit).await?;
    work.commit().await?;
    Ok(true)
}

/// Counts every due account (the job loop's and [`super::run_due`]'s turn); returns the
/// batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    let mut batches = 0;
    while run_once(state).await? {
        batches += 1;
    }
    Ok(batches)
}
