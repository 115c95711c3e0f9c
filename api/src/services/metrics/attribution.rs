//! Attribution and return on spend over a range, and the coverage of the addressable market:
//! the store reads the rows in a few set-based statements, the domain computes.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::OpportunityStage;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::sales::spend_rows;
use crate::{
    domain::metrics::{
        attribution, coverage, waterfall, AttributionGroup, AttributionModel, AttributionReport,
        Catalog, Coverage, CoverageCounts, CoverageGroup, CoverageRow, CreditedDeal,
        MarketWaterfall, Range, SuspectCount, TouchOrigin, Touchpoint,
    },
    error::AppResult,
    services::contracts,
    store::{metrics::attribution as rows, metrics::coverage as counts, Tenant},
};

/// The credit of the deals created or won in `range` under `model`, grouped by `group`, with
/// the spend of the range.
pub async fn attribution_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    model: AttributionModel,
    group: AttributionGroup,
) -> AppResult<AttributionReport> {
    range.validate("range")?;
    let (deals, touchpoints, moves, spend, kinds, campaigns) = tokio::try_join!(
        rows::credited_deals(tenant, &range),
        rows::touchpoints(tenant, &range),
        rows::mql_moves(tenant, &range),
        spend_rows(tenant, &range),
        rows::source_kinds(tenant),
        rows::campaign_sources(tenant),
    )?;
    let mut by_lead: HashMap<Uuid, Vec<Touchpoint>> = HashMap::new();
    for row in touchpoints {
        by_lead.entry(row.contact_id).or_default().push(Touchpoint {
            id: row.id,
            at: row.at,
            origin: if row.rep == 1 {
                TouchOrigin::Sales
            } else {
                TouchOrigin::Event
            },
            source_id: row.source_id,
            campaign_id: row.campaign_id,
        });
    }
    let mut mqls: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for row in moves {
        mqls.entry(row.contact_id).or_default().push(row.changed_at);
    }
    let deals: Vec<CreditedDeal> = deals
        .into_iter()
        .map(|deal| {
            let lead = deal.lead_id;
            CreditedDeal {
                amount: deal.amount,
                created_at: deal.created_at,
                won_at: deal
                    .closed_at
                    .filter(|_| deal.stage == OpportunityStage::ClosedWon),
                mql_entries: lead.and_then(|l| mqls.get(&l).cloned()).unwrap_or_default(),
                touchpoints: lead.and_then(|l| by_lead.get(&l).cloned()).unwrap_or_default(),
            }
        })
        .collect();
    let catalog = Catalog {
        source_kinds: kinds
            .into_iter()
            .map(|(id, kind)| (id, kind.as_str().to_owned()))
            .collect(),
        campaign_sources: campaigns.into_iter().collect(),
    };
    Ok(attribution(&deals, &spend, &catalog, &range, model, group))
}

/// How far back an account's events make it engaged.
pub const ENGAGED_DAYS: i64 = 90;

/// The market coverage per group, and the waterfall over the whole workspace, as of `as_of`.
pub struct MarketCoverage {
    pub coverage: Coverage,
    pub waterfall: MarketWaterfall,
    /// The minimum fit of the active contract (the seed's without one).
    pub min_fit: i32,
    pub engaged_since: DateTime<Utc>,
}

pub async fn market_coverage_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    group: CoverageGroup,
    as_of: DateTime<Utc>,
) -> AppResult<MarketCoverage> {
    let min_fit = contracts::active_terms(tenant).await?.1.acceptance.min_fit;
    let since = as_of - Duration::days(ENGAGED_DAYS);
    let (accounts, suspects) = tokio::try_join!(
        counts::coverage_counts(tenant, group, min_fit, since, as_of),
        counts::suspect_counts(tenant, min_fit),
    )?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let rows: Vec<CoverageRow> = accounts
        .into_iter()
        .map(|row| CoverageRow {
            key: row.group_value,
            counts: CoverageCounts {
                accounts: n(row.accounts),
                icp_fit: n(row.icp_fit),
                engaged: n(row.engaged),
                owned: n(row.owned),
                in_pipeline: n(row.in_pipeline),
                customers: n(row.customers),
            },
        })
        .collect();
    let suspects: Vec<SuspectCount> = suspects
        .into_iter()
        .map(|row| SuspectCount {
            inquired: row.inquired == 1,
            reached: u8::try_from(row.reached).unwrap_or(0),
            count: n(row.suspects),
        })
        .collect();
    let coverage = coverage(group, &rows);
    let waterfall = waterfall(
        coverage.total.icp_fit,
        coverage.total.customers,
        &suspects,
    );
    Ok(MarketCoverage {
        coverage,
        waterfall,
        min_fit,
        engaged_since: since,
    })
}
