//! Dashboards: the funnel, computed from the stage history.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::LeadStage;

use super::context::ContextExt;
use crate::{
    domain::{metrics::FunnelStage, permissions::Permission},
    services::metrics::{funnel_of, lead_stage_of},
};

/// A half-open time range: `from` included, `to` excluded.
#[derive(InputObject)]
pub struct RangeInput {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// One stage of the funnel.
#[derive(SimpleObject)]
pub struct FunnelStageView {
    pub stage: LeadStage,
    /// Entries into the stage in the range (a lead entering twice counts twice).
    pub entered: u64,
    /// Of those entries, the ones whose next move went further down the path
    /// (LEAD -> MQL -> SAL -> SQL -> OPPORTUNITY -> CUSTOMER).
    pub advanced: u64,
    /// advanced / entered: stage-to-stage conversion. Null for CUSTOMER, NURTURE and
    /// DISQUALIFIED, and when nothing entered.
    pub conversion: Option<f64>,
    /// Velocity: the (lower) median length in days of the stays in this stage that ended in
    /// the range.
    pub median_days: Option<f64>,
    /// Leads in the stage now.
    pub current: u64,
    /// The (lower) median days those leads have spent in the stage so far.
    pub current_median_age_days: Option<f64>,
    /// How many of them have been in the stage longer than `medianDays` (stage aging).
    pub over_median: Option<u64>,
}

impl From<&FunnelStage> for FunnelStageView {
    fn from(s: &FunnelStage) -> Self {
        Self {
            stage: lead_stage_of(s.stage),
            entered: s.entered,
            advanced: s.advanced,
            conversion: s.conversion,
            median_days: s.median_days,
            current: s.current,
            current_median_age_days: s.current_median_age_days,
            over_median: s.over_median,
        }
    }
}

#[derive(Default)]
pub struct MetricsQuery;

#[Object]
impl MetricsQuery {
    /// Counts per stage, stage-to-stage conversion, median days per stage and current stage
    /// aging against the stage median, all from the stage history, as of now.
    async fn funnel(&self, ctx: &Context<'_>, range: RangeInput) -> Result<Vec<FunnelStageView>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let funnel = funnel_of(&tenant, range.from, range.to, state.clock.now()).await?;
        Ok(funnel.stages.iter().map(Into::into).collect())
    }
}
