//! What the fields that read more than a page cost in query complexity, in one table: the
//! complexity attributes of the resolvers use these numbers, and the request guard counts the
//! same fields against the per-document cap on expensive root fields.
//!
//! A plain field costs 1 and a list costs its page size times its children, so these numbers
//! are "how many rows of work" a field stands for, against `ACCORD_MAX_QUERY_COMPLEXITY`
//! (5,000 by default) and the caller's rate-limit budget.

/// Replays a contract over a range of the event history.
pub const BACKTEST: usize = 1_000;
/// Judges every closed deal of up to ten years by segment.
pub const ICP_INSIGHTS: usize = 500;
/// Reads the stage history of a range.
pub const FUNNEL: usize = 100;
/// Reads the stage history, deals, clocks, rejections and spend of a range.
pub const METRICS: usize = 100;
/// The same, split into groups.
pub const METRICS_GROUPED: usize = 300;
/// Weekly indicators over up to two years.
pub const ALIGNMENT_HEALTH: usize = 200;
/// A week's agenda, meeting and action items.
pub const REVENUE_REVIEW: usize = 300;
/// Conversion rates over a range, worked back from a goal.
pub const DEMAND_WATERFALL: usize = 200;
/// Every deal of a range with its lead's events, touches and MQL moves, and the spend.
pub const ATTRIBUTION: usize = 300;
/// Every account counted per group, and the ICP-fit contacts by what they did.
pub const MARKET_COVERAGE: usize = 300;
/// The attainment of every goal, each over its period.
pub const GOALS: usize = 200;
/// The deals closed in a range, counted in the database per group.
pub const WIN_LOSS: usize = 100;
/// A month's MQLs and SLA clocks, counted in the database.
pub const MARKETING_SCORECARD: usize = 100;
/// Every asset's uses, reached leads, the stage changes after and the deals won in a range.
pub const ASSET_PERFORMANCE: usize = 300;
/// One source's months of MQLs and rejections.
pub const SOURCE_HEALTH: usize = 50;
/// Every contact of one account matched against the active ICP's personas
/// (`Account.buyingCommittee`, per account).
pub const BUYING_COMMITTEE: usize = 10;

/// The root fields that count against `ACCORD_MAX_EXPENSIVE_FIELDS`, with their cost (the
/// grouped cost for `metrics`).
pub const EXPENSIVE_ROOT_FIELDS: &[(&str, usize)] = &[
    ("backtestLeadContract", BACKTEST),
    ("icpInsights", ICP_INSIGHTS),
    ("funnel", FUNNEL),
    ("metrics", METRICS_GROUPED),
    ("alignmentHealth", ALIGNMENT_HEALTH),
    ("revenueReview", REVENUE_REVIEW),
    ("demandWaterfall", DEMAND_WATERFALL),
    ("goals", GOALS),
    ("attribution", ATTRIBUTION),
    ("marketCoverage", MARKET_COVERAGE),
    ("sourceHealth", SOURCE_HEALTH),
    ("winLoss", WIN_LOSS),
    ("marketingScorecard", MARKETING_SCORECARD),
    ("assetPerformance", ASSET_PERFORMANCE),
];

/// Whether a root field of Query is one of the expensive ones.
pub fn is_expensive_root_field(name: &str) -> bool {
    EXPENSIVE_ROOT_FIELDS
        .iter()
        .any(|(field, _)| *field == name)
}

/// A child list's cost: its page size (the default page when none is asked for) times what
/// each item costs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let size = first.unwrap_or(super::pagination::DEFAULT_PAGE_SIZE as i32);
    (size.max(0) as usize).saturating_mul(child_complexity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_expensive_field_is_named_once() {
        for (i, (name, cost)) in EXPENSIVE_ROOT_FIELDS.iter().enumerate() {
            assert!(*cost >= SOURCE_HEALTH, "{name} is cheap");
            assert!(!EXPENSIVE_ROOT_FIELDS[..i].iter().any(|(n, _)| n == name));
        }
        assert!(is_expensive_root_field("backtestLeadContract"));
        assert!(!is_expensive_root_field("leads"));
    }

    #[test]
    fn a_child_page_costs_its_size() {
        assert_eq!(page_cost(Some(5), 3), 15);
        assert_eq!(page_cost(None, 2), 40);
        assert_eq!(page_cost(Some(-1), 2), 0);
    }
}
