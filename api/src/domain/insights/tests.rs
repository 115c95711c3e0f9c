//! The analysis of twelve hand-built deals, every expected number worked out by hand below.
//!
//! | # | industry   | emp  | revenue | region | amount | days | won | lifecycle | ICP |
//! |---|------------|------|---------|--------|--------|------|-----|-----------|-----|
//! | 1 | Software   | 400  | $20M    | NA     | 30k    | 30   | yes | CUSTOMER  | yes |
//! | 2 | Software   | 800  | $40M    | NA     | 50k    | 60   | yes | CUSTOMER  | yes |
//! | 3 | Software   | 250  | $5M     | EMEA   | 20k    | 45   | no  | PROSPECT  | yes |
//! | 4 | Software   | 1500 | $120M   | NA     | 80k    | 90   | yes | CHURNED   | yes |
//! | 5 | Healthcare | 60   | $8M     | NA     | 15k    | 20   | yes | CUSTOMER  | no  |
//! | 6 | Healthcare | 120  | $9M     | EMEA   | 25k    | 40   | yes | CUSTOMER  | no  |
//! | 7 | Healthcare | 150  | $0.5M   | NA     | 10k    | 30   | no  | PROSPECT  | no  |
//! | 8 | Retail     | 3000 | $300M   | EMEA   | 60k    | 100  | no  | -         | yes |
//! | 9 | Retail     | 2000 | $200M   | EMEA   | 40k    | 80   | no  | -         | yes |
//! | 10| Retail     | 6000 | $500M   | APAC   | 100k   | 120  | no  | -         | yes |
//! | 11| Fintech    | 500  | $30M    | APAC   | 45k    | 50   | yes | CHURNED   | yes |
//! | 12| -          | -    | -       | -      | 5k     | 10   | yes | -         | no  |
//!
//! Overall: 12 deals, 7 won (1, 2, 4, 5, 6, 11, 12): win rate 7/12. Won amounts sorted 5, 15,
//! 25, 30, 45, 50, 80k: median 30k; won cycles 10, 20, 30, 40, 50, 60, 90: median 40. Won
//! deals with a customer or churned account: 1, 2, 5, 6 stayed, 4 and 11 left: 4/6. In the
//! ICP: 8 of 12.
//!
//! With `min_deals` 3 the drift is, in segment order: Healthcare wins 2/3 >= 7/12 with no deal
//! in the ICP; Retail wins 0 < 7/24 all inside it; 1000-4999 kept 0/1 of its won customers
//! (its win rate 1/3 is above 7/24, so it is not losing); 50-199 is Healthcare's deals again;
//! $1M-$10M wins 2/3 with 1/3 in the ICP; EMEA wins 1/4 < 7/24 with 3/4 in the ICP.
//! Software, 200-999, $10M-$50M and North America (win rate 4/5, 3/5 in the ICP, 3/4 kept)
//! hold no surprise.

use chrono::{TimeDelta, TimeZone};

use super::*;
use crate::domain::criteria::Criteria;
use crate::domain::views::AccountView;

/// One row of the table above, in its column order.
#[allow(clippy::too_many_arguments)]
fn deal(
    industry: Option<&str>,
    employees: Option<i64>,
    revenue_millions: Option<f64>,
    region: Option<&str>,
    amount_thousands: f64,
    days: i64,
    won: bool,
    lifecycle: Option<&str>,
    in_icp: bool,
) -> ClosedDeal {
    let created_at = Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap();
    ClosedDeal {
        industry: industry.map(str::to_owned),
        employees,
        annual_revenue: revenue_millions.map(|m| m * 1e6),
        region: region.map(str::to_owned),
        amount: amount_thousands * 1e3,
        created_at,
        closed_at: created_at + TimeDelta::days(days),
        won,
        account_lifecycle: lifecycle.map(str::to_owned),
        in_icp,
    }
}

fn fixture() -> Vec<ClosedDeal> {
    let (c, x, p) = (Some("CUSTOMER"), Some("CHURNED"), Some("PROSPECT"));
    let (sw, hc, rt, ft) = (
        Some("Software"),
        Some("Healthcare"),
        Some("Retail"),
        Some("Fintech"),
    );
    let (na, emea, apac) = (Some("North America"), Some("EMEA"), Some("APAC"));
    vec![
        deal(sw, Some(400), Some(20.0), na, 30.0, 30, true, c, true),
        deal(sw, Some(800), Some(40.0), na, 50.0, 60, true, c, true),
        deal(sw, Some(250), Some(5.0), emea, 20.0, 45, false, p, true),
        deal(sw, Some(1500), Some(120.0), na, 80.0, 90, true, x, true),
        deal(hc, Some(60), Some(8.0), na, 15.0, 20, true, c, false),
        deal(hc, Some(120), Some(9.0), emea, 25.0, 40, true, c, false),
        deal(hc, Some(150), Some(0.5), na, 10.0, 30, false, p, false),
        deal(
            rt,
            Some(3000),
            Some(300.0),
            emea,
            60.0,
            100,
            false,
            None,
            true,
        ),
        deal(
            rt,
            Some(2000),
            Some(200.0),
            emea,
            40.0,
            80,
            false,
            None,
            true,
        ),
        deal(
            rt,
            Some(6000),
            Some(500.0),
            apac,
            100.0,
            120,
            false,
            None,
            true,
        ),
        deal(ft, Some(500), Some(30.0), apac, 45.0, 50, true, x, true),
        deal(None, None, None, None, 5.0, 10, true, None, false),
    ]
}

/// A segment's numbers as one comparable row: name, deals, won, win rate, median size (in
/// thousands), median cycle, retained share, ICP share.
type Row<'a> = (
    &'a str,
    usize,
    usize,
    f64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    f64,
);

fn row(s: &SegmentStats) -> Row<'_> {
    (
        &s.segment,
        s.deals,
        s.won,
        s.win_rate,
        s.median_deal_size.map(|a| a / 1e3),
        s.median_cycle_days,
        s.retained_share,
        s.in_icp_share,
    )
}

fn assert_segments(insights: &Insights, dimension: Dimension, expected: &[Row<'_>]) {
    let actual: Vec<Row<'_>> = insights
        .segments
        .iter()
        .filter(|s| s.dimension == dimension)
        .map(row)
        .collect();
    assert_eq!(actual, expected, "{dimension:?}");
}

#[test]
fn overall_numbers() {
    let insights = analyze(&fixture(), 3);
    let o = &insights.overall;
    assert_eq!((o.dimension, o.segment.as_str()), (Dimension::Overall, ALL));
    assert_eq!((o.deals, o.won, o.lost), (12, 7, 5));
    assert_eq!(o.win_rate, 7.0 / 12.0);
    assert_eq!(o.median_deal_size, Some(30_000.0));
    assert_eq!(o.median_cycle_days, Some(40.0));
    assert_eq!(o.retained_share, Some(4.0 / 6.0));
    assert_eq!(o.in_icp_share, 8.0 / 12.0);
}

#[test]
fn segments_by_industry() {
    // Healthcare's won sizes 15k and 25k and cycles 20 and 40 average to 20k and 30 days.
    assert_segments(
        &analyze(&fixture(), 3),
        Dimension::Industry,
        &[
            (
                "Software",
                4,
                3,
                0.75,
                Some(50.0),
                Some(60.0),
                Some(2.0 / 3.0),
                1.0,
            ),
            (
                "Healthcare",
                3,
                2,
                2.0 / 3.0,
                Some(20.0),
                Some(30.0),
                Some(1.0),
                0.0,
            ),
            ("Retail", 3, 0, 0.0, None, None, None, 1.0),
            ("Fintech", 1, 1, 1.0, Some(45.0), Some(50.0), Some(0.0), 1.0),
            (UNKNOWN, 1, 1, 1.0, Some(5.0), Some(10.0), None, 0.0),
        ],
    );
}

#[test]
fn segments_by_employee_band() {
    // Ties on deal count sort by name: "1000-4999" before "50-199", "5000+" before "Unknown".
    assert_segments(
        &analyze(&fixture(), 3),
        Dimension::EmployeeBand,
        &[
            (
                "200-999",
                4,
                3,
                0.75,
                Some(45.0),
                Some(50.0),
                Some(2.0 / 3.0),
                1.0,
            ),
            (
                "1000-4999",
                3,
                1,
                1.0 / 3.0,
                Some(80.0),
                Some(90.0),
                Some(0.0),
                1.0,
            ),
            (
                "50-199",
                3,
                2,
                2.0 / 3.0,
                Some(20.0),
                Some(30.0),
                Some(1.0),
                0.0,
            ),
            ("5000+", 1, 0, 0.0, None, None, None, 1.0),
            (UNKNOWN, 1, 1, 1.0, Some(5.0), Some(10.0), None, 0.0),
        ],
    );
}

#[test]
fn segments_by_revenue_band() {
    assert_segments(
        &analyze(&fixture(), 3),
        Dimension::RevenueBand,
        &[
            (
                "$10M-$50M",
                3,
                3,
                1.0,
                Some(45.0),
                Some(50.0),
                Some(2.0 / 3.0),
                1.0,
            ),
            (
                "$1M-$10M",
                3,
                2,
                2.0 / 3.0,
                Some(20.0),
                Some(30.0),
                Some(1.0),
                1.0 / 3.0,
            ),
            ("$250M+", 2, 0, 0.0, None, None, None, 1.0),
            (
                "$50M-$250M",
                2,
                1,
                0.5,
                Some(80.0),
                Some(90.0),
                Some(0.0),
                1.0,
            ),
            ("<$1M", 1, 0, 0.0, None, None, None, 0.0),
            (UNKNOWN, 1, 1, 1.0, Some(5.0), Some(10.0), None, 0.0),
        ],
    );
}

#[test]
fn segments_by_region() {
    // North America's won sizes 15, 30, 50, 80k and cycles 20, 30, 60, 90 have even counts.
    assert_segments(
        &analyze(&fixture(), 3),
        Dimension::Region,
        &[
            (
                "North America",
                5,
                4,
                0.8,
                Some(40.0),
                Some(45.0),
                Some(0.75),
                0.6,
            ),
            ("EMEA", 4, 1, 0.25, Some(25.0), Some(40.0), Some(1.0), 0.75),
            ("APAC", 2, 1, 0.5, Some(45.0), Some(50.0), Some(0.0), 1.0),
            (UNKNOWN, 1, 1, 1.0, Some(5.0), Some(10.0), None, 0.0),
        ],
    );
}

fn drift_found(insights: &Insights) -> Vec<(DriftKind, Dimension, &str)> {
    insights
        .drift
        .iter()
        .map(|d| (d.kind, d.dimension, d.segment.as_str()))
        .collect()
}

#[test]
fn drift_in_segments_with_enough_deals() {
    use Dimension::*;
    use DriftKind::*;
    let insights = analyze(&fixture(), 3);
    assert_eq!(
        drift_found(&insights),
        [
            (WinningOutsideIcp, Industry, "Healthcare"),
            (LosingInsideIcp, Industry, "Retail"),
            (ChurningInsideIcp, EmployeeBand, "1000-4999"),
            (WinningOutsideIcp, EmployeeBand, "50-199"),
            (WinningOutsideIcp, RevenueBand, "$1M-$10M"),
            (LosingInsideIcp, Region, "EMEA"),
        ]
    );
    let healthcare = &insights.drift[0];
    assert_eq!(
        (healthcare.win_rate, healthcare.overall_win_rate),
        (2.0 / 3.0, 7.0 / 12.0)
    );
    assert_eq!(
        healthcare.message,
        "Healthcare (industry) wins 67% of its deals against 58% overall, \
         yet only 0% of them were in the ICP: consider adding it."
    );
    assert_eq!(
        insights.drift[1].message,
        "Retail (industry) wins 0% of its deals against 58% overall, \
         although 100% of them were in the ICP: check that it belongs."
    );
    assert_eq!(
        insights.drift[2].message,
        "1000-4999 (company size) kept 0% of its won customers, although 100% of its deals \
         were in the ICP: tag the retention risk or keep it for the expand ICP."
    );
}

#[test]
fn smaller_segments_drift_too_when_the_threshold_allows() {
    use Dimension::*;
    use DriftKind::*;
    let insights = analyze(&fixture(), 1);
    let found = drift_found(&insights);
    assert_eq!(found.len(), 15);
    for extra in [
        (ChurningInsideIcp, Industry, "Fintech"),
        (WinningOutsideIcp, Industry, UNKNOWN),
        (LosingInsideIcp, EmployeeBand, "5000+"),
        (LosingInsideIcp, RevenueBand, "$250M+"),
        (ChurningInsideIcp, RevenueBand, "$50M-$250M"),
        (ChurningInsideIcp, Region, "APAC"),
    ] {
        assert!(found.contains(&extra), "{extra:?}");
    }
    // "<$1M" lost its only deal: outside the ICP, but not winning.
    assert!(!found.iter().any(|(_, _, segment)| *segment == "<$1M"));
}

#[test]
fn proposals_admit_the_segments_winning_outside_the_icp() {
    let insights = analyze(&fixture(), 3);
    let proposals: Vec<(Dimension, &Value)> = insights
        .proposals
        .iter()
        .map(|p| (p.dimension, &p.criteria))
        .collect();
    assert_eq!(
        proposals,
        [
            (
                Dimension::Industry,
                &json!({"field": "account.industry", "op": "IN", "value": ["Healthcare"]})
            ),
            (
                Dimension::EmployeeBand,
                &json!({"field": "account.employees", "op": "BETWEEN", "value": [50, 199]})
            ),
            (
                Dimension::RevenueBand,
                &json!({"all": [
                    {"field": "account.annualRevenue", "op": "GTE", "value": 1_000_000},
                    {"field": "account.annualRevenue", "op": "LT", "value": 10_000_000},
                ]})
            ),
        ]
    );
    assert_eq!(
        insights.proposals[0].description,
        "Add industry Healthcare to the ICP: won at least as often as average while mostly \
         outside it."
    );

    // Every proposal is valid criteria, met by the accounts of the deals it was drawn from.
    let healthcare_deal = AccountView {
        industry: Some("Healthcare".into()),
        employees: Some(120),
        annual_revenue: Some(9e6),
        ..AccountView::default()
    };
    for proposal in &insights.proposals {
        let criteria = Criteria::parse(&proposal.criteria).unwrap_or_else(|e| panic!("{e}"));
        assert!(criteria.evaluate(&healthcare_deal), "{criteria}");
        assert!(!criteria.evaluate(&AccountView::default()), "{criteria}");
    }
}

#[test]
fn unknown_segments_are_never_proposed() {
    // With every segment eligible, the unknowns win outside the ICP too, but the proposals
    // are the same: "add accounts we know nothing about" is not a criterion.
    let strict = analyze(&fixture(), 3);
    let loose = analyze(&fixture(), 1);
    assert_eq!(loose.proposals, strict.proposals);
}

#[test]
fn one_proposal_lists_every_winning_segment_of_its_dimension() {
    let mut deals = fixture();
    // A second winning industry outside the ICP, also in a winning new region.
    for _ in 0..3 {
        deals.push(deal(
            Some("Logistics"),
            Some(400),
            Some(20.0),
            Some("LATAM"),
            30.0,
            30,
            true,
            Some("CUSTOMER"),
            false,
        ));
    }
    let insights = analyze(&deals, 3);
    let industry = &insights.proposals[0];
    assert_eq!(
        industry.criteria,
        json!({"field": "account.industry", "op": "IN", "value": ["Healthcare", "Logistics"]})
    );
    let region = insights.proposals.last().unwrap();
    assert_eq!(
        region.criteria,
        json!({"field": "account.region", "op": "IN", "value": ["LATAM"]})
    );
}

#[test]
fn no_deals_means_no_findings() {
    let insights = analyze(&[], 0);
    assert_eq!(
        (insights.overall.deals, insights.overall.win_rate),
        (0, 0.0)
    );
    assert_eq!(insights.overall.median_deal_size, None);
    assert_eq!(insights.overall.retained_share, None);
    assert!(insights.segments.is_empty() && insights.drift.is_empty());
    assert!(insights.proposals.is_empty());
}

#[test]
fn blank_attributes_count_as_unknown_and_cycles_keep_fractions() {
    let mut blank = deal(
        Some("  "),
        Some(0),
        Some(-1.0),
        Some(""),
        1.0,
        1,
        true,
        None,
        false,
    );
    blank.closed_at += TimeDelta::hours(12);
    let insights = analyze(&[blank], 0);
    assert!(insights.segments.iter().all(|s| s.segment == UNKNOWN));
    assert_eq!(insights.segments.len(), 4);
    assert_eq!(insights.overall.median_cycle_days, Some(1.5));
}

#[test]
fn medians_average_the_two_middle_values() {
    assert_eq!(median(vec![]), None);
    assert_eq!(median(vec![3.0]), Some(3.0));
    assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(vec![5.0, 1.0, 9.0]), Some(5.0));
}
