//! The review's fixed agenda (seed 004): pipeline created last week by source and segment; the
//! lead rejection rate and its top three reasons; deals stuck in stage longer than the median
//! for two weeks; one messaging or campaign test result; and (seed 002's weekly win/loss) the
//! deals lost, with their reasons and marketing's part. "Last week" is the Monday-to-Monday
//! week before the week of the review.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::checklist::{aligned_checklist, AlignedChecklist};
use super::lost_deals::{lost_deals, LostDeal, LostDeals};
use super::metrics::{
    metrics, week_start, Facts, GroupBy, GroupKey, MetricsQuery, Range, ReasonCount,
};

/// The agenda names this many rejection reasons.
pub const TOP_REASONS: usize = 3;

/// A deal is stuck when it has outstayed its stage's median by this many days.
pub const STUCK_FOR_DAYS: i64 = 14;

/// The week a review held in the week of `week_of` looks back on.
pub fn reviewed_week(week_of: NaiveDate) -> Range {
    Range::week_of(week_start(week_of) - Duration::days(7))
}

/// Pipeline created by one source or segment.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineLine {
    pub key: GroupKey,
    pub opportunities: u64,
    pub amount: f64,
}

/// An open deal and when it entered its current (sales) stage.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenDeal {
    pub id: Uuid,
    /// The deal's stage (`entity::OpportunityStage::as_str`).
    pub stage: String,
    pub entered_stage_at: DateTime<Utc>,
    pub amount: f64,
    pub owner_id: Option<Uuid>,
}

/// A deal that has outstayed its stage's median by two weeks or more.
#[derive(Debug, Clone, PartialEq)]
pub struct StuckDeal {
    pub id: Uuid,
    pub stage: String,
    pub owner_id: Option<Uuid>,
    pub amount: f64,
    pub days_in_stage: f64,
    pub median_days: f64,
    /// days in stage - median days; at least 14.
    pub days_over_median: f64,
}

/// The deals open at `as_of` whose time in stage exceeds the stage's median (from
/// `pipeline::stage_medians`, keyed by stage) by at least two weeks, most overdue first. A
/// stage without a median (nobody has left it yet) has no stuck deals.
pub fn stuck_deals(
    deals: &[OpenDeal],
    medians: &HashMap<String, Duration>,
    as_of: DateTime<Utc>,
) -> Vec<StuckDeal> {
    let days = |d: Duration| d.num_seconds() as f64 / 86_400.0;
    let mut stuck: Vec<(Duration, StuckDeal)> = deals
        .iter()
        .filter_map(|deal| {
            let median = *medians.get(&deal.stage)?;
            let in_stage = as_of - deal.entered_stage_at;
            let over = in_stage - median;
            (over >= Duration::days(STUCK_FOR_DAYS)).then(|| {
                let row = StuckDeal {
                    id: deal.id,
                    stage: deal.stage.clone(),
                    owner_id: deal.owner_id,
                    amount: deal.amount,
                    days_in_stage: days(in_stage),
                    median_days: days(median),
                    days_over_median: days(over),
                };
                (over, row)
            })
        })
        .collect();
    stuck.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    stuck.into_iter().map(|(_, row)| row).collect()
}

/// One variant of a messaging or campaign test, with its touches and replies.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub label: String,
    pub touches: u64,
    /// Touches with a REPLIED or MEETING_BOOKED outcome.
    pub replies: u64,
}

/// A messaging test: variants attached to cadence steps or campaigns.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagingTest {
    pub id: Uuid,
    pub name: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub variants: Vec<Variant>,
}

/// The test that ran during `week` (started before its end, not ended before its start); of
/// several, the one started last.
pub fn test_of_week<'a>(tests: &'a [MessagingTest], week: &Range) -> Option<&'a MessagingTest> {
    tests
        .iter()
        .filter(|t| t.started_at < week.to && t.ended_at.is_none_or(|end| end >= week.from))
        .max_by_key(|t| (t.started_at, t.id))
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantResult {
    pub label: String,
    pub touches: u64,
    pub replies: u64,
    /// replies / touches.
    pub reply_rate: Option<f64>,
}

/// A test's result as the review shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    pub test_id: Uuid,
    pub name: String,
    pub variants: Vec<VariantResult>,
    /// The variant with the highest reply rate; `None` when two share it.
    pub leader: Option<String>,
    /// (leader's rate - runner-up's rate) / runner-up's rate.
    pub lift: Option<f64>,
    /// The two-proportion z statistic of leader against runner-up (pooled standard error).
    pub z: Option<f64>,
    /// |z| >= 1.96: the difference holds at 95% confidence; otherwise keep the test running.
    pub conclusive: bool,
}

/// Reply rates per variant, the leader, its lift over the runner-up and whether it is
/// significant.
pub fn test_result(test: &MessagingTest) -> TestResult {
    let variants: Vec<VariantResult> = test
        .variants
        .iter()
        .map(|v| VariantResult {
            label: v.label.clone(),
            touches: v.touches,
            replies: v.replies,
            reply_rate: (v.touches > 0).then(|| v.replies as f64 / v.touches as f64),
        })
        .collect();
    let mut ranked: Vec<&VariantResult> =
        variants.iter().filter(|v| v.reply_rate.is_some()).collect();
    ranked.sort_by(|a, b| {
        b.reply_rate
            .partial_cmp(&a.reply_rate)
            .expect("rates are finite")
    });
    let (mut leader, mut lift, mut z) = (None, None, None);
    if let [first, second, ..] = ranked[..] {
        let (p1, p2) = (
            first.reply_rate.unwrap_or(0.0),
            second.reply_rate.unwrap_or(0.0),
        );
        if p1 > p2 {
            leader = Some(first.label.clone());
            lift = (p2 > 0.0).then(|| (p1 - p2) / p2);
        }
        let (n1, n2) = (first.touches as f64, second.touches as f64);
        let pooled = (first.replies + second.replies) as f64 / (n1 + n2);
        let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
        z = (se > 0.0).then(|| (p1 - p2) / se);
    } else if let [only] = ranked[..] {
        leader = Some(only.label.clone());
    }
    TestResult {
        test_id: test.id,
        name: test.name.clone(),
        variants,
        conclusive: leader.is_some() && z.is_some_and(|z| z.abs() >= 1.96),
        leader,
        lift,
        z,
    }
}

/// What the agenda is built from.
#[derive(Debug, Clone, Copy)]
pub struct AgendaInput<'a> {
    /// Any day of the week the review is held in.
    pub week_of: NaiveDate,
    /// When the agenda is built (stuck deals are measured at this instant).
    pub as_of: DateTime<Utc>,
    /// Facts covering at least the reviewed week.
    pub facts: &'a Facts,
    pub open_deals: &'a [OpenDeal],
    pub stage_medians: &'a HashMap<String, Duration>,
    pub tests: &'a [MessagingTest],
    /// The contract's rejection window (48 hours by default).
    pub rejection_window: Duration,
    /// The deals lost in the reviewed week.
    pub lost_deals: &'a [LostDeal],
}

/// The fixed agenda of one weekly review.
#[derive(Debug, Clone, PartialEq)]
pub struct Agenda {
    /// The Monday of the review's week.
    pub week_of: NaiveDate,
    /// Last week, which the agenda reports on.
    pub reviewed: Range,
    pub opportunities: u64,
    pub pipeline_created: f64,
    /// Pipeline created last week per source, largest first (unattributed included).
    pub pipeline_by_source: Vec<PipelineLine>,
    /// Pipeline created last week per segment, largest first.
    pub pipeline_by_segment: Vec<PipelineLine>,
    pub mqls: u64,
    pub rejections: u64,
    /// Rejections / MQLs, last week.
    pub rejection_rate: Option<f64>,
    /// The three most frequent reason codes last week.
    pub top_reasons: Vec<ReasonCount>,
    pub stuck_deals: Vec<StuckDeal>,
    pub test: Option<TestResult>,
    pub checklist: AlignedChecklist,
    /// Last week's lost deals: reasons, competitors and marketing's share (win/loss).
    pub lost_deals: LostDeals,
}

/// Builds the agenda of the review held in the week of `input.week_of`.
pub fn agenda(input: &AgendaInput) -> Agenda {
    let reviewed = reviewed_week(input.week_of);
    let report = |group_by| {
        let query = MetricsQuery {
            range: reviewed,
            group_by,
            as_of: input.as_of,
            coverage: None,
        };
        metrics(input.facts, &query).expect("a week is a valid range and there is no target")
    };
    let lines = |group_by| {
        let mut lines: Vec<PipelineLine> = report(Some(group_by))
            .groups
            .into_iter()
            .filter(|g| g.metrics.opportunities > 0)
            .map(|g| PipelineLine {
                key: g.key,
                opportunities: g.metrics.opportunities,
                amount: g.metrics.pipeline_created,
            })
            .collect();
        lines.sort_by(|a, b| b.amount.total_cmp(&a.amount).then(a.key.cmp(&b.key)));
        lines
    };
    let total = report(None).total;
    let top_reasons: Vec<ReasonCount> = total
        .rejection_reasons
        .iter()
        .take(TOP_REASONS)
        .cloned()
        .collect();
    let test = test_of_week(input.tests, &reviewed).map(test_result);
    let checklist = aligned_checklist(
        &input.facts.rejections,
        &reviewed,
        input.rejection_window,
        &top_reasons,
        test.as_ref(),
    );
    Agenda {
        week_of: week_start(input.week_of),
        reviewed,
        opportunities: total.opportunities,
        pipeline_created: total.pipeline_created,
        pipeline_by_source: lines(GroupBy::Source),
        pipeline_by_segment: lines(GroupBy::Segment),
        mqls: total.mqls,
        rejections: total.rejections,
        rejection_rate: total.rejection_rate,
        top_reasons,
        stuck_deals: stuck_deals(input.open_deals, input.stage_medians, input.as_of),
        test,
        checklist,
        lost_deals: lost_deals(input.lost_deals.to_vec()),
    }
}

#[cfg(test)]
mod tests;
