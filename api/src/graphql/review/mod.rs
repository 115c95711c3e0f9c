//! The weekly revenue review: the agenda built from the numbers, the meeting's record
//! (attendance and quorum, decisions, the published log), action items and messaging tests.

mod lost_deals;
mod views;

use async_graphql::{Context, InputObject, Object, Result, ID};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

pub use lost_deals::*;
pub use views::*;

use super::{
    context::ContextExt,
    pagination::{connection, list_order, named_order, Page, PageArgs},
};
use crate::{
    auth::Actor,
    domain::permissions::Permission,
    error::AppError,
    services::review::{
        self,
        action_items::{self, NewActionItem},
        meeting, NewTest,
    },
    store::{self, parse_id, parse_id_at},
};

#[derive(InputObject)]
pub struct AttendanceInput {
    pub user_id: ID,
    pub present: bool,
}

#[derive(InputObject)]
pub struct ActionItemInput {
    /// The review it came out of, if any.
    pub review_id: Option<ID>,
    pub title: String,
    /// The user who owns it (a member of the workspace).
    pub owner_id: ID,
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct VariantInput {
    /// "A", "B", ...
    pub label: String,
    /// The asset (message or content) this variant sends, in cadence steps or campaigns.
    pub asset_id: ID,
}

#[derive(InputObject)]
pub struct MessagingTestInput {
    pub name: String,
    pub variants: Vec<VariantInput>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

fn runner(actor: &Actor) -> Result<(Uuid, Uuid), AppError> {
    let workspace_id = actor.require(Permission::RunRevenueReview)?;
    Ok((workspace_id, actor.user_id()?))
}

named_order!(ActionItemOrder, ActionItemOrderField, Title);

#[derive(InputObject, Default)]
pub struct ActionItemFilter {
    /// Case-insensitive text in the title.
    pub title_contains: Option<String>,
    /// Items this person owns.
    pub owner_id: Option<ID>,
}

list_order!(MessagingTestOrder, MessagingTestOrderField => store::sorts::MessagingTestSort, desc, {
    StartedAt,
    Name,
    CreatedAt,
});

#[derive(InputObject, Default)]
pub struct MessagingTestFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    /// Only the running tests (true) or only the ended ones (false).
    pub running: Option<bool>,
}

#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// The review of the week holding `weekOf` (this week by default): the agenda over the week
    /// before, the meeting once started, stale action items and decisions per meeting.
    #[graphql(complexity = "crate::graphql::cost::REVENUE_REVIEW + child_complexity")]
    async fn revenue_review(
        &self,
        ctx: &Context<'_>,
        week_of: Option<NaiveDate>,
    ) -> Result<RevenueReview> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let review = review::of_week(ctx.state(), workspace_id, week_of).await?;
        Ok(RevenueReview {
            week_of: review.agenda.week_of,
            agenda: (&review.agenda).into(),
            meeting: review
                .meeting
                .as_ref()
                .map(|m| ReviewMeeting::new(m, review.as_of)),
            stale_action_items: review.stale_action_items.iter().map(Into::into).collect(),
            decisions_per_meeting: review.decisions_per_meeting,
        })
    }

    /// Action items, open ones only by default, filtered and ordered (oldest first by
    /// default); ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn action_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] open_only: bool,
        filter: Option<ActionItemFilter>,
        order_by: Option<ActionItemOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<ActionItemView>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let spec = store::filters::ActionItemFilter {
            title_contains: filter.title_contains,
            owner_id: store::parse_optional_id(&filter.owner_id, "owner")?,
            open_only,
        };
        let (sort, descending) = ActionItemOrder::sort(order_by);
        let page = store::lists::filtered::<entity::action_item::Entity, _>(
            &state.store.tenant(workspace_id),
            &spec,
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, |row| ActionItemView::from(&row)))
    }

    /// Messaging and campaign tests, filtered and ordered (most recently started first by
    /// default); ties break on the id. `runningOnly` keeps the running ones unless
    /// `filter.running` says otherwise.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn messaging_tests(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] running_only: bool,
        filter: Option<MessagingTestFilter>,
        order_by: Option<MessagingTestOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<MessagingTestView>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let filter = filter.unwrap_or_default();
        let spec = store::filters::MessagingTestFilter {
            name_contains: filter.name_contains,
            running: filter.running.or(running_only.then_some(true)),
        };
        let page = review::test_page(
            ctx.state(),
            workspace_id,
            &spec,
            MessagingTestOrder::sort(order_by),
            PageArgs::new(ctx, first, after, last, before),
        )
        .await?;
        Ok(connection(page, |(row, test)| {
            MessagingTestView::new(&row, &test)
        }))
    }
}

#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// Opens the review of the week holding `weekOf` (this week by default); one per week.
    async fn start_revenue_review(
        &self,
        ctx: &Context<'_>,
        week_of: Option<NaiveDate>,
    ) -> Result<ReviewMeeting> {
        let (workspace_id, me) = runner(ctx.actor()?)?;
        let state = ctx.state();
        let meeting = meeting::start(state, workspace_id, week_of, me).await?;
        Ok(ReviewMeeting::new(&meeting, state.clock.now()))
    }

    /// Records who attended (a person recorded again is updated). The quorum: the meeting is
    /// held unless both the marketing leader and the sales leader are absent.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        review_id: ID,
        attendance: Vec<AttendanceInput>,
    ) -> Result<ReviewMeeting> {
        let (workspace_id, _) = runner(ctx.actor()?)?;
        let review_id = parse_id(&review_id, "revenue review")?;
        let entries = attendance
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let field = format!("attendance.{i}.userId");
                Ok((parse_id_at(&a.user_id, "member", &field)?, a.present))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let state = ctx.state();
        let meeting = meeting::record_attendance(state, workspace_id, review_id, &entries).await?;
        Ok(ReviewMeeting::new(&meeting, state.clock.now()))
    }

    /// Adds a decision to the meeting's log (CONFLICT without a quorum or once published).
    async fn record_decision(
        &self,
        ctx: &Context<'_>,
        review_id: ID,
        decision: String,
    ) -> Result<ReviewMeeting> {
        let (workspace_id, me) = runner(ctx.actor()?)?;
        let review_id = parse_id(&review_id, "revenue review")?;
        let state = ctx.state();
        let meeting =
            meeting::record_decision(state, workspace_id, review_id, &decision, me).await?;
        Ok(ReviewMeeting::new(&meeting, state.clock.now()))
    }

    /// Publishes the decision log with the review; due within 24 hours of the meeting.
    async fn publish_decision_log(
        &self,
        ctx: &Context<'_>,
        review_id: ID,
    ) -> Result<ReviewMeeting> {
        let (workspace_id, me) = runner(ctx.actor()?)?;
        let review_id = parse_id(&review_id, "revenue review")?;
        let state = ctx.state();
        let meeting = meeting::publish_log(state, workspace_id, review_id, me).await?;
        Ok(ReviewMeeting::new(&meeting, state.clock.now()))
    }

    /// An action item with an owner and a due time, usually out of a review.
    async fn create_action_item(
        &self,
        ctx: &Context<'_>,
        input: ActionItemInput,
    ) -> Result<ActionItemView> {
        let (workspace_id, me) = runner(ctx.actor()?)?;
        let review_id = input
            .review_id
            .as_ref()
            .map(|raw| parse_id_at(raw, "revenue review", "input.reviewId"))
            .transpose()?;
        let item = NewActionItem {
            review_id,
            title: input.title,
            owner_id: parse_id_at(&input.owner_id, "member", "input.ownerId")?,
            due_at: input.due_at,
        };
        let row = action_items::create(ctx.state(), workspace_id, item, me).await?;
        Ok((&row).into())
    }

    /// Completes an action item: its owner may, and so may whoever runs the review.
    async fn complete_action_item(&self, ctx: &Context<'_>, id: ID) -> Result<ActionItemView> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadMetrics)?;
        let me = actor.user_id()?;
        let runs_reviews = actor.require(Permission::RunRevenueReview).is_ok();
        let id = parse_id(&id, "action item")?;
        let row = action_items::complete(ctx.state(), workspace_id, id, me, runs_reviews).await?;
        Ok((&row).into())
    }

    /// Ends a running messaging test now; the answer holds its result (CONFLICT once ended).
    async fn end_messaging_test(&self, ctx: &Context<'_>, id: ID) -> Result<MessagingTestView> {
        let workspace_id = ctx.actor()?.require(Permission::ManageCatalog)?;
        let id = parse_id(&id, "messaging test")?;
        let (row, test) = review::end_test(ctx.state(), workspace_id, id).await?;
        Ok(MessagingTestView::new(&row, &test))
    }

    /// A messaging or campaign test: two or more variants, each an asset used in cadence steps
    /// or campaigns; reply rates come from the touches that used them.
    async fn create_messaging_test(
        &self,
        ctx: &Context<'_>,
        input: MessagingTestInput,
    ) -> Result<MessagingTestView> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageCatalog)?;
        let me = actor.user_id()?;
        let test = NewTest {
            name: input.name,
            variants: input
                .variants
                .into_iter()
                .map(|v| (v.label, v.asset_id))
                .collect(),
            started_at: input.started_at,
            ended_at: input.ended_at,
        };
        let (row, counted) = review::start_test(ctx.state(), workspace_id, test, me).await?;
        Ok(MessagingTestView::new(&row, &counted))
    }
}
