//! The kept facts' shared shape (deal credits, account suspects, asset reach, won deals'
//! assets): find a workspace with due rows, lock a batch of them in one transaction, work them
//! out, keep the result and commit; again until none is due.

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::{
    error::AppResult,
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{due_flags::DueRows, Tenant},
};

/// Works every due row of `due`, `batch` keys per transaction, each batch through `work`
/// (which must leave the keys no longer due); returns the batches.
pub async fn run_all(
    state: &AppState,
    due: &DueRows,
    batch: usize,
    work: impl AsyncFn(&Tenant<'_, DatabaseTransaction>, &[Uuid]) -> AppResult<()>,
) -> AppResult<usize> {
    let mut batches = 0;
    while let Some(workspace_id) = due.workspace(&state.store.global()).await? {
        let unit = UnitOfWork::begin(state, workspace_id).await?;
        let tenant = unit.tenant();
        let keys = due.batch(&tenant, batch).await?;
        if keys.is_empty() {
            // Another instance holds them.
            break;
        }
        work(&tenant, &keys).await?;
        unit.commit().await?;
        batches += 1;
    }
    Ok(batches)
}
