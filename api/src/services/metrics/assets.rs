//! `assetPerformance`: the store counts per asset over the range (a handful of aggregate
//! statements, at once), the domain judges which perform and where the content gaps are.

use entity::FunnelStage;
use sea_orm::ConnectionTrait;

use super::stage_of;
use crate::{
    domain::metrics::{
        assets::{
            advances_by_asset, content_gaps, rank, AssetPerformance, ContentGap, FUNNEL_STAGES,
        },
        Range,
    },
    error::AppResult,
    store::{metrics::assets as rows, Tenant},
};

/// Every asset of the catalog (of `stage` when named) with its counts over `range`, the best
/// first, and the funnel stages (that one, or all four) where no asset performs.
pub struct AssetReport {
    pub assets: Vec<AssetPerformance>,
    pub gaps: Vec<ContentGap>,
}

pub async fn asset_performance_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    stage: Option<FunnelStage>,
) -> AppResult<AssetReport> {
    range.validate("range")?;
    let (catalog, mut uses, reach, won) = tokio::try_join!(
        rows::catalog(tenant, stage),
        rows::use_counts(tenant, &range),
        rows::reach(tenant, &range),
        rows::won_deals(tenant, &range),
    )?;
    let moves: Vec<_> = reach
        .moves
        .into_iter()
        .map(|(asset, from, to, n)| (asset, from.map(stage_of), stage_of(to), n))
        .collect();
    let reached = reach.leads;
    let mut advances = advances_by_asset(&moves);
    for (asset, kept) in reach.advances {
        *advances.entry(asset).or_default() += kept;
    }
    let mut assets: Vec<AssetPerformance> = catalog
        .into_iter()
        .map(|a| {
            let mut counts = uses.remove(&a.id).unwrap_or_default();
            counts.leads_reached = reached.get(&a.id).copied().unwrap_or(0);
            counts.stage_advances = advances.get(&a.id).copied().unwrap_or(0);
            if let Some((deals, amount)) = won.get(&a.id) {
                counts.won_deals = *deals;
                counts.won_amount = *amount;
            }
            AssetPerformance {
                asset_id: a.id,
                name: a.name,
                funnel_stage: a.funnel_stage,
                counts,
            }
        })
        .collect();
    rank(&mut assets);
    let stages = match stage {
        Some(stage) => vec![stage],
        None => FUNNEL_STAGES.to_vec(),
    };
    let gaps = content_gaps(&assets, &stages);
    Ok(AssetReport { assets, gaps })
}
