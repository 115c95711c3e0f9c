//! Cadences and plays: what the revenue team agreed a rep does when a buyer shows interest.

use async_graphql::{Context, Enum, InputObject, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{cadence, play, Channel, MessageTheme, MqlKind, PlayStatus, TouchOutcome};
use serde_json::Value;
use uuid::Uuid;

use super::{
    catalog::{Asset, Campaign},
    context::ContextExt,
    criteria_input::CriteriaInput,
    loaders::{load_one, Loaders},
    pagination::{Page, PageArgs},
};
use crate::{
    domain::{
        permissions::Permission,
        plays::{
            CadenceStep as StepSpec, ExitCriteria, ExitTarget, PlayFigures, PlayTrigger,
            CONVERSION_TARGET,
        },
        validate,
    },
    error::AppError,
    services::plays::{
        cadences::{self, steps_of, CadenceDraft, CadencePatch},
        definitions::{self, asset_ids_of, exit_of, trigger_of, PlayDraft},
        figures,
    },
    store::{self, parse_id},
};

/// One touch of a cadence.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CadenceStep {
    /// Business days after enrollment (0: the day of it).
    pub day_offset: i32,
    pub channel: Channel,
    pub theme: MessageTheme,
    #[graphql(skip)]
    pub asset_id: Option<Uuid>,
    pub instructions: Option<String>,
}

#[async_graphql::ComplexObject]
impl CadenceStep {
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>> {
        let Some(id) = self.asset_id else {
            return Ok(None);
        };
        Ok(load_one(&ctx.data_unchecked::<Loaders>().assets, id)
            .await?
            .map(Asset))
    }
}

impl From<StepSpec> for CadenceStep {
    fn from(step: StepSpec) -> Self {
        Self {
            day_offset: step.day_offset as i32,
            channel: step.channel,
            theme: step.theme,
            asset_id: step.asset_id,
            instructions: step.instructions,
        }
    }
}

/// Ordered touches on business days, in the workspace calendar of the active contract.
pub struct Cadence(pub cadence::Model);

#[Object]
impl Cadence {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn steps(&self) -> Vec<CadenceStep> {
        steps_of(&self.0).into_iter().map(Into::into).collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject)]
pub struct CadenceStepInput {
    pub day_offset: i32,
    pub channel: Channel,
    pub theme: MessageTheme,
    pub asset_id: Option<ID>,
    pub instructions: Option<String>,
}

#[derive(InputObject)]
pub struct CadenceInput {
    pub name: String,
    pub description: Option<String>,
    /// At least one; day offsets never go back.
    pub steps: Vec<CadenceStepInput>,
}

#[derive(InputObject)]
pub struct UpdateCadenceInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub steps: Option<Vec<CadenceStepInput>>,
}

fn steps_input(steps: Vec<CadenceStepInput>) -> Result<Vec<StepSpec>, AppError> {
    steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let day_offset = u32::try_from(s.day_offset).map_err(|_| {
                AppError::bad_input(format!("input.steps[{i}].dayOffset"), "must be 0 or more")
            })?;
            let asset_id = s
                .asset_id
                .map(|raw| {
                    parse_id(&raw, "asset")
                        .map_err(|e| e.at_field(format!("input.steps[{i}].assetId")))
                })
                .transpose()?;
            Ok(StepSpec {
                day_offset,
                channel: s.channel,
                theme: s.theme,
                asset_id,
                instructions: s.instructions.map(|t| t.trim().to_owned()),
            })
        })
        .collect()
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PlayTriggerKind {
    /// Engagement events of the named types for leads meeting the criteria.
    Event,
    /// An MQL was routed to its rep.
    MqlAssigned,
    /// The lead's engagement score reached `threshold`.
    ScoreThreshold,
    /// The PQL score reached the contract's PQL threshold.
    PqlReached,
    /// An open deal sat in its stage longer than that stage's median (its primary contact).
    OpportunityStalled,
    /// A deal was lost: retarget its primary contact.
    ClosedLost,
    /// A business-domain lead at an account of `minEmployees` or more engaged (seed 002).
    EnterpriseDomain,
    /// A product event reported `teamSize`/`team_size`/`seats` of `threshold` or more.
    TeamSize,
    /// The security, trust or compliance page was viewed.
    SecurityPageViewed,
    /// A `trial_ending` event arrived for an account that is not a customer.
    TrialEnding,
}

/// A play's trigger; the fields a kind does not use are ignored.
#[derive(InputObject)]
pub struct PlayTriggerInput {
    pub kind: PlayTriggerKind,
    pub event_types: Option<Vec<String>>,
    pub criteria: Option<CriteriaInput>,
    pub threshold: Option<i32>,
    pub min_employees: Option<i32>,
    pub mql_kinds: Option<Vec<MqlKind>>,
}

fn required(value: Option<i32>, field: &str) -> Result<i32, AppError> {
    value.ok_or_else(|| {
        AppError::bad_input(format!("input.trigger.{field}"), "required for this kind")
    })
}

impl PlayTriggerInput {
    fn into_trigger(self) -> Result<PlayTrigger, AppError> {
        Ok(match self.kind {
            PlayTriggerKind::Event => PlayTrigger::Event {
                event_types: self.event_types.unwrap_or_default(),
                criteria: self.criteria.as_ref().map(CriteriaInput::to_json),
            },
            PlayTriggerKind::MqlAssigned => PlayTrigger::MqlAssigned {
                mql_kinds: self.mql_kinds.unwrap_or_default(),
            },
            PlayTriggerKind::ScoreThreshold => PlayTrigger::ScoreThreshold {
                threshold: required(self.threshold, "threshold")?,
            },
            PlayTriggerKind::PqlReached => PlayTrigger::PqlReached,
            PlayTriggerKind::OpportunityStalled => PlayTrigger::OpportunityStalled,
            PlayTriggerKind::ClosedLost => PlayTrigger::ClosedLost,
            PlayTriggerKind::EnterpriseDomain => PlayTrigger::EnterpriseDomain {
                min_employees: i64::from(required(self.min_employees, "minEmployees")?),
            },
            PlayTriggerKind::TeamSize => PlayTrigger::TeamSize {
                threshold: i64::from(required(self.threshold, "threshold")?),
            },
            PlayTriggerKind::SecurityPageViewed => PlayTrigger::SecurityPageViewed,
            PlayTriggerKind::TrialEnding => PlayTrigger::TrialEnding,
        })
    }
}

/// A play's trigger as stored.
#[derive(SimpleObject)]
pub struct PlayTriggerSpec {
    pub kind: PlayTriggerKind,
    pub event_types: Vec<String>,
    /// Criteria language JSON, for EVENT triggers.
    pub criteria: Option<Json<Value>>,
    pub threshold: Option<i64>,
    pub min_employees: Option<i64>,
    pub mql_kinds: Vec<MqlKind>,
}

impl From<PlayTrigger> for PlayTriggerSpec {
    fn from(trigger: PlayTrigger) -> Self {
        let mut spec = PlayTriggerSpec {
            kind: PlayTriggerKind::Event,
            event_types: Vec::new(),
            criteria: None,
            threshold: None,
            min_employees: None,
            mql_kinds: Vec::new(),
        };
        spec.kind = match trigger {
            PlayTrigger::Event {
                event_types,
                criteria,
            } => {
                spec.event_types = event_types;
                spec.criteria = criteria.map(Json);
                PlayTriggerKind::Event
            }
            PlayTrigger::MqlAssigned { mql_kinds } => {
                spec.mql_kinds = mql_kinds;
                PlayTriggerKind::MqlAssigned
            }
            PlayTrigger::ScoreThreshold { threshold } => {
                spec.threshold = Some(i64::from(threshold));
                PlayTriggerKind::ScoreThreshold
            }
            PlayTrigger::PqlReached => PlayTriggerKind::PqlReached,
            PlayTrigger::OpportunityStalled => PlayTriggerKind::OpportunityStalled,
            PlayTrigger::ClosedLost => PlayTriggerKind::ClosedLost,
            PlayTrigger::EnterpriseDomain { min_employees } => {
                spec.min_employees = Some(min_employees);
                PlayTriggerKind::EnterpriseDomain
            }
            PlayTrigger::TeamSize { threshold } => {
                spec.threshold = Some(threshold);
                PlayTriggerKind::TeamSize
            }
            PlayTrigger::SecurityPageViewed => PlayTriggerKind::SecurityPageViewed,
            PlayTrigger::TrialEnding => PlayTriggerKind::TrialEnding,
        };
        spec
    }
}

/// How a play ends for a lead.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "ExitCriteriaInput")]
pub struct ExitCriteriaSpec {
    /// Touch outcomes that accelerate the lead (default REPLIED, MEETING_BOOKED).
    #[graphql(default_with = "vec![TouchOutcome::Replied, TouchOutcome::MeetingBooked]")]
    pub accelerate_on: Vec<TouchOutcome>,
    /// SQL is the seed's "into discovery".
    #[graphql(default_with = "ExitTarget::Sql")]
    pub accelerate_to: ExitTarget,
    /// Recycle as RE_ENGAGE after the last step without response (once the contract's minimum
    /// touches are logged).
    #[graphql(default = true)]
    pub recycle_when_exhausted: bool,
}

impl From<ExitCriteria> for ExitCriteriaSpec {
    fn from(exit: ExitCriteria) -> Self {
        Self {
            accelerate_on: exit.accelerate_on,
            accelerate_to: exit.accelerate_to,
            recycle_when_exhausted: exit.recycle_when_exhausted,
        }
    }
}

#[derive(InputObject)]
pub struct PlayInput {
    pub name: String,
    pub description: Option<String>,
    pub trigger: PlayTriggerInput,
    pub cadence_id: ID,
    /// The campaign this play follows up.
    pub campaign_id: Option<ID>,
    /// Content the play's touches use.
    #[graphql(default)]
    pub asset_ids: Vec<ID>,
    pub exit: Option<ExitCriteriaSpec>,
    /// Higher runs first (0-1000).
    #[graphql(default = 100)]
    pub priority: i32,
    /// A lead runs at most one exclusive play at a time.
    #[graphql(default = true)]
    pub exclusive: bool,
}

/// A play's live figures (seed 000): time to first touch, reply rate and conversion to
/// qualified opportunity against the 8-12% target.
#[derive(SimpleObject)]
pub struct PlayFiguresView {
    /// Leads ever enrolled.
    pub enrolled: u64,
    /// Enrollments still running.
    pub active: u64,
    /// Median minutes from enrollment to the first logged touch (the seed's target: < 24 h).
    pub first_touch_p50_minutes: Option<i64>,
    pub first_touch_p90_minutes: Option<i64>,
    /// Enrollments with a REPLIED or MEETING_BOOKED touch / enrollments.
    pub reply_rate: Option<f64>,
    /// Enrollments whose lead reached SQL or OPPORTUNITY after enrolling / enrollments.
    pub conversion_rate: Option<f64>,
    pub conversion_target_low: f64,
    pub conversion_target_high: f64,
    /// Whether conversion reached the low end of the target.
    pub on_target: Option<bool>,
}

impl From<PlayFigures> for PlayFiguresView {
    fn from(f: PlayFigures) -> Self {
        Self {
            on_target: f.on_target(),
            enrolled: f.enrolled,
            active: f.active,
            first_touch_p50_minutes: f.first_touch_p50_minutes,
            first_touch_p90_minutes: f.first_touch_p90_minutes,
            reply_rate: f.reply_rate,
            conversion_rate: f.conversion_rate,
            conversion_target_low: CONVERSION_TARGET.0,
            conversion_target_high: CONVERSION_TARGET.1,
        }
    }
}

/// A trigger that starts a cadence for a lead, with its assets and exit criteria.
pub struct Play(pub play::Model);

#[Object]
impl Play {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn status(&self) -> PlayStatus {
        self.0.status
    }
    async fn trigger(&self) -> Option<PlayTriggerSpec> {
        trigger_of(&self.0).map(Into::into)
    }
    async fn cadence(&self, ctx: &Context<'_>) -> Result<Option<Cadence>> {
        Ok(
            load_one(&ctx.data_unchecked::<Loaders>().cadences, self.0.cadence_id)
                .await?
                .map(Cadence),
        )
    }
    async fn campaign(&self, ctx: &Context<'_>) -> Result<Option<Campaign>> {
        let Some(id) = self.0.campaign_id else {
            return Ok(None);
        };
        Ok(load_one(&ctx.data_unchecked::<Loaders>().campaigns, id)
            .await?
            .map(Campaign))
    }
    async fn assets(&self, ctx: &Context<'_>) -> Result<Vec<Asset>> {
        let ids = asset_ids_of(&self.0);
        let loaded = ctx
            .data_unchecked::<Loaders>()
            .assets
            .load_many(ids.iter().copied())
            .await
            .map_err(|err| async_graphql::ErrorExtensions::extend(err.as_ref()))?;
        Ok(ids
            .iter()
            .filter_map(|id| loaded.get(id).cloned().map(Asset))
            .collect())
    }
    async fn exit(&self) -> ExitCriteriaSpec {
        exit_of(&self.0).into()
    }
    async fn priority(&self) -> i32 {
        self.0.priority
    }
    async fn exclusive(&self) -> bool {
        self.0.exclusive
    }
    /// Live figures, computed from enrollments, touches and the stage history.
    #[graphql(complexity = 20)]
    async fn figures(&self, ctx: &Context<'_>) -> Result<PlayFiguresView> {
        let tenant = ctx.state().store.tenant(self.0.workspace_id);
        Ok(figures::of_play(&tenant, self.0.id).await?.into())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
}

#[derive(InputObject, Default)]
pub struct PlayFilter {
    pub status: Option<PlayStatus>,
    pub campaign_id: Option<ID>,
}

#[derive(Default)]
pub struct PlayQuery;

#[Object]
impl PlayQuery {
    /// Cadences, oldest first (the seed's template first).
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn cadences(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Cadence>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        Ok(store::cadences::page(
            &state.store.tenant(workspace_id),
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
            Cadence,
        )
        .await?)
    }

    /// Plays, oldest first, by status or campaign.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn plays(
        &self,
        ctx: &Context<'_>,
        filter: Option<PlayFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Play>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let filter = filter.unwrap_or_default();
        let filter = store::plays::PlayFilter {
            status: filter.status,
            campaign_id: filter
                .campaign_id
                .map(|raw| parse_id(&raw, "campaign").map_err(|e| e.at_field("filter.campaignId")))
                .transpose()?,
        };
        let state = ctx.state();
        Ok(store::plays::page(
            &state.store.tenant(workspace_id),
            &filter,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
            Play,
        )
        .await?)
    }

    async fn play(&self, ctx: &Context<'_>, id: ID) -> Result<Play> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        Ok(Play(
            store::plays::get(&tenant, parse_id(&id, "play")?).await?,
        ))
    }
}

fn play_draft(input: PlayInput) -> Result<PlayDraft, AppError> {
    let parse = |raw: &ID, noun: &'static str, field: String| {
        parse_id(raw, noun).map_err(|e| e.at_field(field))
    };
    Ok(PlayDraft {
        name: validate::required_text(&input.name, "input.name", 200)?,
        description: validate::optional_text(input.description.as_deref(), "input.description")?,
        trigger: input.trigger.into_trigger()?,
        cadence_id: parse(&input.cadence_id, "cadence", "input.cadenceId".into())?,
        campaign_id: input
            .campaign_id
            .as_ref()
            .map(|raw| parse(raw, "campaign", "input.campaignId".into()))
            .transpose()?,
        asset_ids: input
            .asset_ids
            .iter()
            .enumerate()
            .map(|(i, raw)| parse(raw, "asset", format!("input.assetIds[{i}]")))
            .collect::<Result<_, _>>()?,
        exit: input
            .exit
            .map(|e| ExitCriteria {
                accelerate_on: e.accelerate_on,
                accelerate_to: e.accelerate_to,
                recycle_when_exhausted: e.recycle_when_exhausted,
            })
            .unwrap_or_default(),
        priority: input.priority,
        exclusive: input.exclusive,
    })
}

#[derive(Default)]
pub struct PlayMutation;

#[Object]
impl PlayMutation {
    /// A new cadence (revops and leaders).
    async fn create_cadence(&self, ctx: &Context<'_>, input: CadenceInput) -> Result<Cadence> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let draft = CadenceDraft {
            name: validate::required_text(&input.name, "input.name", 200)?,
            description: validate::optional_text(
                input.description.as_deref(),
                "input.description",
            )?,
            steps: steps_input(input.steps)?,
        };
        Ok(Cadence(
            cadences::create(ctx.state(), workspace_id, draft, actor.user_id().ok()).await?,
        ))
    }

    /// Changes a cadence; running enrollments keep the tasks they were given.
    async fn update_cadence(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateCadenceInput,
    ) -> Result<Cadence> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let patch = CadencePatch {
            name: input
                .name
                .map(|n| validate::required_text(&n, "input.name", 200))
                .transpose()?,
            description: input
                .description
                .map(|d| validate::optional_text(Some(&d), "input.description"))
                .transpose()?,
            steps: input.steps.map(steps_input).transpose()?,
        };
        let id = parse_id(&id, "cadence")?;
        Ok(Cadence(
            cadences::update(ctx.state(), workspace_id, id, patch).await?,
        ))
    }

    /// A new play, as a DRAFT.
    async fn create_play(&self, ctx: &Context<'_>, input: PlayInput) -> Result<Play> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let draft = play_draft(input)?;
        Ok(Play(
            definitions::create(ctx.state(), workspace_id, draft, actor.user_id().ok()).await?,
        ))
    }

    /// Replaces a play's definition; running enrollments keep their tasks.
    async fn update_play(&self, ctx: &Context<'_>, id: ID, input: PlayInput) -> Result<Play> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "play")?;
        let draft = play_draft(input)?;
        Ok(Play(
            definitions::update(ctx.state(), workspace_id, id, draft).await?,
        ))
    }

    /// DRAFT | PAUSED -> ACTIVE: the play starts enrolling leads whose trigger fires.
    async fn activate_play(&self, ctx: &Context<'_>, id: ID) -> Result<Play> {
        set_status(ctx, id, PlayStatus::Active).await
    }

    /// ACTIVE -> PAUSED: no new enrollments; running ones go on to their end.
    async fn pause_play(&self, ctx: &Context<'_>, id: ID) -> Result<Play> {
        set_status(ctx, id, PlayStatus::Paused).await
    }
}

async fn set_status(ctx: &Context<'_>, id: ID, status: PlayStatus) -> Result<Play> {
    let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
    let id = parse_id(&id, "play")?;
    Ok(Play(
        definitions::set_status(ctx.state(), workspace_id, id, status).await?,
    ))
}
