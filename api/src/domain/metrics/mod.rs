//! The numbers marketing and sales own together (seed 002's revenue metrics stack, seed 004's
//! shared goals) and the funnel, computed from what happened rather than from counters: the
//! stage history, deals, first touches, SLA clocks, rejections and spend. The API layer loads
//! those rows into [`Facts`] and asks for a [`Range`], optionally grouped.
//!
//! Counting rules shared by every metric:
//! - a fact counts in a range when its own time is inside it (a stage change's `at`, a deal's
//!   `created_at` for pipeline and its `closed_at` for revenue, an assignment's time for first
//!   touch, a clock's `due_at`, a rejection's `at`); WEEK and MONTH groups use the same time;
//! - stage counts are counts of entries: a lead that becomes an MQL twice in a range (rejected,
//!   nurtured, qualified again) is two MQLs, because each entry is a separate hand-over that
//!   sales accepts or rejects, and the acceptance and rejection rates must divide like by like;
//! - rates are shares between 0 and 1 (the seeds' "x 100" is display), and `None` when the
//!   denominator is zero;
//! - weeks start on Monday and months on the 1st, both in UTC;
//! - amounts are in the workspace's currency, summed as they are.

pub mod assets;
mod attribution;
mod coverage;
mod facts;
mod funnel;
mod range;
pub mod scorecard;
mod shared;
mod spend;
mod stats;
pub mod win_loss;

pub use attribution::{
    attribution, credit_lines, deal_totals, eligible, keyed_credits, report, shares,
    AttributionGroup, AttributionModel, AttributionReport, Catalog, Credit, CreditKey, CreditLine,
    CreditedDeal, KeyedCredit, TouchOrigin, Touchpoint,
};
pub use coverage::{
    coverage, funnel_reach, region_of, waterfall, Coverage, CoverageCounts, CoverageGroup,
    CoverageRow, MarketWaterfall, Region, SuspectCount,
};
pub use facts::{
    Attribution, Counted, DailyCount, DealStatus, Facts, FirstTouch, OpenPipeline, Opportunity,
    Rejection, SlaClock, Spend, Stage, StageChange, StageStay,
};
pub use funnel::{
    add_counted, flow, funnel, funnel_of_history, stays_of, Flow, Funnel, FunnelStage, Occupancy,
    Stay,
};
pub use range::{midnight, month_start, week_start, DaySplit, GroupBy, GroupKey, Range};
pub use shared::{
    metrics, CoverageStatus, CoverageTarget, GroupMetrics, MetricsQuery, MetricsReport,
    PipelineCoverage, ReasonCount, SharedMetrics, DEFAULT_COVERAGE_BAND,
};
pub use stats::{lower_median, percentile, share};

/// A metrics request that cannot be answered, naming the offending input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct MetricsError {
    pub field: String,
    pub message: String,
}

impl MetricsError {
    pub(crate) fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
pub(crate) mod fixture;
