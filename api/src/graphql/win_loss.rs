//! The closed loop's two reports: win/loss (what was won and lost, and why) and marketing's
//! scorecard (the contract's commitments measured beside sales' SLA compliance).

use async_graphql::{ComplexObject, Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
    metrics::{RangeInput, ReasonCountView},
};
use crate::{
    domain::{
        metrics::{
            scorecard::{Commitment, Scorecard, ScorecardLine},
            win_loss::{WinLossGroup as Group, WinLossGroupLine, WinLossKey, WinLossLine},
            Range,
        },
        permissions::Permission,
    },
    services::metrics::{scorecard_of, win_loss_of},
};

/// Win/loss opens on the last 90 days when no range is asked for.
const DEFAULT_RANGE_DAYS: i64 = 90;

/// What win/loss splits the closed deals by.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum WinLossGroup {
    /// The lost reason: each group holds the lost deals of one reason (won deals have none and
    /// are in the total only).
    Reason,
    /// The segment of the deal's account.
    Segment,
    /// The deal's source.
    Source,
    /// The competitor the deal was up against.
    Competitor,
    /// The deal's owner.
    Owner,
}

impl From<WinLossGroup> for Group {
    fn from(g: WinLossGroup) -> Self {
        match g {
            WinLossGroup::Reason => Group::Reason,
            WinLossGroup::Segment => Group::Segment,
            WinLossGroup::Source => Group::Source,
            WinLossGroup::Competitor => Group::Competitor,
            WinLossGroup::Owner => Group::Owner,
        }
    }
}

/// Deals closed in the range, won against lost. Rates are shares between 0 and 1, null when
/// nothing was closed.
#[derive(SimpleObject)]
pub struct WinLossLineView {
    pub won: u64,
    pub lost: u64,
    /// Sum of the amounts of the deals won.
    pub won_amount: f64,
    pub lost_amount: f64,
    /// won / (won + lost).
    pub win_rate: Option<f64>,
    /// Mean days from a deal's creation to its close; a deal closed before it was recorded (an
    /// import of history) is left out of the averages.
    pub average_cycle_days: Option<f64>,
    pub average_won_cycle_days: Option<f64>,
    pub average_lost_cycle_days: Option<f64>,
    /// The three most frequent lost reasons ("Unspecified" for none), most first; share of
    /// the lost deals.
    pub top_lost_reasons: Vec<ReasonCountView>,
}

impl From<&WinLossLine> for WinLossLineView {
    fn from(l: &WinLossLine) -> Self {
        Self {
            won: l.won,
            lost: l.lost,
            won_amount: l.won_amount,
            lost_amount: l.lost_amount,
            win_rate: l.win_rate,
            average_cycle_days: l.average_cycle_days,
            average_won_cycle_days: l.average_won_cycle_days,
            average_lost_cycle_days: l.average_lost_cycle_days,
            top_lost_reasons: l.top_lost_reasons.iter().map(Into::into).collect(),
        }
    }
}

/// One group of a win/loss report.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WinLossGroupView {
    /// The source or owner id; the reason, segment or competitor; null for deals without one.
    pub key: Option<String>,
    pub metrics: WinLossLineView,
    #[graphql(skip)]
    group_by: WinLossGroup,
    #[graphql(skip)]
    id: Option<uuid::Uuid>,
}

#[ComplexObject]
impl WinLossGroupView {
    /// A readable name: the source's or owner's name, the text of the key, or "Unattributed".
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let Some(id) = self.id else {
            return Ok(self.key.clone().unwrap_or_else(|| "Unattributed".into()));
        };
        let name = match self.group_by {
            WinLossGroup::Source => load_one(loaders.sources(), id).await?.map(|s| s.name),
            WinLossGroup::Owner => load_one(loaders.users(), id).await?.map(|u| u.name),
            _ => None,
        };
        Ok(name.unwrap_or_else(|| id.to_string()))
    }
}

impl WinLossGroupView {
    fn new(group_by: WinLossGroup, group: &WinLossGroupLine) -> Self {
        let (key, id) = match &group.key {
            WinLossKey::None => (None, None),
            WinLossKey::Id(id) => (Some(id.to_string()), Some(*id)),
            WinLossKey::Text(text) => (Some(text.clone()), None),
        };
        Self {
            key,
            metrics: (&group.line).into(),
            group_by,
            id,
        }
    }
}

/// The deals won and lost in a range, in total and per group.
#[derive(SimpleObject)]
pub struct WinLossReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: WinLossGroup,
    pub total: WinLossLineView,
    /// Most closed deals first, then the larger amount.
    pub groups: Vec<WinLossGroupView>,
}

/// One commitment of the lead contract, measured.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ScorecardCommitment {
    /// MQLs delivered (entries into MQL in the month) against `commitments.mqlsPerMonth`.
    MqlVolume,
    /// Share of the month's MQLs whose account is in the ICP (its fit reaches half of what
    /// the active ICP's account criteria can give, as `icpInsights` judges) against
    /// `commitments.icpShare`.
    IcpShare,
    /// Share of the month's MQLs whose contact has a name, a title, a business email and an
    /// account, against `commitments.contactCompleteness`.
    ContactCompleteness,
    /// Share of the month's MQLs whose lead received, at or after the hand-over, a trigger whose
    /// intel package has behavioural data attached (at least one scored event), against every
    /// MQL (seed 002: "behavioural data attached").
    MqlsWithIntel,
    /// Sales: SLA clocks due in the month and settled, met on time (both kinds), against all.
    SlaCompliance,
    /// Sales: first-touch clocks met on time.
    FirstTouchSla,
    /// Sales: status-update clocks (accept or reject) met on time.
    StatusUpdateSla,
}

impl From<Commitment> for ScorecardCommitment {
    fn from(c: Commitment) -> Self {
        match c {
            Commitment::MqlVolume => Self::MqlVolume,
            Commitment::IcpShare => Self::IcpShare,
            Commitment::ContactCompleteness => Self::ContactCompleteness,
            Commitment::MqlsWithIntel => Self::MqlsWithIntel,
            Commitment::SlaCompliance => Self::SlaCompliance,
            Commitment::FirstTouchSla => Self::FirstTouchSla,
            Commitment::StatusUpdateSla => Self::StatusUpdateSla,
        }
    }
}

/// A commitment: its target, what happened, and whether it was kept.
#[derive(SimpleObject)]
pub struct ScorecardLineView {
    pub commitment: ScorecardCommitment,
    /// A number of MQLs for MQL_VOLUME, a share between 0 and 1 otherwise.
    pub target: f64,
    /// Null when there was nothing to divide (no MQLs, no settled clocks).
    pub actual: Option<f64>,
    /// actual >= target; null when actual is.
    pub met: Option<bool>,
    /// The count behind `actual`.
    pub count: u64,
    /// What the share divides by (MQLs or settled clocks).
    pub of: u64,
}

impl From<&ScorecardLine> for ScorecardLineView {
    fn from(l: &ScorecardLine) -> Self {
        Self {
            commitment: l.commitment.into(),
            target: l.target,
            actual: l.actual,
            met: l.met,
            count: l.count,
            of: l.of,
        }
    }
}

/// Both sides of the contract for one month: what marketing committed to, and sales' SLAs.
#[derive(SimpleObject)]
pub struct MarketingScorecard {
    /// "YYYY-MM".
    pub month: String,
    /// The month's first day, local midnight in the contract's time zone.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The contract's time zone (its business calendar's).
    pub time_zone: String,
    /// Whether the month was over when read; a month in progress is judged so far.
    pub complete: bool,
    /// MQL_VOLUME, ICP_SHARE, CONTACT_COMPLETENESS, MQLS_WITH_PLAY_TRIGGER.
    pub marketing: Vec<ScorecardLineView>,
    /// SLA_COMPLIANCE, FIRST_TOUCH_SLA, STATUS_UPDATE_SLA.
    pub sales: Vec<ScorecardLineView>,
}

impl MarketingScorecard {
    fn new(card: &Scorecard, time_zone: String) -> Self {
        Self {
            month: card.month.format("%Y-%m").to_string(),
            from: card.range.from,
            to: card.range.to,
            time_zone,
            complete: card.complete,
            marketing: card.marketing.iter().map(Into::into).collect(),
            sales: card.sales.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Default)]
pub struct WinLossQuery;

#[Object]
impl WinLossQuery {
    /// The deals won and lost in `range` (by close time; the last 90 days by default): counts,
    /// amounts, win rate, average cycle days and the top lost reasons, in total and split by
    /// `groupBy` (REASON by default).
    #[graphql(complexity = "crate::graphql::cost::WIN_LOSS + child_complexity")]
    async fn win_loss(
        &self,
        ctx: &Context<'_>,
        range: Option<RangeInput>,
        // Nullable, so that an unset variable reads as the default too.
        #[graphql(default_with = "Some(WinLossGroup::Reason)")] group_by: Option<WinLossGroup>,
    ) -> Result<WinLossReport> {
        let group_by = group_by.unwrap_or(WinLossGroup::Reason);
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let now = state.clock.now();
        let range = range.map_or_else(
            || Range {
                from: now - chrono::Duration::days(DEFAULT_RANGE_DAYS),
                to: now,
            },
            Range::from,
        );
        let report = win_loss_of(&tenant, range, group_by.into()).await?;
        Ok(WinLossReport {
            from: range.from,
            to: range.to,
            group_by,
            total: (&report.total).into(),
            groups: report
                .groups
                .iter()
                .map(|g| WinLossGroupView::new(group_by, g))
                .collect(),
        })
    }

    /// Marketing's side of the active lead contract measured for `month` ("2026-11" or any
    /// day of it; by default the current month in the contract's time zone): MQLs delivered,
    /// ICP share, contact completeness and MQLs with intel, each against its target,
    /// beside sales' SLA compliance for the same month.
    #[graphql(complexity = "crate::graphql::cost::MARKETING_SCORECARD + child_complexity")]
    async fn marketing_scorecard(
        &self,
        ctx: &Context<'_>,
        month: Option<String>,
    ) -> Result<MarketingScorecard> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let (card, time_zone) = scorecard_of(&tenant, month.as_deref(), state.clock.now()).await?;
        Ok(MarketingScorecard::new(&card, time_zone.name().to_owned()))
    }
}
