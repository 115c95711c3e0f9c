//! Keeping each lead's reach by the assets (`store::asset_reach`): the leads whose lines are
//! due (their touches, events or stage changes changed) get their lines worked out from their
//! history, a batch at a time, each batch in one transaction with the leads' due rows locked.

use entity::asset_reach_line;
use sea_orm::Set;
use uuid::Uuid;

use crate::{
    domain::metrics::assets::reach_lines,
    error::AppResult,
    services::{metrics::stage_of, unit_of_work::UnitOfWork},
    state::AppState,
    store::asset_reach,
};

/// Leads worked out per transaction.
const BATCH: usize = 1_000;

/// Works out one batch of one workspace's due leads; returns whether there was one.
pub async fn run_once(state: &AppState) -> AppResult<bool> {
    let Some(workspace_id) = asset_reach::DUE.workspace(&state.store.global()).await? else {
        return Ok(false);
    };
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let due = asset_reach::DUE.batch(&tenant, BATCH).await?;
    if due.is_empty() {
        // Another instance holds them.
        return Ok(false);
    }
    let mut lines = Vec::new();
    for (lead, history) in asset_reach::histories(&tenant, &due).await? {
        let moves: Vec<_> = history
            .moves
            .into_iter()
            .map(|(from, to, at)| (from.map(stage_of), stage_of(to), at))
            .collect();
        for line in reach_lines(&history.first_reaches, &moves) {
            lines.push(asset_reach_line::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(workspace_id),
                contact_id: Set(lead),
                asset_id: Set(line.asset_id),
                at: Set(line.at),
                reached: Set(to_i32(line.reached)),
                advances: Set(to_i32(line.advances)),
            });
        }
    }
    asset_reach::keep(&tenant, &due, lines).await?;
    work.commit().await?;
    Ok(true)
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Works out every due lead (the job loop's and [`super::run_due`]'s turn); returns the
/// batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    let mut batches = 0;
    while run_once(state).await? {
        batches += 1;
    }
    Ok(batches)
}
