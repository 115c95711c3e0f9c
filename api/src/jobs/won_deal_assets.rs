//! Keeping each won deal's assets (`store::won_deal_assets`): the deals whose lines are due
//! (won, changed, or whose account's contacts' history changed) get them worked out from the
//! history, a batch at a time, each batch in one transaction with the deals' due rows locked.

use crate::{error::AppResult, state::AppState, store::won_deal_assets};

/// Deals worked out per transaction.
const BATCH: usize = 1_000;

/// Works out every due deal (the job loop's and [`super::run_due`]'s turn); returns the
/// batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    super::facts::run_all(state, &won_deal_assets::DUE, BATCH, async |tenant, due| {
        won_deal_assets::keep(tenant, due).await
    })
    .await
}
