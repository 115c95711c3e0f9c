//! What the review's queries and mutations answer: the agenda, the meeting's record, action
//! items and messaging tests.

use async_graphql::{ComplexObject, Context, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{action_item, messaging_test, Role};
use uuid::Uuid;

use super::lost_deals::LostDealsView;
use crate::{
    domain::{
        metrics::GroupKey,
        review::{
            log_late, Agenda, AlignedChecklist, MessagingTest, PipelineLine, StuckDeal, TestResult,
        },
    },
    graphql::{
        loaders::{load_one, Loaders},
        metrics::ReasonCountView,
    },
    services::review::meeting::Meeting,
};

/// Pipeline created last week in one source or segment.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PipelineLineView {
    /// The source id or the segment; null for deals without one.
    pub key: Option<String>,
    pub opportunities: u64,
    pub amount: f64,
    #[graphql(skip)]
    source_id: Option<Uuid>,
}

#[ComplexObject]
impl PipelineLineView {
    /// The source's name, the segment, or "Unattributed".
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        if let Some(id) = self.source_id {
            let source = load_one(ctx.data_unchecked::<Loaders>().sources(), id).await?;
            return Ok(source.map_or_else(|| id.to_string(), |s| s.name));
        }
        Ok(self.key.clone().unwrap_or_else(|| "Unattributed".into()))
    }
}

impl From<&PipelineLine> for PipelineLineView {
    fn from(line: &PipelineLine) -> Self {
        let (key, source_id) = match &line.key {
            GroupKey::Id(id) => (Some(id.to_string()), Some(*id)),
            GroupKey::Segment(s) => (Some(s.clone()), None),
            GroupKey::Period(d) => (Some(d.to_string()), None),
            GroupKey::Unattributed => (None, None),
        };
        Self {
            key,
            opportunities: line.opportunities,
            amount: line.amount,
            source_id,
        }
    }
}

/// An open deal stuck in its stage two weeks past the stage's median.
#[derive(SimpleObject)]
pub struct StuckDealView {
    pub opportunity_id: ID,
    pub stage: String,
    pub owner_id: Option<ID>,
    pub amount: f64,
    pub days_in_stage: f64,
    /// The median stay in the stage, from the deal stage history of the last year.
    pub median_days: f64,
    pub days_over_median: f64,
}

impl From<&StuckDeal> for StuckDealView {
    fn from(d: &StuckDeal) -> Self {
        Self {
            opportunity_id: d.id.into(),
            stage: d.stage.clone(),
            owner_id: d.owner_id.map(Into::into),
            amount: d.amount,
            days_in_stage: d.days_in_stage,
            median_days: d.median_days,
            days_over_median: d.days_over_median,
        }
    }
}

/// One variant of a test and how it did.
#[derive(SimpleObject)]
pub struct VariantResultView {
    pub label: String,
    pub touches: u64,
    /// Touches with a REPLIED or MEETING_BOOKED outcome.
    pub replies: u64,
    /// replies / touches.
    pub reply_rate: Option<f64>,
}

/// A messaging test's result: reply rates per variant, the leader and whether it is significant.
#[derive(SimpleObject)]
pub struct TestResultView {
    pub test_id: ID,
    pub name: String,
    pub variants: Vec<VariantResultView>,
    /// The variant with the highest reply rate; null when two share it.
    pub leader: Option<String>,
    /// (leader's rate - runner-up's rate) / runner-up's rate.
    pub lift: Option<f64>,
    /// Two-proportion z statistic, leader against runner-up.
    pub z: Option<f64>,
    /// |z| >= 1.96: the difference holds at 95% confidence.
    pub conclusive: bool,
}

impl From<&TestResult> for TestResultView {
    fn from(t: &TestResult) -> Self {
        Self {
            test_id: t.test_id.into(),
            name: t.name.clone(),
            variants: t
                .variants
                .iter()
                .map(|v| VariantResultView {
                    label: v.label.clone(),
                    touches: v.touches,
                    replies: v.replies,
                    reply_rate: v.reply_rate,
                })
                .collect(),
            leader: t.leader.clone(),
            lift: t.lift,
            z: t.z,
            conclusive: t.conclusive,
        }
    }
}

/// Seed 004's "you are aligned when", answered with last week's data.
#[derive(SimpleObject)]
pub struct AlignedChecklistView {
    /// Rejections recorded last week.
    pub rejections: u64,
    /// Of those, coded within the contract's rejection window of the MQL's hand-over.
    pub coded_in_time: u64,
    /// Every rejected lead has a coded reason within 48 hours.
    pub every_rejection_coded_in_time: bool,
    /// The top three rejection reasons (what the CMO must be able to name).
    pub top_reasons: Vec<ReasonCountView>,
    pub top_reasons_known: bool,
    /// The campaign test marketing ran (what the CRO must be able to name).
    pub campaign_test: Option<String>,
    /// A test ran last week with at least two variants used.
    pub campaign_test_recorded: bool,
    /// All three hold.
    pub aligned: bool,
}

impl From<&AlignedChecklist> for AlignedChecklistView {
    fn from(c: &AlignedChecklist) -> Self {
        Self {
            rejections: c.rejections,
            coded_in_time: c.coded_in_time,
            every_rejection_coded_in_time: c.every_rejection_coded_in_time,
            top_reasons: c.top_reasons.iter().map(Into::into).collect(),
            top_reasons_known: c.top_reasons_known,
            campaign_test: c.campaign_test.clone(),
            campaign_test_recorded: c.campaign_test_recorded,
            aligned: c.aligned,
        }
    }
}

/// The fixed agenda (seed 004): last week's pipeline by source and segment, the rejection rate
/// and its top three reasons, stuck deals, one messaging test, the checklist, and the deals
/// lost.
#[derive(SimpleObject)]
pub struct ReviewAgenda {
    /// The Monday of the week under review (the week before the meeting).
    pub reviewed_from: DateTime<Utc>,
    pub reviewed_to: DateTime<Utc>,
    pub opportunities: u64,
    pub pipeline_created: f64,
    /// Largest first.
    pub pipeline_by_source: Vec<PipelineLineView>,
    pub pipeline_by_segment: Vec<PipelineLineView>,
    pub mqls: u64,
    pub rejections: u64,
    /// rejections / mqls, last week.
    pub rejection_rate: Option<f64>,
    pub top_reasons: Vec<ReasonCountView>,
    /// Most overdue first.
    pub stuck_deals: Vec<StuckDealView>,
    pub test: Option<TestResultView>,
    pub checklist: AlignedChecklistView,
    /// Last week's lost deals with their reasons and marketing's share (win/loss).
    pub lost_deals: LostDealsView,
}

impl From<&Agenda> for ReviewAgenda {
    fn from(a: &Agenda) -> Self {
        Self {
            reviewed_from: a.reviewed.from,
            reviewed_to: a.reviewed.to,
            opportunities: a.opportunities,
            pipeline_created: a.pipeline_created,
            pipeline_by_source: a.pipeline_by_source.iter().map(Into::into).collect(),
            pipeline_by_segment: a.pipeline_by_segment.iter().map(Into::into).collect(),
            mqls: a.mqls,
            rejections: a.rejections,
            rejection_rate: a.rejection_rate,
            top_reasons: a.top_reasons.iter().map(Into::into).collect(),
            stuck_deals: a.stuck_deals.iter().map(Into::into).collect(),
            test: a.test.as_ref().map(Into::into),
            checklist: (&a.checklist).into(),
            lost_deals: (&a.lost_deals).into(),
        }
    }
}

/// Something a person owes the team.
#[derive(SimpleObject)]
pub struct ActionItemView {
    pub id: ID,
    pub review_id: Option<ID>,
    pub title: String,
    /// The user who owns it.
    pub owner_id: ID,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<&action_item::Model> for ActionItemView {
    fn from(i: &action_item::Model) -> Self {
        Self {
            id: i.id.into(),
            review_id: i.review_id.map(Into::into),
            title: i.title.clone(),
            owner_id: i.owner_id.into(),
            due_at: i.due_at,
            created_at: i.created_at,
            completed_at: i.completed_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct AttendeeView {
    pub user_id: ID,
    pub role: Role,
    pub present: bool,
}

#[derive(SimpleObject)]
pub struct DecisionView {
    pub id: ID,
    pub decision: String,
    pub recorded_by: ID,
    pub recorded_at: DateTime<Utc>,
}

/// One week's meeting as recorded.
#[derive(SimpleObject)]
pub struct ReviewMeeting {
    pub id: ID,
    pub week_of: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub started_by: ID,
    pub attendance: Vec<AttendeeView>,
    pub marketing_leader_present: bool,
    pub sales_leader_present: bool,
    /// No meeting when both the marketing leader and the sales leader are absent.
    pub quorum_met: bool,
    /// The decision log, in the order decided.
    pub decisions: Vec<DecisionView>,
    pub log_published_at: Option<DateTime<Utc>>,
    /// The log was (or is still not) published more than 24 hours after the meeting started.
    pub log_late: bool,
    pub action_items: Vec<ActionItemView>,
}

impl ReviewMeeting {
    pub(super) fn new(m: &Meeting, as_of: DateTime<Utc>) -> Self {
        let quorum = m.quorum();
        Self {
            id: m.review.id.into(),
            week_of: m.review.week_of,
            started_at: m.review.started_at,
            started_by: m.review.started_by.into(),
            attendance: m
                .attendance
                .iter()
                .map(|(row, role)| AttendeeView {
                    user_id: row.user_id.into(),
                    role: *role,
                    present: row.present,
                })
                .collect(),
            marketing_leader_present: quorum.marketing_leader_present,
            sales_leader_present: quorum.sales_leader_present,
            quorum_met: quorum.met(),
            decisions: m
                .decisions
                .iter()
                .map(|d| DecisionView {
                    id: d.id.into(),
                    decision: d.decision.clone(),
                    recorded_by: d.recorded_by.into(),
                    recorded_at: d.recorded_at,
                })
                .collect(),
            log_published_at: m.review.log_published_at,
            log_late: log_late(&m.session(), as_of),
            action_items: m.action_items.iter().map(Into::into).collect(),
        }
    }
}

/// The review of one week: its agenda, its meeting (once started) and the review's own metrics.
#[derive(SimpleObject)]
pub struct RevenueReview {
    /// The Monday of the meeting's week.
    pub week_of: NaiveDate,
    pub agenda: ReviewAgenda,
    pub meeting: Option<ReviewMeeting>,
    /// Open action items created more than two weeks ago, oldest first.
    pub stale_action_items: Vec<ActionItemView>,
    /// Decisions recorded / meetings held (with quorum) over the last 13 weeks.
    pub decisions_per_meeting: Option<f64>,
}

/// A messaging test with its variants' counts so far.
#[derive(SimpleObject)]
pub struct MessagingTestView {
    pub id: ID,
    pub name: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub result: TestResultView,
}

impl MessagingTestView {
    pub(super) fn new(row: &messaging_test::Model, test: &MessagingTest) -> Self {
        Self {
            id: row.id.into(),
            name: row.name.clone(),
            started_at: row.started_at,
            ended_at: row.ended_at,
            result: (&crate::domain::review::test_result(test)).into(),
        }
    }
}
