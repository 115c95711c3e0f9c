//! The waterfall and goals, worked by hand.

use super::super::metrics::fixture::{self, date};
use super::super::metrics::{metrics, CoverageTarget, MetricsQuery, Range};
use super::*;

fn input() -> WaterfallInput {
    WaterfallInput {
        revenue_goal: 1_200_000.0,
        period: Period {
            start: date(1, 1),
            months: 12,
        },
        marketing_contribution: 0.4,
        actuals: ConversionRates {
            mql_to_sal: Some(0.8),
            sal_to_sql: Some(0.5),
            sql_to_won: Some(0.25),
            average_deal_size: Some(25_000.0),
        },
        overrides: ConversionRates::default(),
        committed_mqls_per_month: 15,
    }
}

#[test]
fn from_a_year_of_revenue_back_to_monthly_mqls() {
    let w = demand_waterfall(&input()).unwrap();
    // 1,200,000 / 25,000 = 48 customers; marketing's 40% is 19.2, so 20.
    // Marketing: 20 / 0.25 = 80 SQLs, 80 / 0.5 = 160 SALs, 160 / 0.8 = 200 MQLs.
    assert_eq!(
        w.marketing,
        StageNeeds {
            customers: 20,
            sqls: 80,
            sals: 160,
            mqls: 200
        }
    );
    // All 48 through the funnel: 192 SQLs, 384 SALs, 480 MQLs.
    assert_eq!(
        w.total,
        StageNeeds {
            customers: 48,
            sqls: 192,
            sals: 384,
            mqls: 480
        }
    );
    assert_eq!(w.marketing_revenue, 480_000.0);
    // 200 / 12 = 16.7, so 17 a month against 15 committed: 2 short.
    assert_eq!(w.mqls_needed_per_month, 17);
    assert_eq!(w.committed_mqls_per_month, 15);
    assert_eq!(w.gap_per_month, 2);
    assert_eq!(w.rates.overridden, [false; 4]);
}

#[test]
fn overrides_replace_actuals() {
    let mut input = input();
    input.overrides.average_deal_size = Some(30_000.0);
    let w = demand_waterfall(&input).unwrap();
    // 1,200,000 / 30,000 = 40 customers, 40% = 16; 16 / 0.25 = 64 SQLs, 128 SALs, 160 MQLs.
    assert_eq!(w.marketing.mqls, 160);
    // 160 / 12 = 13.3, so 14 a month: one fewer than the 15 committed.
    assert_eq!(w.mqls_needed_per_month, 14);
    assert_eq!(w.gap_per_month, -1);
    assert_eq!(w.rates.overridden, [false, false, false, true]);
    assert_eq!(w.rates.average_deal_size, 30_000.0);
}

#[test]
fn whole_divisions_are_not_rounded_past() {
    let input = WaterfallInput {
        revenue_goal: 210_000.0,
        marketing_contribution: 1.0,
        actuals: ConversionRates {
            mql_to_sal: Some(0.5),
            sal_to_sql: Some(0.5),
            sql_to_won: Some(0.7),
            average_deal_size: Some(10_000.0),
        },
        ..input()
    };
    // 21 customers / 0.7 is 30 SQLs (30.000000000000004 in floating point, whose ceiling is
    // 31); then 60 SALs and 120 MQLs.
    assert_eq!((21.0f64 / 0.7).ceil(), 31.0);
    let w = demand_waterfall(&input).unwrap();
    assert_eq!(
        w.marketing,
        StageNeeds {
            customers: 21,
            sqls: 30,
            sals: 60,
            mqls: 120
        }
    );
    assert_eq!(whole_up(19.2), 20);
    assert_eq!(whole_up(0.0), 0);
}

#[test]
fn no_marketing_contribution_needs_no_mqls() {
    let mut input = input();
    input.marketing_contribution = 0.0;
    let w = demand_waterfall(&input).unwrap();
    assert_eq!(w.marketing.mqls, 0);
    assert_eq!(w.gap_per_month, -15);
}

#[test]
fn bad_inputs_name_the_field() {
    let field = |change: &dyn Fn(&mut WaterfallInput)| {
        let mut input = input();
        change(&mut input);
        demand_waterfall(&input).unwrap_err()
    };
    assert_eq!(field(&|i| i.revenue_goal = 0.0).field, "revenueGoal");
    assert_eq!(field(&|i| i.revenue_goal = f64::NAN).field, "revenueGoal");
    assert_eq!(field(&|i| i.period.months = 0).field, "period.months");
    assert_eq!(
        field(&|i| i.marketing_contribution = 1.5).field,
        "marketingContribution"
    );
    let missing = field(&|i| i.actuals.sql_to_won = None);
    assert_eq!(missing.field, "overrides.sqlToWon");
    let too_high = field(&|i| i.overrides.mql_to_sal = Some(1.2));
    assert_eq!(too_high.field, "overrides.mqlToSal");
    assert_eq!(too_high.message, "must be in (0, 1]");
    let zero = field(&|i| i.overrides.sal_to_sql = Some(0.0));
    assert_eq!(zero.field, "overrides.salToSql");
    // An actual flow ratio above 1 (more SQLs than SALs in the window) must be overridden.
    let actual = field(&|i| i.actuals.sal_to_sql = Some(1.5));
    assert_eq!(actual.field, "overrides.salToSql");
    assert_eq!(
        actual.message,
        "the actual value 1.5 is not in (0, 1]: give one"
    );
    assert_eq!(
        field(&|i| i.overrides.average_deal_size = Some(-5.0)).field,
        "overrides.averageDealSize"
    );
    // A rate of exactly 1 is allowed.
    let mut input = input();
    input.overrides.mql_to_sal = Some(1.0);
    assert_eq!(demand_waterfall(&input).unwrap().marketing.mqls, 160);
}

fn march() -> SharedMetrics {
    let query = MetricsQuery {
        range: Range::month_of(date(3, 1)),
        group_by: None,
        as_of: fixture::at(4, 1, 0, 0),
        coverage: Some(CoverageTarget::new(60_000.0)),
    };
    metrics(&fixture::facts(), &query).unwrap().total
}

#[test]
fn actual_rates_from_the_history() {
    // The fixture's March: 6 MQLs, 4 SALs, 2 SQLs, 2 deals won for 50,000.
    let rates = ConversionRates::from_metrics(&march());
    assert_eq!(rates.mql_to_sal, Some(4.0 / 6.0));
    assert_eq!(rates.sal_to_sql, Some(0.5));
    assert_eq!(rates.sql_to_won, Some(1.0));
    assert_eq!(rates.average_deal_size, Some(25_000.0));
    assert_eq!(
        ConversionRates::from_metrics(&SharedMetrics::default()),
        ConversionRates::default()
    );
}

fn owners() -> Vec<GoalOwner> {
    vec![
        GoalOwner {
            member_id: Uuid::now_v7(),
            team: Team::Marketing,
        },
        GoalOwner {
            member_id: Uuid::now_v7(),
            team: Team::Sales,
        },
    ]
}

fn goal(metric: GoalMetric, target: f64) -> Goal {
    Goal {
        metric,
        target,
        period: Period {
            start: date(3, 1),
            months: 1,
        },
        owners: owners(),
    }
}

#[test]
fn goals_and_attainment() {
    let m = march();
    // Sales-accepted (marketing-sourced) pipeline in March: O1's 30,000 of a 40,000 target.
    let pipeline = goal(GoalMetric::SalesAcceptedPipeline, 40_000.0);
    assert!(pipeline.validate().is_ok());
    assert_eq!(
        pipeline.progress(&m),
        GoalProgress {
            actual: Some(30_000.0),
            attainment: Some(0.75)
        }
    );
    // Marketing-sourced closed revenue: O1's 30,000 of 20,000: 150%.
    let revenue = goal(GoalMetric::MarketingSourcedClosedRevenue, 20_000.0).progress(&m);
    assert_eq!(revenue.attainment, Some(1.5));
    // MQL acceptance 4/6 against 0.8: (2/3) / 0.8 = 0.8333.
    let acceptance = goal(GoalMetric::MqlAcceptanceRate, 0.8).progress(&m);
    assert!((acceptance.attainment.unwrap() - (2.0 / 3.0) / 0.8).abs() < 1e-12);
    // Coverage 220,000 / 60,000 = 3.667x against 3x: 1.222.
    let coverage = goal(GoalMetric::PipelineCoverage, 3.0).progress(&m);
    assert!((coverage.attainment.unwrap() - 220_000.0 / 60_000.0 / 3.0).abs() < 1e-12);
    // No SLA clock in an empty report: no actual, no attainment.
    let empty = goal(GoalMetric::SlaCompliance, 0.9).progress(&SharedMetrics::default());
    assert_eq!(
        empty,
        GoalProgress {
            actual: None,
            attainment: None
        }
    );
    assert_eq!(attainment(5.0, 0.0), None);
    assert_eq!(attainment(0.0, 10.0), Some(0.0));
}

#[test]
fn goals_are_validated() {
    let err = |g: Goal| g.validate().unwrap_err().field;
    assert_eq!(err(goal(GoalMetric::Mqls, 0.0)), "target");
    assert_eq!(err(goal(GoalMetric::WinRate, 25.0)), "target");
    let mut no_period = goal(GoalMetric::Mqls, 100.0);
    no_period.period.months = 0;
    assert_eq!(err(no_period), "period.months");
    let mut marketing_only = goal(GoalMetric::Mqls, 100.0);
    marketing_only.owners.pop();
    assert_eq!(err(marketing_only), "owners");
}

#[test]
fn periods_are_whole_months() {
    let quarter = Period {
        start: date(3, 15),
        months: 3,
    };
    let range = quarter.range();
    assert_eq!(range.from, fixture::at(3, 1, 0, 0));
    assert_eq!(range.to, fixture::at(6, 1, 0, 0));
}

#[test]
fn a_goal_is_at_risk_when_its_attainment_trails_the_period_gone_by() {
    use chrono::TimeZone;
    let march = Period {
        start: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
        months: 1,
    };
    let mid_march = chrono::Utc.with_ymd_and_hms(2027, 3, 16, 12, 0, 0).unwrap();
    // Half the month gone: 30% is behind, 60% is ahead.
    assert!(at_risk(&march, Some(0.3), mid_march));
    assert!(!at_risk(&march, Some(0.6), mid_march));
    // Not started yet, or nothing to compare: not at risk.
    let february = chrono::Utc.with_ymd_and_hms(2027, 2, 20, 0, 0, 0).unwrap();
    assert!(!at_risk(&march, Some(0.0), february));
    assert!(!at_risk(&march, None, mid_march));
    // After the period, anything short of the target is behind.
    let april = chrono::Utc.with_ymd_and_hms(2027, 4, 10, 0, 0, 0).unwrap();
    assert!(at_risk(&march, Some(0.99), april));
    assert!(!at_risk(&march, Some(1.0), april));
}
