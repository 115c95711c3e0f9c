//! Keeping each lead's reach by the assets (`store::asset_reach`): the leads whose lines are
//! due (their touches, events or stage changes changed) get their lines worked out from their
//! history, a batch at a time, each batch in one transaction with the leads' due rows locked.

use entity::asset_reach_line;
use sea_orm::Set;
use uuid::Uuid;

use crate::{
    domain::metrics::assets::reach_lines, error::AppResult, services::metrics::stage_of,
    state::AppState, store::asset_reach,
};

/// Leads worked out per transaction.
const BATCH: usize = 1_000;

/// Works out every due lead (the job loop's and [`super::run_due`]'s turn); returns the
/// batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    super::facts::run_all(state, &asset_reach::DUE, BATCH, async |tenant, due| {
        let mut lines = Vec::new();
        for (lead, history) in asset_reach::histories(tenant, due).await? {
            let moves: Vec<_> = history
                .moves
                .into_iter()
                .map(|(from, to, at)| (from.map(stage_of), stage_of(to), at))
                .collect();
            for line in reach_lines(&history.first_reaches, &moves) {
                lines.push(asset_reach_line::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(tenant.workspace_id()),
                    contact_id: Set(lead),
                    asset_id: Set(line.asset_id),
                    at: Set(line.at),
                    reached: Set(to_i32(line.reached)),
                    advances: Set(to_i32(line.advances)),
                });
            }
        }
        asset_reach::keep(tenant, due, lines).await
    })
    .await
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
