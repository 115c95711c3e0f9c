//! Planning: the demand waterfall from a revenue goal back to MQLs, and shared goals.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::GoalMetric;

use super::{
    context::ContextExt,
    metrics::RangeInput,
    pagination::{connection, list_order, Page, PageArgs},
};
use crate::{
    domain::{
        permissions::Permission,
        planning::{ConversionRates, Period, StageNeeds, Team, Waterfall},
    },
    services::{
        goals::{self, GoalChanges, GoalStatus, NewGoal},
        metrics::{waterfall_of, WaterfallRequest},
    },
    store::{self, parse_id, parse_id_at},
};

/// Whole calendar months: a month, a quarter, a year.
#[derive(InputObject, Clone, Copy)]
pub struct PeriodInput {
    /// Any day of the first month.
    pub start: NaiveDate,
    pub months: u32,
}

impl From<PeriodInput> for Period {
    fn from(p: PeriodInput) -> Self {
        Period {
            start: p.start,
            months: p.months,
        }
    }
}

/// Conversion rates (shares in (0, 1]) and deal size; each one given replaces the actual.
#[derive(InputObject, Default)]
pub struct RatesInput {
    pub mql_to_sal: Option<f64>,
    pub sal_to_sql: Option<f64>,
    pub sql_to_won: Option<f64>,
    pub average_deal_size: Option<f64>,
}

#[derive(InputObject)]
pub struct DemandWaterfallInput {
    pub revenue_goal: f64,
    pub period: PeriodInput,
    /// The share of the goal marketing is expected to source, 0 to 1.
    pub marketing_contribution: f64,
    pub overrides: Option<RatesInput>,
    /// Where the actual rates are measured; the 182 days before now by default.
    pub rates_from: Option<RangeInput>,
}

/// The rates the waterfall used and where each came from.
#[derive(SimpleObject)]
pub struct AppliedRatesView {
    /// SALs / MQLs.
    pub mql_to_sal: f64,
    /// SQLs / SALs.
    pub sal_to_sql: f64,
    /// Deals won / SQLs.
    pub sql_to_won: f64,
    /// Closed-won revenue / deals won.
    pub average_deal_size: f64,
    /// Which were overridden, in the order above.
    pub overridden: Vec<bool>,
}

/// Whole numbers needed at each stage (each step rounds up).
#[derive(SimpleObject)]
pub struct StageNeedsView {
    pub customers: u64,
    pub sqls: u64,
    pub sals: u64,
    pub mqls: u64,
}

impl From<StageNeeds> for StageNeedsView {
    fn from(n: StageNeeds) -> Self {
        Self {
            customers: n.customers,
            sqls: n.sqls,
            sals: n.sals,
            mqls: n.mqls,
        }
    }
}

/// Seed 003's demand waterfall: revenue goal -> customers (/ deal size) -> SQLs (/ SQL->won)
/// -> SALs (/ SAL->SQL) -> MQLs (/ MQL->SAL), for all customers and marketing's share.
#[derive(SimpleObject)]
pub struct DemandWaterfallView {
    pub rates: AppliedRatesView,
    pub rates_from: DateTime<Utc>,
    pub rates_to: DateTime<Utc>,
    /// Every customer the goal takes, as if all came through the funnel.
    pub total: StageNeedsView,
    /// revenueGoal x marketingContribution.
    pub marketing_revenue: f64,
    /// Marketing's share of the customers and the funnel behind them.
    pub marketing: StageNeedsView,
    /// ceil(marketing MQLs / months).
    pub mqls_needed_per_month: u64,
    /// What the active lead contract commits marketing to (the seed's default without one).
    pub committed_mqls_per_month: u32,
    /// Needed - committed per month: above zero, the contract asks for too few MQLs.
    pub gap_per_month: i64,
}

impl DemandWaterfallView {
    fn new(w: Waterfall, rates_from: DateTime<Utc>, rates_to: DateTime<Utc>) -> Self {
        Self {
            rates: AppliedRatesView {
                mql_to_sal: w.rates.mql_to_sal,
                sal_to_sql: w.rates.sal_to_sql,
                sql_to_won: w.rates.sql_to_won,
                average_deal_size: w.rates.average_deal_size,
                overridden: w.rates.overridden.to_vec(),
            },
            rates_from,
            rates_to,
            total: w.total.into(),
            marketing_revenue: w.marketing_revenue,
            marketing: w.marketing.into(),
            mqls_needed_per_month: w.mqls_needed_per_month,
            committed_mqls_per_month: w.committed_mqls_per_month,
            gap_per_month: w.gap_per_month,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum TeamView {
    Marketing,
    Sales,
}

#[derive(SimpleObject)]
pub struct GoalOwnerView {
    pub user_id: ID,
    pub team: TeamView,
}

/// A goal both teams own, with its attainment so far.
#[derive(SimpleObject)]
pub struct GoalView {
    pub id: ID,
    pub name: String,
    pub metric: GoalMetric,
    pub target: f64,
    pub period_start: NaiveDate,
    pub period_months: u32,
    pub owners: Vec<GoalOwnerView>,
    /// The metric over the period so far (null when it has no value yet, e.g. a rate with
    /// nothing to divide).
    pub actual: Option<f64>,
    /// actual / target: 1.0 is on target.
    pub attainment: Option<f64>,
    /// Behind its period: attainment below the share of the period gone by (never before the
    /// period starts, nor without an attainment); a closed goal never is.
    pub at_risk: bool,
    pub created_at: DateTime<Utc>,
    /// When `closeGoal` closed it; null while it is open.
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<GoalStatus> for GoalView {
    fn from(status: GoalStatus) -> Self {
        let GoalStatus {
            row,
            goal,
            progress,
            at_risk,
        } = status;
        Self {
            id: row.id.into(),
            name: row.name,
            metric: row.metric,
            target: row.target,
            period_start: goal.period.start,
            period_months: goal.period.months,
            owners: goal
                .owners
                .iter()
                .map(|o| GoalOwnerView {
                    user_id: o.member_id.into(),
                    team: match o.team {
                        Team::Marketing => TeamView::Marketing,
                        Team::Sales => TeamView::Sales,
                    },
                })
                .collect(),
            actual: progress.actual,
            attainment: progress.attainment,
            at_risk,
            created_at: row.created_at,
            closed_at: row.closed_at,
        }
    }
}

#[derive(InputObject)]
pub struct GoalInput {
    pub name: String,
    pub metric: GoalMetric,
    /// For rates, a share (0.8 for 80%).
    pub target: f64,
    pub period: PeriodInput,
    /// Users who own it: at least one from marketing and one from sales.
    pub owner_ids: Vec<ID>,
}

/// What `updateGoal` changes: each field given replaces the goal's; the goal must still have
/// owners from both teams.
#[derive(InputObject, Default)]
pub struct GoalUpdateInput {
    pub name: Option<String>,
    pub metric: Option<GoalMetric>,
    /// For rates, a share (0.8 for 80%).
    pub target: Option<f64>,
    pub period: Option<PeriodInput>,
    /// Users who own it: at least one from marketing and one from sales.
    pub owner_ids: Option<Vec<ID>>,
}

fn owner_ids(raw: &[ID]) -> Result<Vec<uuid::Uuid>> {
    Ok(raw
        .iter()
        .enumerate()
        .map(|(i, raw)| parse_id_at(raw, "member", &format!("input.ownerIds.{i}")))
        .collect::<Result<Vec<_>, _>>()?)
}

list_order!(GoalOrder, GoalOrderField => store::sorts::GoalSort, desc, {
    PeriodStart,
    Name,
    CreatedAt,
});

#[derive(InputObject, Default)]
pub struct GoalFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    pub metric: Option<Vec<GoalMetric>>,
    /// Only the closed goals (true) or only the open ones (false).
    pub closed: Option<bool>,
}

#[derive(Default)]
pub struct PlanningQuery;

#[Object]
impl PlanningQuery {
    /// Works a revenue goal back to the MQLs needed, with the workspace's actual conversion
    /// rates and deal size (each overridable), and compares with the contract's commitment.
    #[graphql(complexity = "crate::graphql::cost::DEMAND_WATERFALL + child_complexity")]
    async fn demand_waterfall(
        &self,
        ctx: &Context<'_>,
        input: DemandWaterfallInput,
    ) -> Result<DemandWaterfallView> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let overrides = input.overrides.unwrap_or_default();
        let request = WaterfallRequest {
            revenue_goal: input.revenue_goal,
            period: input.period.into(),
            marketing_contribution: input.marketing_contribution,
            overrides: ConversionRates {
                mql_to_sal: overrides.mql_to_sal,
                sal_to_sql: overrides.sal_to_sql,
                sql_to_won: overrides.sql_to_won,
                average_deal_size: overrides.average_deal_size,
            },
            rates_from: input.rates_from.map(Into::into),
        };
        let (waterfall, rates) = waterfall_of(&tenant, request, state.clock.now())
            .await
            .map_err(|err| err.inside("input"))?;
        Ok(DemandWaterfallView::new(waterfall, rates.from, rates.to))
    }

    /// Shared goals with their attainment, filtered and ordered (latest period first by
    /// default); ties break on the id. The open ones only, unless `includeClosed: true` or
    /// `filter.closed` says otherwise.
    #[allow(clippy::too_many_arguments)]
    #[graphql(
        complexity = "crate::graphql::cost::GOALS + first.or(last).unwrap_or(20).max(0) as usize * child_complexity"
    )]
    async fn goals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_closed: bool,
        filter: Option<GoalFilter>,
        order_by: Option<GoalOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<GoalView>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let filter = filter.unwrap_or_default();
        let spec = store::filters::GoalFilter {
            name_contains: filter.name_contains,
            metric: filter.metric,
            closed: filter.closed.or((!include_closed).then_some(false)),
        };
        let page = goals::status_page(
            ctx.state(),
            workspace_id,
            &spec,
            GoalOrder::sort(order_by),
            PageArgs::new(ctx, first, after, last, before),
        )
        .await?;
        Ok(connection(page, GoalView::from))
    }
}

#[derive(Default)]
pub struct PlanningMutation;

#[Object]
impl PlanningMutation {
    /// A goal both leaders are measured on: a metric, a target, a period, owners from both teams.
    async fn create_goal(&self, ctx: &Context<'_>, input: GoalInput) -> Result<GoalView> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let me = actor.user_id()?;
        let owner_ids = owner_ids(&input.owner_ids)?;
        let new = NewGoal {
            name: input.name,
            metric: input.metric,
            target: input.target,
            period: input.period.into(),
            owner_ids,
        };
        Ok(goals::create_goal(ctx.state(), workspace_id, new, me)
            .await?
            .into())
    }

    /// Changes an open goal (CONFLICT once closed). Those who set goals edit any; a member who
    /// may own goals (`OwnGoalForMarketing`, `OwnGoalForSales`) edits the goals naming them.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: GoalUpdateInput,
    ) -> Result<GoalView> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditGoal)?;
        let id = parse_id(&id, "goal")?;
        let changes = GoalChanges {
            name: input.name,
            metric: input.metric,
            target: input.target,
            period: input.period.map(Into::into),
            owner_ids: match &input.owner_ids {
                Some(raw) => Some(owner_ids(raw)?),
                None => None,
            },
        };
        Ok(
            goals::update_goal(ctx.state(), actor, workspace_id, id, changes)
                .await?
                .into(),
        )
    }

    /// Closes an open goal: it leaves `goals` (unless `includeClosed`) and is never at risk
    /// again. Closing a closed goal is a CONFLICT. Who may: as `updateGoal`.
    async fn close_goal(&self, ctx: &Context<'_>, id: ID) -> Result<GoalView> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditGoal)?;
        let id = parse_id(&id, "goal")?;
        Ok(goals::close_goal(ctx.state(), actor, workspace_id, id)
            .await?
            .into())
    }
}
