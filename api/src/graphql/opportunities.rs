//! Opportunities: active deals, won or lost in the end.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, Result, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{account, contact, opportunity, OpportunityStage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::{
    accounts::{optional_id, Account},
    catalog::Source,
    context::ContextExt,
    leads::Lead,
    loaders::{load_one, Loaders},
    pagination::{
        paginate, sort_value, time_key, OrderDirection, Ordering, Page, PageArgs, SortKind,
    },
    types::User,
};
use crate::{
    domain::{permissions::Permission, validate},
    error::{AppError, AppResult},
    services::{
        access,
        records::{self, member_ids},
    },
    store::{parse_id, Tenant},
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
        Ok(
            load_one(&ctx.data_unchecked::<Loaders>().accounts, self.0.account_id)
                .await?
                .map(Account),
        )
    }
    async fn primary_contact(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        let Some(id) = self.0.primary_contact_id else {
            return Ok(None);
        };
        Ok(load_one(&ctx.data_unchecked::<Loaders>().contacts, id)
            .await?
            .map(Lead))
    }
    /// The lead the deal came from.
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        let Some(id) = self.0.lead_id else {
            return Ok(None);
        };
        Ok(load_one(&ctx.data_unchecked::<Loaders>().contacts, id)
            .await?
            .map(Lead))
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        let Some(id) = self.0.source_id else {
            return Ok(None);
        };
        Ok(load_one(&ctx.data_unchecked::<Loaders>().sources, id)
            .await?
            .map(Source))
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(load_one(&ctx.data_unchecked::<Loaders>().users, id)
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

#[derive(InputObject)]
pub struct OpportunityInput {
    pub name: String,
    pub account_id: ID,
    pub primary_contact_id: Option<ID>,
    /// The lead the deal came from; its source is attributed unless `sourceId` says otherwise.
    pub lead_id: Option<ID>,
    pub source_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub amount: f64,
    /// ISO 4217; defaults to USD.
    pub currency: Option<String>,
    pub stage: Option<OpportunityStage>,
    pub close_date: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct OpportunityPatch {
    pub name: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<String>,
    /// An open stage; use `closeOpportunity` to win or lose.
    pub stage: Option<OpportunityStage>,
    pub close_date: MaybeUndefined<NaiveDate>,
    pub owner_id: MaybeUndefined<ID>,
    pub primary_contact_id: MaybeUndefined<ID>,
}

use crate::services::opportunities::is_closed;

async fn contact_in<C: sea_orm::ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    raw: &ID,
    field: &str,
) -> AppResult<contact::Model> {
    tenant.referenced::<contact::Entity>(raw, field).await
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
        use opportunity::Column as O;
        let mut query = tenant.select::<opportunity::Entity>();
        match filter.status {
            Some(OpportunityStatus::Open) => {
                query = query.filter(
                    O::Stage.is_not_in([OpportunityStage::ClosedWon, OpportunityStage::ClosedLost]),
                )
            }
            Some(OpportunityStatus::Won) => {
                query = query.filter(O::Stage.eq(OpportunityStage::ClosedWon))
            }
            Some(OpportunityStatus::Lost) => {
                query = query.filter(O::Stage.eq(OpportunityStage::ClosedLost))
            }
            None => {}
        }
        if let Some(stages) = filter.stage {
            query = query.filter(O::Stage.is_in(stages));
        }
        if let Some(id) = optional_id(&filter.account_id, "account")? {
            query = query.filter(O::AccountId.eq(id));
        }
        if let Some(id) = optional_id(&filter.owner_id, "owner")? {
            query = query.filter(O::OwnerId.eq(id));
        }
        if let Some(id) = optional_id(&filter.source_id, "source")? {
            query = query.filter(O::SourceId.eq(id));
        }
        if let Some(after) = filter.closed_after {
            query = query.filter(O::ClosedAt.gte(after));
        }
        if let Some(before) = filter.closed_before {
            query = query.filter(O::ClosedAt.lt(before));
        }
        let order = order_by.unwrap_or_default();
        let field = order.field;
        let (column, kind) = match field {
            OpportunityOrderField::CreatedAt => (O::CreatedAt, SortKind::Time),
            OpportunityOrderField::Amount => (O::Amount, SortKind::Float),
        };
        Ok(paginate(
            tenant.conn(),
            query,
            O::Id,
            Ordering {
                column,
                kind,
                descending: order.direction == OrderDirection::Desc,
            },
            move |row: &opportunity::Model| {
                let value = match field {
                    OpportunityOrderField::CreatedAt => time_key(row.created_at),
                    OpportunityOrderField::Amount => sort_value(row.amount),
                };
                (value, row.id)
            },
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
            Opportunity,
        )
        .await?)
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
        let tenant = ctx.state().store.tenant(workspace_id);
        let name = validate::required_text(&input.name, "input.name", 200)?;
        let amount = validate::non_negative_amount(input.amount, "input.amount")?;
        let currency =
            validate::currency(input.currency.as_deref().unwrap_or("USD"), "input.currency")?;
        let stage = input.stage.unwrap_or(OpportunityStage::Discovery);
        if is_closed(stage) {
            return Err(AppError::bad_input(
                "input.stage",
                "create the deal open, then closeOpportunity",
            )
            .into());
        }
        let account_id = tenant
            .referenced::<account::Entity>(&input.account_id, "input.accountId")
            .await?
            .id;
        let primary = match &input.primary_contact_id {
            Some(raw) => Some(contact_in(&tenant, raw, "input.primaryContactId").await?.id),
            None => None,
        };
        let lead = match &input.lead_id {
            Some(raw) => Some(contact_in(&tenant, raw, "input.leadId").await?),
            None => None,
        };
        let source_id = match &input.source_id {
            Some(raw) => Some(
                tenant
                    .referenced::<entity::source::Entity>(raw, "input.sourceId")
                    .await?
                    .id,
            ),
            None => lead.as_ref().and_then(|l| l.source_id),
        };
        let owner_id = match &input.owner_id {
            Some(raw) => Some(crate::services::records::owner(
                raw,
                &member_ids(&tenant).await?,
                "input.ownerId",
            )?),
            // A person's new deal is theirs unless they name its owner.
            None => actor.user_id().ok(),
        };
        access::require_on(&tenant, actor, Permission::UpdateDeal, owner_id).await?;
        // The deal and its first move commit together.
        let txn = ctx.state().store.begin_write().await?;
        let writer = crate::store::Tenant::new(&txn, workspace_id);
        let created = opportunity::Entity::insert(opportunity::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            name: Set(name),
            account_id: Set(account_id),
            primary_contact_id: Set(primary),
            lead_id: Set(lead.map(|l| l.id)),
            source_id: Set(source_id),
            owner_id: Set(owner_id),
            amount: Set(amount),
            currency: Set(currency),
            stage: Set(stage),
            close_date: Set(input.close_date),
            lost_reason: Set(None),
            created_at: Set(ctx.state().clock.now()),
            closed_at: Set(None),
            stage_changed_at: Set(Some(ctx.state().clock.now())),
            external_id: Set(None),
        })
        .exec_with_returning(writer.conn())
        .await
        .map_err(AppError::from)?;
        crate::services::opportunities::record_stage(
            &writer,
            &created,
            None,
            ctx.actor()?.user_id().ok(),
            created.created_at,
        )
        .await?;
        txn.commit().await.map_err(AppError::from)?;
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
        // The patch applies to the deal as it is once this write holds it: a close committed
        // meanwhile is seen (and refused below), never overwritten.
        let txn = ctx.state().store.begin_write().await?;
        let writer = crate::store::Tenant::new(&txn, workspace_id);
        let mut row = writer.get_for_update::<opportunity::Entity>(id).await?;
        access::require_on(&writer, actor, Permission::UpdateDeal, row.owner_id).await?;
        let mut stage_moved_from = None;
        if let Some(name) = input.name {
            row.name = validate::required_text(&name, "input.name", 200)?;
        }
        if let Some(amount) = input.amount {
            row.amount = validate::non_negative_amount(amount, "input.amount")?;
        }
        if let Some(currency) = input.currency {
            row.currency = validate::currency(&currency, "input.currency")?;
        }
        if let Some(stage) = input.stage {
            if is_closed(stage) || is_closed(row.stage) {
                return Err(AppError::bad_input(
                    "input.stage",
                    "closing and reopening go through closeOpportunity",
                )
                .into());
            }
            if stage != row.stage {
                stage_moved_from = Some(row.stage);
                row.stage = stage;
                row.stage_changed_at = Some(ctx.state().clock.now());
            }
        }
        input.close_date.update_to(&mut row.close_date);
        match &input.owner_id {
            MaybeUndefined::Value(raw) => {
                let owner = crate::services::records::owner(
                    raw,
                    &member_ids(&writer).await?,
                    "input.ownerId",
                )?;
                // Handing the deal over: the new owner must be in the actor's reach too.
                access::require_on(&writer, actor, Permission::UpdateDeal, Some(owner)).await?;
                row.owner_id = Some(owner);
            }
            MaybeUndefined::Null => {
                access::require_on(&writer, actor, Permission::UpdateDeal, None).await?;
                row.owner_id = None;
            }
            MaybeUndefined::Undefined => {}
        }
        match &input.primary_contact_id {
            MaybeUndefined::Value(raw) => {
                row.primary_contact_id =
                    Some(contact_in(&writer, raw, "input.primaryContactId").await?.id)
            }
            MaybeUndefined::Null => row.primary_contact_id = None,
            MaybeUndefined::Undefined => {}
        }
        // The deal and its move commit together; the row's lock makes two moves of one deal
        // take turns, so each move's end is computed from the other's committed move.
        let updated = row
            .into_active_model()
            .reset_all()
            .update(writer.conn())
            .await
            .map_err(AppError::from)?;
        if let Some(from) = stage_moved_from {
            crate::services::opportunities::record_stage(
                &writer,
                &updated,
                Some(from),
                ctx.actor()?.user_id().ok(),
                ctx.state().clock.now(),
            )
            .await?;
        }
        txn.commit().await.map_err(AppError::from)?;
        Ok(Opportunity(updated))
    }

    /// Wins or loses the deal. A win makes the account a CUSTOMER.
    async fn close_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        won: bool,
        reason: Option<String>,
    ) -> Result<Opportunity> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        let id = parse_id(&id, "opportunity")?;
        let reason = validate::optional_text(reason.as_deref(), "reason")?;
        if !won && reason.is_none() {
            return Err(AppError::bad_input("reason", "say why the deal was lost").into());
        }
        let closed = crate::services::opportunities::close(
            ctx.state(),
            actor,
            workspace_id,
            id,
            won,
            reason,
        )
        .await?;
        Ok(Opportunity(closed))
    }

    /// Deletes a deal and its stage history (leaders, revops and admins).
    async fn delete_opportunity(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::WriteOpportunities)?;
        let deal = parse_id(&id, "opportunity")?;
        crate::services::opportunities::delete(ctx.state(), actor, workspace_id, deal).await?;
        Ok(id)
    }
}
