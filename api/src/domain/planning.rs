//! Planning: the demand waterfall (seed 003) that works from a revenue goal back to the MQLs
//! marketing must deliver, and the shared goals (seed 004, step 5) both leaders are measured on.
//!
//! The waterfall, in the seed's order: revenue goal -> customers needed (goal / average deal
//! size) -> marketing's share of them (x marketing contribution) -> SQLs (/ SQL -> won) -> SALs
//! (/ SAL -> SQL) -> MQLs (/ MQL -> SAL). Each step rounds up to whole people, from the
//! previous step's whole number, as a planner would on a whiteboard: nobody plans for 19.2
//! customers. The same chain is also worked for all customers (as if every deal came through
//! the funnel), so both figures are on the table. The rates are the workspace's actual ones,
//! each of which the planner may override.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::metrics::{month_start, Range, SharedMetrics};

/// A plan or goal that cannot be made, naming the offending input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PlanningError {
    pub field: String,
    pub message: String,
}

impl PlanningError {
    fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Whole calendar months: a month, a quarter, a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// Any day of the first month; the whole month is meant.
    pub start: NaiveDate,
    pub months: u32,
}

impl Period {
    fn validate(&self, field: &str) -> Result<(), PlanningError> {
        if self.months == 0 {
            return Err(PlanningError::at(
                format!("{field}.months"),
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The period as a range of time, from the first day of its first month.
    pub fn range(&self) -> Range {
        let first = Range::month_of(month_start(self.start));
        let last = Range::month_of(
            month_start(self.start) + chrono::Months::new(self.months.saturating_sub(1)),
        );
        Range {
            from: first.from,
            to: last.to,
        }
    }
}

/// Conversion rates and deal size; any may be unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ConversionRates {
    pub mql_to_sal: Option<f64>,
    pub sal_to_sql: Option<f64>,
    pub sql_to_won: Option<f64>,
    pub average_deal_size: Option<f64>,
}

impl ConversionRates {
    /// The workspace's actual rates over a past range, from its shared metrics: MQL -> SAL is
    /// SALs / MQLs, SAL -> SQL is SQLs / SALs, SQL -> won is deals won / SQLs, and the average
    /// deal size is closed-won revenue / deals won.
    pub fn from_metrics(m: &SharedMetrics) -> Self {
        let ratio = |a: f64, b: u64| (b > 0).then(|| a / b as f64);
        Self {
            mql_to_sal: ratio(m.sals as f64, m.mqls),
            sal_to_sql: ratio(m.sqls as f64, m.sals),
            sql_to_won: ratio(m.won as f64, m.sqls),
            average_deal_size: ratio(m.closed_won_revenue, m.won),
        }
    }
}

/// What the waterfall is worked from.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallInput {
    pub revenue_goal: f64,
    pub period: Period,
    /// The share of the goal marketing is expected to source, 0 to 1.
    pub marketing_contribution: f64,
    /// The workspace's actual rates ([`ConversionRates::from_metrics`]).
    pub actuals: ConversionRates,
    /// The planner's rates; each one given replaces the actual.
    pub overrides: ConversionRates,
    /// The MQLs per month the active lead contract commits marketing to.
    pub committed_mqls_per_month: u32,
}

/// The rates the waterfall used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppliedRates {
    pub mql_to_sal: f64,
    pub sal_to_sql: f64,
    pub sql_to_won: f64,
    pub average_deal_size: f64,
    /// Whether each came from an override (in the order above).
    pub overridden: [bool; 4],
}

/// Whole numbers needed at each stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageNeeds {
    pub customers: u64,
    pub sqls: u64,
    pub sals: u64,
    pub mqls: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    pub rates: AppliedRates,
    /// ceil(revenue goal / average deal size) and the funnel they would take.
    pub total: StageNeeds,
    /// revenue goal x marketing contribution.
    pub marketing_revenue: f64,
    /// ceil(total customers x marketing contribution) and the funnel behind them.
    pub marketing: StageNeeds,
    /// ceil(marketing MQLs / months in the period).
    pub mqls_needed_per_month: u64,
    pub committed_mqls_per_month: u32,
    /// MQLs needed per month - MQLs committed per month: above zero, the contract commits
    /// marketing to fewer MQLs than the goal needs.
    pub gap_per_month: i64,
}

/// Rounds up, forgiving the float error of a division that should be whole (21 / 0.7 is
/// 30.000000000000004 in floating point, and must give 30).
fn whole_up(x: f64) -> u64 {
    let nearest = x.round();
    if (x - nearest).abs() <= 1e-9 * nearest.abs().max(1.0) {
        nearest as u64
    } else {
        x.ceil() as u64
    }
}

fn needs(customers: u64, rates: &AppliedRates) -> StageNeeds {
    let sqls = whole_up(customers as f64 / rates.sql_to_won);
    let sals = whole_up(sqls as f64 / rates.sal_to_sql);
    let mqls = whole_up(sals as f64 / rates.mql_to_sal);
    StageNeeds {
        customers,
        sqls,
        sals,
        mqls,
    }
}

/// The rate to use for one step: the override if given, else the actual; it must be in (0, 1]
/// (or, for the deal size, positive). Errors name the override, the field the planner can fix.
fn pick(
    name: &str,
    actual: Option<f64>,
    given: Option<f64>,
    is_rate: bool,
) -> Result<(f64, bool), PlanningError> {
    let field = format!("overrides.{name}");
    let value = given
        .or(actual)
        .ok_or_else(|| PlanningError::at(&field, "no actual value from the history: give one"))?;
    let valid = value.is_finite() && value > 0.0 && (!is_rate || value <= 1.0);
    if !valid {
        let expected = if is_rate { "in (0, 1]" } else { "positive" };
        let message = match given {
            Some(_) => format!("must be {expected}"),
            None => format!("the actual value {value} is not {expected}: give one"),
        };
        return Err(PlanningError::at(field, message));
    }
    Ok((value, given.is_some()))
}

/// Works the revenue goal back to the MQLs needed and compares them with the contract.
pub fn demand_waterfall(input: &WaterfallInput) -> Result<Waterfall, PlanningError> {
    if !(input.revenue_goal.is_finite() && input.revenue_goal > 0.0) {
        return Err(PlanningError::at("revenueGoal", "must be positive"));
    }
    input.period.validate("period")?;
    if !(0.0..=1.0).contains(&input.marketing_contribution) {
        return Err(PlanningError::at(
            "marketingContribution",
            "must be between 0 and 1",
        ));
    }
    let (a, o) = (&input.actuals, &input.overrides);
    let (mql_to_sal, m) = pick("mqlToSal", a.mql_to_sal, o.mql_to_sal, true)?;
    let (sal_to_sql, s) = pick("salToSql", a.sal_to_sql, o.sal_to_sql, true)?;
    let (sql_to_won, w) = pick("sqlToWon", a.sql_to_won, o.sql_to_won, true)?;
    let (average_deal_size, d) = pick(
        "averageDealSize",
        a.average_deal_size,
        o.average_deal_size,
        false,
    )?;
    let rates = AppliedRates {
        mql_to_sal,
        sal_to_sql,
        sql_to_won,
        average_deal_size,
        overridden: [m, s, w, d],
    };
    let customers = whole_up(input.revenue_goal / average_deal_size);
    let marketing_customers = whole_up(customers as f64 * input.marketing_contribution);
    let marketing = needs(marketing_customers, &rates);
    let mqls_needed_per_month = whole_up(marketing.mqls as f64 / f64::from(input.period.months));
    Ok(Waterfall {
        rates,
        total: needs(customers, &rates),
        marketing_revenue: input.revenue_goal * input.marketing_contribution,
        marketing,
        mqls_needed_per_month,
        committed_mqls_per_month: input.committed_mqls_per_month,
        gap_per_month: mqls_needed_per_month as i64 - i64::from(input.committed_mqls_per_month),
    })
}

/// What a shared goal measures. Every one is higher-is-better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GoalMetric {
    /// Pipeline created from leads sales accepted: the marketing-sourced pipeline (a
    /// marketing-sourced deal passed through SAL on its way).
    SalesAcceptedPipeline,
    /// Revenue won from marketing-sourced deals.
    MarketingSourcedClosedRevenue,
    MarketingInfluencedRevenue,
    ClosedWonRevenue,
    PipelineCreated,
    Mqls,
    Sals,
    MqlAcceptanceRate,
    WinRate,
    /// SLA compliance: sales' lead feedback compliance.
    SlaCompliance,
    /// The open pipeline / target ratio (a target of 3 means 3x).
    PipelineCoverage,
}

impl GoalMetric {
    /// Whether the metric is a share between 0 and 1.
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            GoalMetric::MqlAcceptanceRate | GoalMetric::WinRate | GoalMetric::SlaCompliance
        )
    }

    /// The metric's value in a report over the goal's period.
    pub fn actual(self, m: &SharedMetrics) -> Option<f64> {
        match self {
            GoalMetric::SalesAcceptedPipeline => Some(m.marketing_sourced_pipeline),
            GoalMetric::MarketingSourcedClosedRevenue => Some(m.marketing_sourced_revenue),
            GoalMetric::MarketingInfluencedRevenue => Some(m.marketing_influenced_revenue),
            GoalMetric::ClosedWonRevenue => Some(m.closed_won_revenue),
            GoalMetric::PipelineCreated => Some(m.pipeline_created),
            GoalMetric::Mqls => Some(m.mqls as f64),
            GoalMetric::Sals => Some(m.sals as f64),
            GoalMetric::MqlAcceptanceRate => m.mql_acceptance_rate,
            GoalMetric::WinRate => m.win_rate,
            GoalMetric::SlaCompliance => m.sla_compliance,
            GoalMetric::PipelineCoverage => m.coverage.as_ref().map(|c| c.ratio),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Team {
    Marketing,
    Sales,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalOwner {
    pub member_id: Uuid,
    pub team: Team,
}

/// A goal both teams own.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub metric: GoalMetric,
    pub target: f64,
    pub period: Period,
    pub owners: Vec<GoalOwner>,
}

impl Goal {
    /// A positive target (at most 1 for a rate), a period, and an owner from each team.
    pub fn validate(&self) -> Result<(), PlanningError> {
        if !(self.target.is_finite() && self.target > 0.0) {
            return Err(PlanningError::at("target", "must be positive"));
        }
        if self.metric.is_rate() && self.target > 1.0 {
            return Err(PlanningError::at(
                "target",
                "is a share: at most 1 (0.8 for 80%)",
            ));
        }
        self.period.validate("period")?;
        let has = |team| self.owners.iter().any(|o| o.team == team);
        if !(has(Team::Marketing) && has(Team::Sales)) {
            return Err(PlanningError::at(
                "owners",
                "a shared goal needs an owner from marketing and one from sales",
            ));
        }
        Ok(())
    }

    /// The goal's actual value and attainment in a report over its period.
    pub fn progress(&self, m: &SharedMetrics) -> GoalProgress {
        let actual = self.metric.actual(m);
        GoalProgress {
            actual,
            attainment: actual.and_then(|a| attainment(a, self.target)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalProgress {
    pub actual: Option<f64>,
    /// actual / target.
    pub attainment: Option<f64>,
}

/// actual / target (1.0 is on target, above it beyond); `None` unless the target is positive.
pub fn attainment(actual: f64, target: f64) -> Option<f64> {
    (target.is_finite() && target > 0.0).then(|| actual / target)
}

/// Whether a goal is behind its period: its attainment (so far) is below the share of the
/// period already gone by at `as_of`. A goal whose period has not started, or with no
/// attainment to compare (no positive target, a rate with nothing to divide), is not at risk.
pub fn at_risk(
    period: &Period,
    attainment: Option<f64>,
    as_of: chrono::DateTime<chrono::Utc>,
) -> bool {
    let range = period.range();
    let Some(attainment) = attainment else {
        return false;
    };
    if as_of <= range.from {
        return false;
    }
    let whole = (range.to - range.from).num_seconds().max(1) as f64;
    let gone = ((as_of - range.from).num_seconds() as f64 / whole).min(1.0);
    attainment < gone
}

#[cfg(test)]
mod tests;
