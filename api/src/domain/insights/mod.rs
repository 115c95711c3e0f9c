//! Closed-won analysis ("icpInsights"): the ICP as the deals say it is, not as the deck says.
//!
//! The seed's step 1 builds the ICP from the last 24 months of closed deals, segmented by deal
//! size, cycle length and retention. This module does the segmenting and then looks for drift:
//! segments the current ICP leaves out although they win, and segments it keeps although they
//! lose or churn. Choosing the deals (the 24 months, the ICP they were checked against) is
//! the caller's job; everything here is arithmetic on what it is given.

mod bands;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use bands::{bands_criteria, employee_band, revenue_band, Values, EMPLOYEE_BANDS, REVENUE_BANDS};

/// The segment of deals whose attribute is missing: shown, so gaps in the data are visible,
/// but never proposed as ICP criteria.
pub const UNKNOWN: &str = "Unknown";
/// The segment name of [`Insights::overall`].
pub const ALL: &str = "All";

/// A segment is "in the ICP" when at least this share of its deals was.
const ICP_MAJORITY: f64 = 0.5;
/// An ICP segment "loses" below this fraction of the overall win rate.
const LOSING_RATIO: f64 = 0.5;
/// An ICP segment "churns" when fewer of its won customers than this stayed. The seed's
/// cautionary segment kept 30%; flagging below 60% catches it well before it gets there.
const RETENTION_FLOOR: f64 = 0.6;

/// A deal that closed, won or lost, with its account's attributes as of the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedDeal {
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub annual_revenue: Option<f64>,
    pub region: Option<String>,
    pub amount: f64,
    pub created_at: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
    pub won: bool,
    /// The account's lifecycle now: `CUSTOMER`, `CHURNED`, ...; it tells retention.
    pub account_lifecycle: Option<String>,
    /// Whether the account met the ICP the analysis compares against.
    pub in_icp: bool,
}

/// How deals are segmented. Declaration order is the order segments are reported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Industry,
    EmployeeBand,
    RevenueBand,
    Region,
    /// Only for [`Insights::overall`]: every deal, in one segment named [`ALL`].
    Overall,
}

impl Dimension {
    /// The dimensions deals are segmented by.
    pub const SEGMENTED: [Dimension; 4] = [
        Dimension::Industry,
        Dimension::EmployeeBand,
        Dimension::RevenueBand,
        Dimension::Region,
    ];

    /// The dimension in words, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Industry => "industry",
            Dimension::EmployeeBand => "company size",
            Dimension::RevenueBand => "annual revenue",
            Dimension::Region => "region",
            Dimension::Overall => "all deals",
        }
    }

    fn segment_of(self, deal: &ClosedDeal) -> &str {
        match self {
            Dimension::Industry => text_segment(&deal.industry),
            Dimension::Region => text_segment(&deal.region),
            Dimension::EmployeeBand => deal.employees.map_or(UNKNOWN, employee_band),
            Dimension::RevenueBand => deal.annual_revenue.map_or(UNKNOWN, revenue_band),
            Dimension::Overall => ALL,
        }
    }
}

/// Free text as entered, trimmed; blank means unknown.
fn text_segment(value: &Option<String>) -> &str {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(UNKNOWN)
}

/// The numbers of one segment. Deal size, cycle and retention describe won deals only: they
/// are what "closed fast, paid well and stayed" means.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentStats {
    pub dimension: Dimension,
    pub segment: String,
    pub deals: usize,
    pub won: usize,
    pub lost: usize,
    /// `won / deals`; 0 without deals.
    pub win_rate: f64,
    pub median_deal_size: Option<f64>,
    /// Days from creation to close, fractional.
    pub median_cycle_days: Option<f64>,
    /// Among won deals whose account is now a customer or churned, the customers' share;
    /// `None` when no won account has reached either state yet.
    pub retained_share: Option<f64>,
    /// The share of the segment's deals whose account was in the ICP.
    pub in_icp_share: f64,
}

/// A way the ICP and the deals disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriftKind {
    /// Mostly outside the ICP, yet winning at least as often as average.
    WinningOutsideIcp,
    /// Mostly inside the ICP, yet winning at less than half the average rate.
    LosingInsideIcp,
    /// Mostly inside the ICP, yet its customers leave.
    ChurningInsideIcp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub kind: DriftKind,
    pub dimension: Dimension,
    pub segment: String,
    pub win_rate: f64,
    pub overall_win_rate: f64,
    pub retained_share: Option<f64>,
    /// One sentence for the revenue review.
    pub message: String,
}

/// A suggested ICP criterion, in the criteria language's JSON, ready for `updateIcp`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub dimension: Dimension,
    pub description: String,
    pub criteria: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    pub overall: SegmentStats,
    /// By dimension, then most deals first, then by name.
    pub segments: Vec<SegmentStats>,
    /// In segment order, then kind order.
    pub drift: Vec<Drift>,
    /// At most one per dimension, in dimension order.
    pub proposals: Vec<Proposal>,
}

/// Segments `deals` by each dimension and reports drift for segments of at least `min_deals`
/// deals: a handful of deals proves nothing, and the threshold is the caller's to choose.
pub fn analyze(deals: &[ClosedDeal], min_deals: usize) -> Insights {
    let all: Vec<&ClosedDeal> = deals.iter().collect();
    let overall = stats(Dimension::Overall, ALL, &all);

    let mut segments = Vec::new();
    for dimension in Dimension::SEGMENTED {
        let mut groups: BTreeMap<&str, Vec<&ClosedDeal>> = BTreeMap::new();
        for deal in deals {
            groups
                .entry(dimension.segment_of(deal))
                .or_default()
                .push(deal);
        }
        segments.extend(
            groups
                .iter()
                .map(|(segment, group)| stats(dimension, segment, group)),
        );
    }
    // `deals` is compared the other way round: most deals first.
    segments.sort_by(|a, b| {
        (a.dimension, b.deals, &a.segment).cmp(&(b.dimension, a.deals, &b.segment))
    });

    let drift: Vec<Drift> = segments
        .iter()
        .filter(|s| s.deals >= min_deals)
        // A segment holding every deal says nothing the overall figures do not.
        .filter(|s| s.deals < overall.deals)
        .flat_map(|s| drift_of(s, overall.win_rate))
        .collect();
    let proposals = proposals(&drift);
    Insights {
        overall,
        segments,
        drift,
        proposals,
    }
}

fn stats(dimension: Dimension, segment: &str, deals: &[&ClosedDeal]) -> SegmentStats {
    let won: Vec<&ClosedDeal> = deals.iter().copied().filter(|d| d.won).collect();
    let lifecycle_count = |state: &str| {
        won.iter()
            .filter(|d| {
                d.account_lifecycle
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(state))
            })
            .count()
    };
    let (customers, churned) = (lifecycle_count("CUSTOMER"), lifecycle_count("CHURNED"));
    let in_icp = deals.iter().filter(|d| d.in_icp).count();
    SegmentStats {
        dimension,
        segment: segment.to_owned(),
        deals: deals.len(),
        won: won.len(),
        lost: deals.len() - won.len(),
        win_rate: share(won.len(), deals.len()),
        median_deal_size: median(won.iter().map(|d| d.amount).collect()),
        median_cycle_days: median(won.iter().map(|d| cycle_days(d)).collect()),
        retained_share: (customers + churned > 0).then(|| share(customers, customers + churned)),
        in_icp_share: share(in_icp, deals.len()),
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The middle value; with an even count, the mean of the two middle values.
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[mid]),
        _ => Some((values[mid - 1] + values[mid]) / 2.0),
    }
}

fn cycle_days(deal: &ClosedDeal) -> f64 {
    (deal.closed_at - deal.created_at).num_seconds() as f64 / 86_400.0
}

fn drift_of(s: &SegmentStats, overall_win_rate: f64) -> impl Iterator<Item = Drift> + '_ {
    let in_icp = s.in_icp_share >= ICP_MAJORITY;
    // A segment without a single win is not "winning", even when nothing else wins either.
    let winning_outside = !in_icp && s.won > 0 && s.win_rate >= overall_win_rate;
    let losing_inside = in_icp && s.win_rate < LOSING_RATIO * overall_win_rate;
    let churning_inside = in_icp && s.retained_share.is_some_and(|r| r < RETENTION_FLOOR);
    [
        (DriftKind::WinningOutsideIcp, winning_outside),
        (DriftKind::LosingInsideIcp, losing_inside),
        (DriftKind::ChurningInsideIcp, churning_inside),
    ]
    .into_iter()
    .filter(|(_, found)| *found)
    .map(move |(kind, _)| Drift {
        kind,
        dimension: s.dimension,
        segment: s.segment.clone(),
        win_rate: s.win_rate,
        overall_win_rate,
        retained_share: s.retained_share,
        message: message(kind, s, overall_win_rate),
    })
}

fn message(kind: DriftKind, s: &SegmentStats, overall_win_rate: f64) -> String {
    let pct = |share: f64| format!("{:.0}%", share * 100.0);
    let who = format!("{} ({})", s.segment, s.dimension.label());
    let icp = pct(s.in_icp_share);
    let (rate, overall) = (pct(s.win_rate), pct(overall_win_rate));
    match kind {
        DriftKind::WinningOutsideIcp => format!(
            "{who} wins {rate} of its deals against {overall} overall, \
             yet only {icp} of them were in the ICP: consider adding it."
        ),
        DriftKind::LosingInsideIcp => format!(
            "{who} wins {rate} of its deals against {overall} overall, \
             although {icp} of them were in the ICP: check that it belongs."
        ),
        DriftKind::ChurningInsideIcp => format!(
            "{who} kept {} of its won customers, although {icp} of its deals were in the ICP: \
             tag the retention risk or keep it for the expand ICP.",
            pct(s.retained_share.unwrap_or_default())
        ),
    }
}

/// One proposal per dimension, admitting every segment that wins outside the ICP.
fn proposals(drift: &[Drift]) -> Vec<Proposal> {
    Dimension::SEGMENTED
        .into_iter()
        .filter_map(|dimension| {
            let segments: Vec<&str> = drift
                .iter()
                .filter(|d| d.kind == DriftKind::WinningOutsideIcp && d.dimension == dimension)
                .map(|d| d.segment.as_str())
                .filter(|s| *s != UNKNOWN)
                .collect();
            proposal(dimension, &segments)
        })
        .collect()
}

fn proposal(dimension: Dimension, segments: &[&str]) -> Option<Proposal> {
    if segments.is_empty() {
        return None;
    }
    let any_of = |field: &str| json!({"field": field, "op": "IN", "value": segments});
    let criteria = match dimension {
        Dimension::Industry => any_of("account.industry"),
        Dimension::Region => any_of("account.region"),
        Dimension::EmployeeBand => bands_criteria(
            "account.employees",
            &EMPLOYEE_BANDS,
            segments,
            Values::Integers,
        )?,
        Dimension::RevenueBand => bands_criteria(
            "account.annualRevenue",
            &REVENUE_BANDS,
            segments,
            Values::Reals,
        )?,
        Dimension::Overall => return None,
    };
    let description = format!(
        "Add {} {} to the ICP: won at least as often as average while mostly outside it.",
        dimension.label(),
        segments.join(", ")
    );
    Some(Proposal {
        dimension,
        description,
        criteria,
    })
}

#[cfg(test)]
mod tests;
