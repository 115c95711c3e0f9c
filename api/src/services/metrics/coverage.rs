//! The coverage of the addressable market and seed 003's waterfall, as of now: two counting
//! statements in the store, the grouping (countries into regions) and the waterfall in the
//! domain.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use crate::{
    domain::metrics::{
        coverage, waterfall, Coverage, CoverageCounts, CoverageGroup, CoverageRow, MarketWaterfall,
        SuspectCount,
    },
    error::AppResult,
    services::contracts,
    store::{metrics::coverage as counts, Tenant},
};

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
        counts::coverage_counts(tenant, group, min_fit, since),
        counts::due_suspect_counts(tenant, min_fit),
    )?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut kept = [0u64; 5];
    for row in &accounts {
        for (sum, count) in
            kept.iter_mut()
                .zip([row.suspects, row.inquiries, row.mqls, row.sals, row.sqls])
        {
            *sum += n(count);
        }
    }
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
    let mut suspects: Vec<SuspectCount> = suspects
        .into_iter()
        .map(|row| SuspectCount {
            inquired: row.inquired == 1,
            reached: u8::try_from(row.reached).unwrap_or(0),
            count: n(row.suspects),
        })
        .collect();
    suspects.extend(kept_suspects(kept));
    let coverage = coverage(group, &rows);
    let waterfall = waterfall(coverage.total.icp_fit, coverage.total.customers, &suspects);
    Ok(MarketCoverage {
        coverage,
        waterfall,
        min_fit,
        engaged_since: since,
    })
}

/// The kept counts (suspects, inquiries, and the inquiries that reached MQL, SAL, SQL or
/// further) as the suspects' counts the waterfall takes: each step's suspects less the next's.
fn kept_suspects([suspects, inquiries, mqls, sals, sqls]: [u64; 5]) -> Vec<SuspectCount> {
    let less = |a: u64, b: u64| a.saturating_sub(b);
    [
        (false, 0, less(suspects, inquiries)),
        (true, 0, less(inquiries, mqls)),
        (true, 1, less(mqls, sals)),
        (true, 2, less(sals, sqls)),
        (true, 3, sqls),
    ]
    .into_iter()
    .map(|(inquired, reached, count)| SuspectCount {
        inquired,
        reached,
        count,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_counts_make_the_same_waterfall_steps() {
        let rows = kept_suspects([10, 7, 5, 3, 1]);
        assert_eq!(rows.iter().map(|r| r.count).sum::<u64>(), 10);
        let steps = waterfall(4, 1, &rows);
        assert_eq!(
            (
                steps.suspects,
                steps.inquiries,
                steps.mqls,
                steps.sals,
                steps.sqls
            ),
            (10, 7, 5, 3, 1)
        );
    }
}
