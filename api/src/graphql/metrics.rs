//! Dashboards: the funnel and the shared metrics, computed from the stage history, deals,
//! clocks, rejections and spend of the range asked for.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::LeadStage;

use super::{context::ContextExt, loaders::load_one, loaders::Loaders};
use crate::{
    domain::{
        metrics::{
            CoverageStatus, CoverageTarget, FunnelStage, GroupBy, GroupKey, GroupMetrics, Range,
            ReasonCount, SharedMetrics,
        },
        permissions::Permission,
    },
    error::AppError,
    services::metrics::{funnel_of, lead_stage_of, metrics_of},
};

/// A half-open time range: `from` included, `to` excluded.
#[derive(InputObject, Clone, Copy)]
pub struct RangeInput {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl From<RangeInput> for Range {
    fn from(input: RangeInput) -> Self {
        Range {
            from: input.from,
            to: input.to,
        }
    }
}

/// Dashboards open on the last 30 days when no range is asked for.
const DEFAULT_RANGE_DAYS: i64 = 30;

fn range_or_default(range: Option<RangeInput>, now: DateTime<Utc>) -> Range {
    range_or_last_days(range, now, DEFAULT_RANGE_DAYS)
}

/// `range`, or the `days` days up to `now` when none is asked for.
pub(crate) fn range_or_last_days(
    range: Option<RangeInput>,
    now: DateTime<Utc>,
    days: i64,
) -> Range {
    range.map_or_else(
        || Range {
            from: now - chrono::Duration::days(days),
            to: now,
        },
        Range::from,
    )
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

/// What a metrics report is split by.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MetricsGroupBy {
    /// The lead's source at the time of each fact.
    Source,
    /// The segment of the lead's (or deal's) account.
    Segment,
    /// The rep who owned the lead or deal.
    Rep,
    /// The campaign whose event qualified the lead (carried along its later moves).
    Campaign,
    /// The play whose touch moved the lead (carried along its later moves).
    Play,
    /// Weeks, Monday to Monday, UTC.
    Week,
    /// Calendar months, UTC.
    Month,
}

impl From<MetricsGroupBy> for GroupBy {
    fn from(g: MetricsGroupBy) -> Self {
        match g {
            MetricsGroupBy::Source => GroupBy::Source,
            MetricsGroupBy::Segment => GroupBy::Segment,
            MetricsGroupBy::Rep => GroupBy::Rep,
            MetricsGroupBy::Campaign => GroupBy::Campaign,
            MetricsGroupBy::Play => GroupBy::Play,
            MetricsGroupBy::Week => GroupBy::Week,
            MetricsGroupBy::Month => GroupBy::Month,
        }
    }
}

/// How often one rejection reason code was given.
#[derive(SimpleObject)]
pub struct ReasonCountView {
    pub reason: String,
    pub count: u64,
    /// count / all rejections in the group.
    pub share: f64,
}

impl From<&ReasonCount> for ReasonCountView {
    fn from(r: &ReasonCount) -> Self {
        Self {
            reason: r.reason.clone(),
            count: r.count,
            share: r.share,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CoverageStatusView {
    Below,
    Within,
    Above,
}

/// Pipeline coverage: open pipeline at the end of the range / the target (seed 002: keep 3-4x).
#[derive(SimpleObject)]
pub struct PipelineCoverageView {
    /// Sum of the amounts of deals open at the end of the range.
    pub open_pipeline: f64,
    pub target: f64,
    /// openPipeline / target.
    pub ratio: f64,
    pub band_low: f64,
    pub band_high: f64,
    pub status: CoverageStatusView,
}

/// Every shared metric of one group or of the whole range. Rates are shares between 0 and 1,
/// null when their denominator is zero. A fact counts when its own time is in the range.
#[derive(SimpleObject)]
pub struct SharedMetricsView {
    /// Stage changes into MQL in the range (a lead qualifying twice counts twice).
    pub mqls: u64,
    /// Stage changes into SAL (sales accepted) in the range.
    pub sals: u64,
    /// Stage changes into SQL (sales qualified) in the range.
    pub sqls: u64,
    /// Deals created in the range.
    pub opportunities: u64,
    /// MQL acceptance rate = sals / mqls.
    pub mql_acceptance_rate: Option<f64>,
    /// Lead-to-opportunity rate = opportunities / mqls.
    pub lead_to_opportunity_rate: Option<f64>,
    /// Spend in the range: each month's spend spread evenly over the month. Null when grouped
    /// by SEGMENT, REP or PLAY (spend is recorded per source or campaign).
    pub spend: Option<f64>,
    /// Cost per opportunity = spend / opportunities.
    pub cost_per_opportunity: Option<f64>,
    /// Lead velocity rate = (MQLs this month - MQLs last month) / MQLs last month, where this
    /// month runs from the first of the month holding the range's end up to that end, and last
    /// month is the whole calendar month before. Null for WEEK groups.
    pub lead_velocity_rate: Option<f64>,
    /// Pipeline created = sum of the amounts of deals created in the range.
    pub pipeline_created: f64,
    /// Marketing-sourced pipeline = sum of the amounts of deals created in the range from a
    /// lead sales accepted as an MQL (it passed through SAL before the deal).
    pub marketing_sourced_pipeline: f64,
    /// Marketing-influenced revenue = sum of the amounts of deals won in the range whose
    /// account had an engagement event before the close.
    pub marketing_influenced_revenue: f64,
    /// Marketing-sourced revenue = sum of the amounts of marketing-sourced deals won in the range.
    pub marketing_sourced_revenue: f64,
    /// Closed-won revenue = sum of the amounts of deals won in the range.
    pub closed_won_revenue: f64,
    /// Deals won in the range.
    pub won: u64,
    /// Deals lost in the range.
    pub lost: u64,
    /// Win rate = won / (won + lost), deals closed in the range.
    pub win_rate: Option<f64>,
    /// Time to first touch, p50: minutes from an MQL's assignment (in the range) to the rep's
    /// first touch, nearest rank, over the assignments that were touched.
    pub first_touch_p50_minutes: Option<i64>,
    /// Time to first touch, p90 (nearest rank).
    pub first_touch_p90_minutes: Option<i64>,
    /// Assignments in the range not touched yet (left out of the percentiles).
    pub untouched: u64,
    /// SLA clocks due in the range whose outcome is known (met, breached or past due).
    pub sla_due: u64,
    /// Of those, met at or before their due time.
    pub sla_met: u64,
    /// SLA compliance = slaMet / slaDue.
    pub sla_compliance: Option<f64>,
    /// Rejections recorded in the range.
    pub rejections: u64,
    /// Rejection rate = rejections / mqls.
    pub rejection_rate: Option<f64>,
    /// Reason codes, most frequent first (ties by code); the first three are the review's.
    pub rejection_reasons: Vec<ReasonCountView>,
    /// Pipeline coverage against `coverageTarget`; null without one (and for WEEK/MONTH groups).
    pub coverage: Option<PipelineCoverageView>,
}

impl From<&SharedMetrics> for SharedMetricsView {
    fn from(m: &SharedMetrics) -> Self {
        Self {
            mqls: m.mqls,
            sals: m.sals,
            sqls: m.sqls,
            opportunities: m.opportunities,
            mql_acceptance_rate: m.mql_acceptance_rate,
            lead_to_opportunity_rate: m.lead_to_opportunity_rate,
            spend: m.spend,
            cost_per_opportunity: m.cost_per_opportunity,
            lead_velocity_rate: m.lead_velocity_rate,
            pipeline_created: m.pipeline_created,
            marketing_sourced_pipeline: m.marketing_sourced_pipeline,
            marketing_influenced_revenue: m.marketing_influenced_revenue,
            marketing_sourced_revenue: m.marketing_sourced_revenue,
            closed_won_revenue: m.closed_won_revenue,
            won: m.won,
            lost: m.lost,
            win_rate: m.win_rate,
            first_touch_p50_minutes: m.first_touch_p50_minutes,
            first_touch_p90_minutes: m.first_touch_p90_minutes,
            untouched: m.untouched,
            sla_due: m.sla_due,
            sla_met: m.sla_met,
            sla_compliance: m.sla_compliance,
            rejections: m.rejections,
            rejection_rate: m.rejection_rate,
            rejection_reasons: m.rejection_reasons.iter().map(Into::into).collect(),
            coverage: m.coverage.as_ref().map(|c| PipelineCoverageView {
                open_pipeline: c.open_pipeline,
                target: c.target,
                ratio: c.ratio,
                band_low: c.band.0,
                band_high: c.band.1,
                status: match c.status {
                    CoverageStatus::Below => CoverageStatusView::Below,
                    CoverageStatus::Within => CoverageStatusView::Within,
                    CoverageStatus::Above => CoverageStatusView::Above,
                },
            }),
        }
    }
}

/// One group of a report.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MetricsGroup {
    /// The source, rep (user), campaign or play id; the segment; or the first day of the week
    /// or month. Null for the facts that carry no value for the dimension.
    pub key: Option<String>,
    /// For WEEK and MONTH groups: the first day of the period.
    pub period_start: Option<NaiveDate>,
    pub metrics: SharedMetricsView,
    #[graphql(skip)]
    group_by: GroupBy,
    #[graphql(skip)]
    id: Option<uuid::Uuid>,
}

#[ComplexObject]
impl MetricsGroup {
    /// A readable name: the source's, campaign's or play's name, the rep's name, the segment
    /// or the period; "Unattributed" for facts without a value.
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let Some(id) = self.id else {
            return Ok(self.key.clone().unwrap_or_else(|| "Unattributed".into()));
        };
        let name = match self.group_by {
            GroupBy::Source => load_one(loaders.sources(), id).await?.map(|s| s.name),
            GroupBy::Campaign => load_one(loaders.campaigns(), id).await?.map(|c| c.name),
            GroupBy::Play => load_one(loaders.plays(), id).await?.map(|p| p.name),
            GroupBy::Rep => load_one(loaders.users(), id).await?.map(|u| u.name),
            _ => None,
        };
        Ok(name.unwrap_or_else(|| id.to_string()))
    }
}

impl MetricsGroup {
    fn new(group_by: GroupBy, group: &GroupMetrics) -> Self {
        let (key, period_start, id) = match &group.key {
            GroupKey::Unattributed => (None, None, None),
            GroupKey::Id(id) => (Some(id.to_string()), None, Some(*id)),
            GroupKey::Segment(segment) => (Some(segment.clone()), None, None),
            GroupKey::Period(day) => (Some(day.to_string()), Some(*day), None),
        };
        Self {
            key,
            period_start,
            metrics: (&group.metrics).into(),
            group_by,
            id,
        }
    }
}

/// The shared metrics of a range: the total, and the groups when a grouping was asked for.
#[derive(SimpleObject)]
pub struct MetricsReportView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub total: SharedMetricsView,
    /// Sorted by key, unattributed first.
    pub groups: Vec<MetricsGroup>,
}

#[derive(Default)]
pub struct MetricsQuery;

#[Object]
impl MetricsQuery {
    /// Counts per stage, stage-to-stage conversion, median days per stage and current stage
    /// aging against the stage median, all from the stage history, as of now. `range`
    /// defaults to the last 30 days.
    #[graphql(complexity = "crate::graphql::cost::FUNNEL + child_complexity")]
    async fn funnel(
        &self,
        ctx: &Context<'_>,
        range: Option<RangeInput>,
    ) -> Result<Vec<FunnelStageView>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let now = state.clock.now();
        let funnel = funnel_of(&tenant, range_or_default(range, now), now).await?;
        Ok(funnel.stages.iter().map(Into::into).collect())
    }

    /// The shared metrics both teams own (seed 002's revenue metrics stack) over `range`,
    /// optionally split by `groupBy`. `coverageTarget` is the bookings target the open
    /// pipeline must cover (3-4x is healthy); without it coverage is null. `range` defaults to
    /// the last 30 days.
    #[graphql(
        complexity = "if group_by.is_some() { crate::graphql::cost::METRICS_GROUPED } else { crate::graphql::cost::METRICS } + child_complexity"
    )]
    async fn metrics(
        &self,
        ctx: &Context<'_>,
        range: Option<RangeInput>,
        group_by: Option<MetricsGroupBy>,
        coverage_target: Option<f64>,
    ) -> Result<MetricsReportView> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let group_by = group_by.map(GroupBy::from);
        if coverage_target.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
            return Err(AppError::bad_input("coverageTarget", "must be positive").into());
        }
        let now = state.clock.now();
        let range = range_or_default(range, now);
        let report = metrics_of(
            &tenant,
            range,
            group_by,
            coverage_target.map(CoverageTarget::new),
            now,
        )
        .await?;
        Ok(MetricsReportView {
            from: range.from,
            to: range.to,
            total: (&report.total).into(),
            groups: group_by
                .map(|g| {
                    report
                        .groups
                        .iter()
                        .map(|r| MetricsGroup::new(g, r))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}
