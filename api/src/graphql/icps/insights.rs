//! The closed-won analysis behind the ICP, as the API answers it.

use async_graphql::{Enum, Json, SimpleObject};
use serde_json::Value;

use crate::domain::insights::{self, Dimension, DriftKind};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InsightDimension {
    Industry,
    EmployeeBand,
    RevenueBand,
    Region,
    Overall,
}

impl From<Dimension> for InsightDimension {
    fn from(d: Dimension) -> Self {
        match d {
            Dimension::Industry => InsightDimension::Industry,
            Dimension::EmployeeBand => InsightDimension::EmployeeBand,
            Dimension::RevenueBand => InsightDimension::RevenueBand,
            Dimension::Region => InsightDimension::Region,
            Dimension::Overall => InsightDimension::Overall,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum IcpDriftKind {
    /// Mostly outside the ICP, yet winning at least as often as average.
    WinningOutsideIcp,
    /// Mostly inside the ICP, yet winning at less than half the average rate.
    LosingInsideIcp,
    /// Mostly inside the ICP, yet its customers churn.
    ChurningInsideIcp,
}

/// Closed deals of one segment.
#[derive(SimpleObject)]
pub struct SegmentInsight {
    pub dimension: InsightDimension,
    pub segment: String,
    pub deals: i32,
    pub won: i32,
    pub lost: i32,
    /// won / deals.
    pub win_rate: f64,
    /// Median amount of the won deals.
    pub median_deal_size: Option<f64>,
    /// Median days from creation to close of the won deals.
    pub median_cycle_days: Option<f64>,
    /// Among won accounts now CUSTOMER or CHURNED, the CUSTOMER share.
    pub retained_share: Option<f64>,
    /// Share of the segment's deals whose account fits the ICP (fit score >= 50).
    pub in_icp_share: f64,
}

impl From<insights::SegmentStats> for SegmentInsight {
    fn from(s: insights::SegmentStats) -> Self {
        Self {
            dimension: s.dimension.into(),
            segment: s.segment,
            deals: s.deals as i32,
            won: s.won as i32,
            lost: s.lost as i32,
            win_rate: s.win_rate,
            median_deal_size: s.median_deal_size,
            median_cycle_days: s.median_cycle_days,
            retained_share: s.retained_share,
            in_icp_share: s.in_icp_share,
        }
    }
}

/// Where closed-won data disagrees with the active ICP.
#[derive(SimpleObject)]
pub struct IcpDrift {
    pub kind: IcpDriftKind,
    pub dimension: InsightDimension,
    pub segment: String,
    pub win_rate: f64,
    pub overall_win_rate: f64,
    pub retained_share: Option<f64>,
    pub message: String,
}

/// A criterion the data suggests adding to the ICP.
#[derive(SimpleObject)]
pub struct IcpProposal {
    pub dimension: InsightDimension,
    pub description: String,
    pub criteria: Json<Value>,
}

/// The closed-won analysis behind the ICP.
#[derive(SimpleObject)]
pub struct IcpInsights {
    pub months: i32,
    pub overall: SegmentInsight,
    pub segments: Vec<SegmentInsight>,
    pub drift: Vec<IcpDrift>,
    pub proposals: Vec<IcpProposal>,
}

impl IcpInsights {
    pub(super) fn new(months: i32, found: insights::Insights) -> Self {
        IcpInsights {
            months,
            overall: found.overall.into(),
            segments: found.segments.into_iter().map(Into::into).collect(),
            drift: found
                .drift
                .into_iter()
                .map(|d| IcpDrift {
                    kind: match d.kind {
                        DriftKind::WinningOutsideIcp => IcpDriftKind::WinningOutsideIcp,
                        DriftKind::LosingInsideIcp => IcpDriftKind::LosingInsideIcp,
                        DriftKind::ChurningInsideIcp => IcpDriftKind::ChurningInsideIcp,
                    },
                    dimension: d.dimension.into(),
                    segment: d.segment,
                    win_rate: d.win_rate,
                    overall_win_rate: d.overall_win_rate,
                    retained_share: d.retained_share,
                    message: d.message,
                })
                .collect(),
            proposals: found
                .proposals
                .into_iter()
                .map(|p| IcpProposal {
                    dimension: p.dimension.into(),
                    description: p.description,
                    criteria: Json(p.criteria),
                })
                .collect(),
        }
    }
}
