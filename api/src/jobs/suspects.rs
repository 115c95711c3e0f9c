//! Keeping each account's suspects (`store::account_suspects`): the accounts whose counts are
//! due (new, a contact's part changed, the contract's minimum fit moved) are counted from their
//! contacts, a batch at a time, each batch in one transaction with the accounts locked.

use crate::{error::AppResult, services::contracts, state::AppState, store::account_suspects};

/// Accounts counted per transaction.
const BATCH: usize = 1_000;

/// Counts every due account (the job loop's and [`super::run_due`]'s turn); returns the
/// batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    super::facts::run_all(state, &account_suspects::DUE, BATCH, async |tenant, due| {
        let min_fit = contracts::active_terms(tenant).await?.1.acceptance.min_fit;
        account_suspects::recount(tenant, due, min_fit).await
    })
    .await
}
