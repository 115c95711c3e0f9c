//! Closed-won analysis: the deals of the last months, segmented, against the active ICP.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::{account, OpportunityStage};
use uuid::Uuid;

use crate::{
    domain::insights::{analyze, ClosedDeal, Insights},
    error::AppResult,
    services::fit::FitModels,
    state::AppState,
    store,
};

/// Whether an account is "in the ICP" for the analysis: its fit reaches half of what the active
/// ICP's account criteria can give. (A fixed bar would misjudge ICPs whose account weights add
/// up to little: the seed's add up to 45.)
fn in_icp(score: i32, max_score: i32) -> bool {
    max_score > 0 && score > 0 && 2 * score >= max_score
}

pub async fn icp_insights(
    state: &AppState,
    workspace_id: Uuid,
    months: u32,
    min_deals: usize,
) -> AppResult<Insights> {
    let tenant = state.store.tenant(workspace_id);
    let max_score = FitModels::load(&tenant).await?.max_account_score();
    let since = Utc::now() - Duration::days(30 * i64::from(months));
    let deals = store::metrics::closed_deals_since(&tenant, since).await?;
    let mut account_ids: Vec<Uuid> = deals.iter().map(|d| d.account_id).collect();
    account_ids.sort();
    account_ids.dedup();
    let accounts: HashMap<Uuid, account::Model> = tenant
        .get_many::<account::Entity>(&account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let closed: Vec<ClosedDeal> = deals
        .into_iter()
        .map(|deal| {
            let account = accounts.get(&deal.account_id);
            ClosedDeal {
                industry: account.and_then(|a| a.industry.clone()),
                employees: account.and_then(|a| a.employees),
                annual_revenue: account.and_then(|a| a.annual_revenue),
                region: account.and_then(|a| a.region.clone()),
                amount: deal.amount,
                created_at: deal.created_at,
                closed_at: deal.closed_at.unwrap_or(deal.created_at),
                won: deal.stage == OpportunityStage::ClosedWon,
                account_lifecycle: account.map(|a| a.lifecycle.as_str().to_owned()),
                in_icp: account.is_some_and(|a| in_icp(a.fit_score, max_score)),
            }
        })
        .collect();
    Ok(analyze(&closed, min_deals))
}

#[cfg(test)]
mod tests {
    use super::in_icp;

    #[test]
    fn in_icp_is_half_of_the_reachable_score() {
        // The seed ICP's account criteria add up to 45.
        assert!(in_icp(35, 45));
        assert!(!in_icp(20, 45));
        assert!(!in_icp(0, 0));
    }
}
