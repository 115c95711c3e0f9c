//! Alignment health: seed 004's leading indicators of alignment theater, week by week.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::NaiveDate;

use super::context::ContextExt;
use crate::{
    domain::{
        permissions::Permission,
        review::{AlignmentHealth, Indicator, Verdict, WeeklyPoint},
    },
    services::metrics::{alignment_of, theater_signals},
};

/// What the indicators say.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AlignmentVerdict {
    /// Fewer than two indicators moved the wrong way.
    Aligned,
    /// Two of the three indicators moved the wrong way over the last month.
    Misaligned,
    /// The lead rejection rate rose four weeks in a row.
    Theater,
}

/// One week of a series.
#[derive(SimpleObject)]
pub struct WeeklyPointView {
    /// The Monday the week starts on.
    pub week_of: NaiveDate,
    /// Null when there was nothing to measure that week.
    pub value: Option<f64>,
}

/// A leading indicator (higher is worse) and whether it moved the wrong way: over its last
/// five weekly points at least three of the four steps rose and the last is above the first.
#[derive(SimpleObject)]
pub struct IndicatorView {
    pub points: Vec<WeeklyPointView>,
    pub wrong_way: bool,
}

/// The three indicators, the verdict, SLA compliance and the dispute backlog.
#[derive(SimpleObject)]
pub struct AlignmentHealthView {
    /// Rejections / MQLs of each week.
    pub rejection_rate: IndicatorView,
    /// Median (lower) days the leads sitting in SAL or SQL at the end of each week had spent
    /// in that stage.
    pub mid_funnel_aging: IndicatorView,
    /// Highest minus lowest segment win rate over the deals closed in the 28 days up to each
    /// week's end (null with fewer than two segments).
    pub win_rate_divergence: IndicatorView,
    /// Weeks in a row, up to the latest, the rejection rate rose.
    pub rejection_rate_rises: u32,
    pub verdict: AlignmentVerdict,
    /// SLA compliance of each week (met on time / due).
    pub sla_compliance: Vec<WeeklyPointView>,
    /// Rejections marketing disputed that no leader has resolved yet.
    pub dispute_backlog: u64,
    /// Days since the oldest of those disputes was raised.
    pub oldest_dispute_days: Option<f64>,
    /// Signs of alignment theater the indicators cannot show: "no signed contract: the seed's
    /// default terms apply" while no contract is signed.
    pub theater_signals: Vec<String>,
}

fn points(points: &[WeeklyPoint]) -> Vec<WeeklyPointView> {
    points
        .iter()
        .map(|p| WeeklyPointView {
            week_of: p.week_of,
            value: p.value,
        })
        .collect()
}

fn indicator(i: &Indicator) -> IndicatorView {
    IndicatorView {
        points: points(&i.points),
        wrong_way: i.wrong_way,
    }
}

impl From<AlignmentHealth> for AlignmentHealthView {
    fn from(h: AlignmentHealth) -> Self {
        Self {
            rejection_rate: indicator(&h.rejection_rate),
            mid_funnel_aging: indicator(&h.mid_funnel_aging),
            win_rate_divergence: indicator(&h.win_rate_divergence),
            rejection_rate_rises: h.rejection_rate_rises,
            verdict: match h.verdict {
                Verdict::Aligned => AlignmentVerdict::Aligned,
                Verdict::Misaligned => AlignmentVerdict::Misaligned,
                Verdict::Theater => AlignmentVerdict::Theater,
            },
            sla_compliance: points(&h.sla_compliance),
            dispute_backlog: h.dispute_backlog,
            oldest_dispute_days: h.oldest_dispute_days,
            theater_signals: Vec::new(),
        }
    }
}

#[derive(Default)]
pub struct AlignmentQuery;

#[Object]
impl AlignmentQuery {
    /// The leading indicators over the last `weeks` complete weeks (5 to 104; the week in
    /// progress is left out) and the verdict: THEATER when the rejection rate rose four weeks
    /// in a row, MISALIGNED when two of the three indicators moved the wrong way for a month.
    #[graphql(complexity = "crate::graphql::cost::ALIGNMENT_HEALTH + child_complexity")]
    async fn alignment_health(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 8)] weeks: i32,
    ) -> Result<AlignmentHealthView> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let weeks = usize::try_from(weeks).unwrap_or(0);
        let mut view: AlignmentHealthView = alignment_of(&tenant, weeks, state.clock.now())
            .await?
            .into();
        view.theater_signals = theater_signals(&tenant)
            .await?
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok(view)
    }
}
