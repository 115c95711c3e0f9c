//! The demand waterfall from the workspace's actual rates, and the progress of shared goals.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use super::{load_facts, metrics_of, Report};
use crate::{
    domain::{
        metrics::{metrics, MetricsQuery, Range},
        planning::{
            demand_waterfall, ConversionRates, Goal, GoalProgress, Period, Waterfall,
            WaterfallInput,
        },
    },
    error::AppResult,
    services::contracts,
    store::Tenant,
};

/// How far back the actual conversion rates are read by default: two quarters.
pub const DEFAULT_RATES_DAYS: i64 = 182;

/// A waterfall request: the goal and the planner's overrides.
pub struct WaterfallRequest {
    pub revenue_goal: f64,
    pub period: Period,
    pub marketing_contribution: f64,
    pub overrides: ConversionRates,
    /// Where the actual rates are read; the two quarters before now by default.
    pub rates_from: Option<Range>,
}

/// The waterfall with the rates actually measured over `rates_from` and the MQLs the active
/// contract commits marketing to (none without an active contract).
pub async fn waterfall_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    request: WaterfallRequest,
    as_of: DateTime<Utc>,
) -> AppResult<(Waterfall, Range)> {
    let rates_from = request.rates_from.unwrap_or(Range {
        from: as_of - Duration::days(DEFAULT_RATES_DAYS),
        to: as_of,
    });
    rates_from.validate("range")?;
    let facts = load_facts(tenant, &rates_from, as_of, None, Report::Rates).await?;
    let query = MetricsQuery {
        range: rates_from,
        group_by: None,
        as_of,
        coverage: None,
    };
    let report = metrics(&facts, &query)?;
    let committed = contracts::active_terms(tenant)
        .await?
        .1
        .commitments
        .mqls_per_month;
    let waterfall = demand_waterfall(&WaterfallInput {
        revenue_goal: request.revenue_goal,
        period: request.period,
        marketing_contribution: request.marketing_contribution,
        actuals: ConversionRates::from_metrics(&report.total),
        overrides: request.overrides,
        committed_mqls_per_month: committed,
    })?;
    Ok((waterfall, rates_from))
}

/// A goal's actual value and attainment over its period, as of now.
pub async fn goal_progress<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    goal: &Goal,
    as_of: DateTime<Utc>,
) -> AppResult<GoalProgress> {
    let report = metrics_of(tenant, goal.period.range(), None, None, as_of).await?;
    Ok(goal.progress(&report.total))
}
