//! A rep's day: the cadence tasks due (`myTasks`), completing them, and logging touches that
//! apply the plays' exit criteria.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{
    enrollment, task, touch, Channel, EnrollmentStatus, MessageTheme, TaskStatus, TouchOutcome,
};
use uuid::Uuid;

use super::{
    catalog::Asset,
    context::ContextExt,
    leads::Lead,
    loaders::{load_one, Loaders},
    pagination::{connection, Page, PageArgs},
    plays::Play,
};
use crate::{
    domain::{permissions::Permission, validate},
    error::AppResult,
    services::plays::{
        tasks,
        touches::{self, TouchInput},
    },
    store::{self, parse_id},
};

/// A cadence step to do for one lead.
pub struct Task(pub task::Model);

#[Object]
impl Task {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    /// 1-based position in the cadence.
    async fn step(&self) -> i32 {
        self.0.step
    }
    async fn day_offset(&self) -> i32 {
        self.0.day_offset
    }
    async fn channel(&self) -> Channel {
        self.0.channel
    }
    async fn theme(&self) -> MessageTheme {
        self.0.theme
    }
    async fn instructions(&self) -> Option<&str> {
        self.0.instructions.as_deref()
    }
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    async fn status(&self) -> TaskStatus {
        self.0.status
    }
    /// Open and past its due time.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.status == TaskStatus::Open && self.0.due_at < ctx.state().clock.now()
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>> {
        let Some(id) = self.0.asset_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().assets(), id)
            .await?
            .map(Asset))
    }
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        Ok(load_one(
            ctx.data_unchecked::<Loaders>().contacts(),
            self.0.contact_id,
        )
        .await?
        .map(Lead))
    }
    async fn play(&self, ctx: &Context<'_>) -> Result<Option<Play>> {
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().plays(), self.0.play_id)
                .await?
                .map(Play),
        )
    }
}

/// A logged rep activity.
#[derive(SimpleObject)]
pub struct Touch {
    pub id: ID,
    pub lead_id: ID,
    pub actor_id: ID,
    pub channel: Channel,
    pub outcome: TouchOutcome,
    pub asset_id: Option<ID>,
    pub task_id: Option<ID>,
    pub play_id: Option<ID>,
    pub note: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl From<touch::Model> for Touch {
    fn from(row: touch::Model) -> Self {
        Self {
            id: row.id.into(),
            lead_id: row.contact_id.into(),
            actor_id: row.actor_id.into(),
            channel: row.channel,
            outcome: row.outcome,
            asset_id: row.asset_id.map(Into::into),
            task_id: row.task_id.map(Into::into),
            play_id: row.play_id.map(Into::into),
            note: row.note,
            occurred_at: row.occurred_at,
        }
    }
}

/// One lead's run through one play.
pub struct Enrollment(pub enrollment::Model);

#[Object]
impl Enrollment {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn play(&self, ctx: &Context<'_>) -> Result<Option<Play>> {
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().plays(), self.0.play_id)
                .await?
                .map(Play),
        )
    }
    async fn owner_id(&self) -> ID {
        self.0.owner_id.into()
    }
    async fn status(&self) -> EnrollmentStatus {
        self.0.status
    }
    async fn enrolled_at(&self) -> DateTime<Utc> {
        self.0.enrolled_at
    }
    /// When the play runs out for this lead (a business day after its last step); empty while
    /// it waits for the contract's minimum touches.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }
    async fn first_touch_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_touch_at
    }
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::store::tasks::Due")]
pub enum TaskDue {
    /// Open and past due.
    Overdue,
    /// Due by the end of today (UTC), overdue included.
    Today,
    /// Not due yet.
    Upcoming,
}

#[derive(InputObject, Default)]
pub struct TaskFilter {
    /// Default OPEN.
    pub status: Option<TaskStatus>,
    pub due: Option<TaskDue>,
    pub play_id: Option<ID>,
    pub lead_id: Option<ID>,
}

#[derive(Default)]
pub struct WorkQuery;

#[Object]
impl WorkQuery {
    /// The caller's cadence tasks, soonest due first: open ones by default, filtered by due
    /// (OVERDUE, TODAY, UPCOMING), play or lead.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn my_tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Task>> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadLeads)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let filter = filter
            .unwrap_or_default()
            .into_store(&tenant, actor.user_id()?)
            .await?;
        let page = store::tasks::page_assigned(
            &tenant,
            &filter,
            state.clock.now(),
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Task))
    }
}

impl TaskFilter {
    /// The filter of `assignee`'s tasks; an id that is malformed or names no row of the
    /// workspace is NOT_FOUND at its field.
    async fn into_store(
        self,
        tenant: &store::ReadTenant<'_>,
        assignee: Uuid,
    ) -> AppResult<store::tasks::TaskFilter> {
        Ok(store::tasks::TaskFilter {
            assignee_id: assignee,
            status: self.status.unwrap_or(TaskStatus::Open),
            due: self.due.map(Into::into),
            play_id: tenant
                .filter_ref::<entity::play::Entity>(&self.play_id, "filter.playId")
                .await?,
            lead_id: tenant
                .filter_ref::<entity::contact::Entity>(&self.lead_id, "filter.leadId")
                .await?,
        })
    }
}

#[derive(InputObject)]
pub struct LogTouchInput {
    pub lead_id: ID,
    pub channel: Channel,
    pub outcome: TouchOutcome,
    pub asset_id: Option<ID>,
    /// The cadence task this touch carries out (it is completed).
    pub task_id: Option<ID>,
    pub note: Option<String>,
    /// Default now.
    pub occurred_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct LogTouchPayload {
    pub touch: Touch,
    /// The lead after the touch (accelerated, recycled or opted out by it).
    pub lead: Lead,
}

#[derive(Default)]
pub struct WorkMutation;

#[Object]
impl WorkMutation {
    /// Records a touch: it meets the first-touch SLA, counts toward the contract's minimum
    /// touches, completes its task, and applies the running plays' exit criteria (REPLIED or
    /// MEETING_BOOKED accelerate the lead; OPTED_OUT stops every play for the contact).
    async fn log_touch(&self, ctx: &Context<'_>, input: LogTouchInput) -> Result<LogTouchPayload> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadLeads)?;
        let id = |raw: &ID, noun: &'static str, field: &str| {
            parse_id(raw, noun).map_err(|e| e.at_field(field))
        };
        let input = TouchInput {
            lead_id: id(&input.lead_id, "lead", "input.leadId")?,
            channel: input.channel,
            outcome: input.outcome,
            asset_id: input
                .asset_id
                .as_ref()
                .map(|raw| id(raw, "asset", "input.assetId"))
                .transpose()?,
            task_id: input
                .task_id
                .as_ref()
                .map(|raw| id(raw, "task", "input.taskId"))
                .transpose()?,
            note: validate::optional_text(input.note.as_deref(), "input.note")?,
            occurred_at: input.occurred_at,
        };
        let logged = touches::log(ctx.state(), actor, workspace_id, input).await?;
        Ok(LogTouchPayload {
            touch: logged.touch.into(),
            lead: Lead(logged.lead),
        })
    }

    /// Marks one of the caller's tasks (or, for managers and leaders, their team's) done.
    async fn complete_task(&self, ctx: &Context<'_>, id: ID) -> Result<Task> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadLeads)?;
        let id = parse_id(&id, "task")?;
        Ok(Task(
            tasks::complete(ctx.state(), actor, workspace_id, id).await?,
        ))
    }
}
