//! Opportunities: active deals, won or lost in the end.

use async_graphql::{Context, Enum, InputObject, Object, Result, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{opportunity, OpportunityStage};

use super::{
    accounts::{optional_id, Account},
    catalog::Source,
    context::ContextExt,
    leads::Lead,
    loaders::{load_one, Loaders},
    pagination::{connection, OrderDirection, Page, PageArgs},
    types::User,
};
use crate::{
    domain::{permissions::Permission, validate},
    error::AppError,
    services::{
        access,
        opportunities::{self, OpportunityInput, OpportunityPatch},
        records,
    },
    store::{opportunities as deals, parse_id},
};

/// A deal with an amount, a stage and a close date.
pub struct Opportunity(pub opportunity::Model);

#[Object]
impl Opportunity {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The partner system's id, for deals written by `upsertOpportunities` or an import.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        Ok(load_one(
            ctx.data_unchecked::<Loaders>().accounts(),
            self.0.account_id,
        )
        .await?
        .map(Account))
    }
    async fn primary_contact(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        let Some(id) = self.0.primary_contact_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().contacts(), id)
            .await?
            .map(Lead))
    }
    /// The lead the deal came from.
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        let Some(id) = self.0.lead_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().contacts(), id)
            .await?
            .map(Lead))
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        let Some(id) = self.0.source_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().sources(), id)
            .await?
            .map(Source))
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().users(), id)
            .await?
            .map(User::from))
    }
    async fn amount(&self) -> f64 {
        self.0.amount
    }
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    async fn stage(&self) -> OpportunityStage {
        self.0.stage
    }
    async fn close_date(&self) -> Option<NaiveDate> {
        self.0.close_date
    }
    async fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
    }
    /// The competitor the deal was up against (for a lost deal: lost to).
    async fn competitor(&self) -> Option<&str> {
        self.0.competitor.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum OpportunityStatus {
    Open,
    Won,
    Lost,
}

#[derive(InputObject, Default)]
pub struct OpportunityFilter {
    pub status: Option<OpportunityStatus>,
    pub stage: Option<Vec<OpportunityStage>>,
    pub account_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub source_id: Option<ID>,
    pub closed_after: Option<DateTime<Utc>>,
    pub closed_before: Option<DateTime<Utc>>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpportunityOrderField {
    #[default]
    CreatedAt,
    Amount,
}

#[derive(InputObject, Default)]
pub struct OpportunityOrder {
    pub field: OpportunityOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

#[derive(Default)]
pub struct OpportunityQuery;

#[Object]
impl OpportunityQuery {
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        filter: Option<OpportunityFilter>,
        order_by: Option<OpportunityOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Opportunity>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadOpportunities)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let filter = filter.unwrap_or_default();
        let spec = deals::DealFilter {
            status: filter.status.map(|status| match status {
                OpportunityStatus::Open => deals::DealStatus::Open,
                OpportunityStatus::Won => deals::DealStatus::Won,
                OpportunityStatus::Lost => deals::DealStatus::Lost,
            }),
            stages: filter.stage,
            account_id: tenant
                .filter_ref::<entity::account::Entity>(&filter.account_id, "filter.accountId")
                .await?,
            owner_id: optional_id(&filter.owner_id, "owner")?,
            source_id: tenant
                .filter_ref::<entity::source::Entity>(&filter.source_id, "filter.sourceId")
                .await?,
            closed_after: filter.closed_after,
            closed_before: filter.closed_before,
        };
        let order = order_by.unwrap_or_default();
        let sort = match order.field {
            OpportunityOrderField::CreatedAt => deals::DealOrder::CreatedAt,
            OpportunityOrderField::Amount => deals::DealOrder::Amount,
        };
        let page = deals::page(
            &tenant,
            &spec,
            sort,
            order.direction == OrderDirection::Desc,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Opportunity))
    }
}

#[derive(Default)]
pub struct OpportunityMutation;

#[Object]
impl OpportunityMutation {
    /// Creates or updates up to 1,000 deals by `externalId`, answering item by item.
    async fn upsert_opportunities(
        &self,
        ctx: &Context<'_>,
        opportunities: Vec<records::OpportunityUpsertInput>,
    ) -> Result<Vec<records::UpsertResult>> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        // An upsert by `externalId` may land on anyone's deal: it needs every deal in reach.
        access::require_on(
            &ctx.state().store.tenant(workspace_id),
            actor,
            Permission::UpdateDeal,
            None,
        )
        .await?;
        Ok(records::upsert_opportunities(
            ctx.state(),
            workspace_id,
            actor.user_id().ok(),
            opportunities,
            records::Write::Commit,
        )
        .await?)
    }

    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        input: OpportunityInput,
    ) -> Result<Opportunity> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        let created = opportunities::create(ctx.state(), actor, workspace_id, input).await?;
        Ok(Opportunity(created))
    }

    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: OpportunityPatch,
    ) -> Result<Opportunity> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        let id = parse_id(&id, "opportunity")?;
        let updated = opportunities::update(ctx.state(), actor, workspace_id, id, input).await?;
        Ok(Opportunity(updated))
    }

    /// Wins or loses the deal. A win makes the account a CUSTOMER. A loss needs a `reason`;
    /// `competitor` (at most 200 characters) names who it was lost to, or won against.
    async fn close_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        won: bool,
        reason: Option<String>,
        competitor: Option<String>,
    ) -> Result<Opportunity> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        let id = parse_id(&id, "opportunity")?;
        let reason = validate::optional_text(reason.as_deref(), "reason")?;
        if !won && reason.is_none() {
            return Err(AppError::bad_input("reason", "say why the deal was lost").into());
        }
        let competitor = validate::competitor(competitor.as_deref(), "competitor")?;
        let closed = opportunities::close(
            ctx.state(),
            actor,
            workspace_id,
            id,
            won,
            reason,
            competitor,
        )
        .await?;
        Ok(Opportunity(closed))
    }

    /// Deletes a deal and its stage history (leaders, revops and admins).
    async fn delete_opportunity(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        let deal = parse_id(&id, "opportunity")?;
        opportunities::delete(ctx.state(), actor, workspace_id, deal).await?;
        Ok(id)
    }
}
