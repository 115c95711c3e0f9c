//! Keeping each deal's attribution credit (`store::deal_credits`): the deals whose lines are
//! due (new, changed, or whose lead's history arrived late) are credited from their history,
//! a batch at a time, each batch in one transaction with the deals locked.

use entity::deal_credit;
use sea_orm::Set;
use uuid::Uuid;

use crate::{
    domain::metrics::{credit_lines, AttributionModel, TouchOrigin},
    error::AppResult,
    services::metrics::credited_deals,
    state::AppState,
    store::deal_credits,
};

/// Deals credited per transaction.
const BATCH: usize = 500;

const MODELS: [AttributionModel; 4] = [
    AttributionModel::FirstTouch,
    AttributionModel::LastTouch,
    AttributionModel::Linear,
    AttributionModel::WShaped,
];

/// Credits every due deal (the job loop's and [`super::run_due`]'s turn); returns the batches.
pub async fn run_all(state: &AppState) -> AppResult<usize> {
    super::facts::run_all(state, &deal_credits::DUE, BATCH, async |tenant, due| {
        let mut lines = Vec::new();
        for (id, deal) in credited_deals(tenant, due).await? {
            for model in MODELS {
                for line in credit_lines(model, &deal) {
                    lines.push(deal_credit::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        workspace_id: Set(tenant.workspace_id()),
                        opportunity_id: Set(id),
                        model: Set(deal_credits::model_name(model).to_owned()),
                        sales: Set(line.origin == TouchOrigin::Sales),
                        source_id: Set(line.source_id),
                        campaign_id: Set(line.campaign_id),
                        share: Set(line.share),
                        amount: Set(deal.amount),
                        created_at: Set(deal.created_at),
                        won_at: Set(deal.won_at),
                    });
                }
            }
        }
        deal_credits::keep(tenant, due, lines).await
    })
    .await
}
