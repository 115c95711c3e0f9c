//! Dashboards' numbers, computed from what happened (the stage history with its maintained
//! stay ends, deals, SLA clocks, rejections, spend), never from counters. Each report loads the
//! facts of its own range through indexes, then the pure domain computes.

mod alignment;
mod assets;
mod attribution;
mod coverage;
mod facts;
mod funnel;
mod planning;
pub mod rollups;
mod sales;
mod win_loss;

use chrono::{DateTime, Utc};
use entity::LeadStage;
use sea_orm::ConnectionTrait;

pub use alignment::{alignment_of, theater_signals};
pub use assets::{asset_performance_of, AssetReport};
pub use attribution::{attribution_of, credited_deals};
pub use coverage::{market_coverage_of, MarketCoverage, ENGAGED_DAYS};
pub use facts::{load_facts, Report};
pub use funnel::funnel_of;
pub use planning::{goal_progress, waterfall_of, WaterfallRequest};
pub use win_loss::{scorecard_of, win_loss_of};
// Their home is the store now; these paths stay for the services that still name them here.
pub(crate) use crate::store::{
    metrics::lower_median_stays,
    sql::{statement, CHUNK},
};

use crate::{
    domain::metrics::{
        metrics, CoverageTarget, GroupBy, MetricsQuery, MetricsReport, Range, Stage,
    },
    error::AppResult,
    store::Tenant,
};

pub fn stage_of(stage: LeadStage) -> Stage {
    match stage {
        LeadStage::Lead => Stage::Lead,
        LeadStage::Mql => Stage::Mql,
        LeadStage::Sal => Stage::Sal,
        LeadStage::Sql => Stage::Sql,
        LeadStage::Opportunity => Stage::Opportunity,
        LeadStage::Customer => Stage::Customer,
        LeadStage::Nurture => Stage::Nurture,
        LeadStage::Disqualified => Stage::Disqualified,
    }
}

pub fn lead_stage_of(stage: Stage) -> LeadStage {
    match stage {
        Stage::Lead => LeadStage::Lead,
        Stage::Mql => LeadStage::Mql,
        Stage::Sal => LeadStage::Sal,
        Stage::Sql => LeadStage::Sql,
        Stage::Opportunity => LeadStage::Opportunity,
        Stage::Customer => LeadStage::Customer,
        Stage::Nurture => LeadStage::Nurture,
        Stage::Disqualified => LeadStage::Disqualified,
    }
}

/// The shared metrics of `range`, in total and per group.
pub async fn metrics_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    group_by: Option<GroupBy>,
    coverage: Option<CoverageTarget>,
    as_of: DateTime<Utc>,
) -> AppResult<MetricsReport> {
    range.validate("range")?;
    let facts = load_facts(tenant, &range, as_of, group_by, Report::Shared).await?;
    Ok(metrics(
        &facts,
        &MetricsQuery {
            range,
            group_by,
            as_of,
            coverage,
        },
    )?)
}
