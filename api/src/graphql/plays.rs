//! Cadences and plays: what the revenue team agreed a rep does when a buyer shows interest.

mod cadences;
mod definition;

use async_graphql::{Context, InputObject, Object, Result, ID};
use chrono::{DateTime, Utc};
use entity::{play, PlayStatus};

pub use self::{
    cadences::{Cadence, CadenceInput, CadenceStep, CadenceStepInput, UpdateCadenceInput},
    definition::{
        ExitCriteriaSpec, PlayFiguresView, PlayInput, PlayTriggerInput, PlayTriggerKind,
        PlayTriggerSpec,
    },
};
use super::{
    catalog::{Asset, Campaign},
    context::ContextExt,
    loaders::{load_one, Loaders},
    pagination::{connection, named_order, Page, PageArgs},
};
use crate::{
    domain::permissions::Permission,
    services::plays::{
        cadences as cadence_service,
        definitions::{self, asset_ids_of, exit_of, trigger_of},
        figures,
    },
    store::{self, parse_id},
};

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
        Ok(load_one(
            ctx.data_unchecked::<Loaders>().cadences(),
            self.0.cadence_id,
        )
        .await?
        .map(Cadence))
    }
    async fn campaign(&self, ctx: &Context<'_>) -> Result<Option<Campaign>> {
        let Some(id) = self.0.campaign_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().campaigns(), id)
            .await?
            .map(Campaign))
    }
    async fn assets(&self, ctx: &Context<'_>) -> Result<Vec<Asset>> {
        let ids = asset_ids_of(&self.0);
        let loaded = ctx
            .data_unchecked::<Loaders>()
            .assets()
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

named_order!(CadenceOrder, CadenceOrderField);

#[derive(InputObject, Default)]
pub struct CadenceFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
}

#[derive(Default)]
pub struct PlayQuery;

#[Object]
impl PlayQuery {
    /// Cadences, filtered and ordered (oldest first by default: the seed's template first);
    /// ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn cadences(
        &self,
        ctx: &Context<'_>,
        filter: Option<CadenceFilter>,
        order_by: Option<CadenceOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Cadence>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        let spec = store::filters::CadenceFilter {
            name_contains: filter.unwrap_or_default().name_contains,
        };
        let (sort, descending) = CadenceOrder::sort(order_by);
        let page = store::lists::filtered::<entity::cadence::Entity, _>(
            &state.store.tenant(workspace_id),
            &spec,
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Cadence))
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
        let state = ctx.state();
        let filter = store::plays::PlayFilter {
            status: filter.status,
            campaign_id: state
                .store
                .tenant(workspace_id)
                .filter_ref::<entity::campaign::Entity>(&filter.campaign_id, "filter.campaignId")
                .await?,
        };
        let page = store::plays::page(
            &state.store.tenant(workspace_id),
            &filter,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Play))
    }

    async fn play(&self, ctx: &Context<'_>, id: ID) -> Result<Play> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        Ok(Play(
            store::plays::get(&tenant, parse_id(&id, "play")?).await?,
        ))
    }
}

#[derive(Default)]
pub struct PlayMutation;

#[Object]
impl PlayMutation {
    /// A new cadence (revops and leaders).
    async fn create_cadence(&self, ctx: &Context<'_>, input: CadenceInput) -> Result<Cadence> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let draft = input.into_draft()?;
        Ok(Cadence(
            cadence_service::create(ctx.state(), workspace_id, draft, actor.user_id().ok()).await?,
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
        let patch = input.into_patch()?;
        let id = parse_id(&id, "cadence")?;
        Ok(Cadence(
            cadence_service::update(ctx.state(), workspace_id, id, patch).await?,
        ))
    }

    /// A new play, as a DRAFT.
    async fn create_play(&self, ctx: &Context<'_>, input: PlayInput) -> Result<Play> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let draft = input.into_draft()?;
        Ok(Play(
            definitions::create(ctx.state(), workspace_id, draft, actor.user_id().ok()).await?,
        ))
    }

    /// Replaces a play's definition; running enrollments keep their tasks.
    async fn update_play(&self, ctx: &Context<'_>, id: ID, input: PlayInput) -> Result<Play> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "play")?;
        let draft = input.into_draft()?;
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
