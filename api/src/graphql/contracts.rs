//! The lead contract: versions, terms, signatures.

use async_graphql::{Context, InputObject, Json, Object, Result, ID};
use chrono::{DateTime, Utc};
use entity::{lead_contract, ContractStatus};
use serde_json::Value;

use super::metrics::RangeInput;
use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
    pagination::{connection, list_order, narrowed, Page, PageArgs},
    types::User,
};
use crate::{
    domain::{metrics::Range, permissions::Permission},
    error::AppError,
    services::contracts,
    store::{self, parse_id},
};

/// One version of the written agreement between marketing and sales.
pub struct LeadContract(pub lead_contract::Model);

#[Object]
impl LeadContract {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn status(&self) -> ContractStatus {
        self.0.status
    }
    /// The terms: `acceptance`, `scoring` (behaviour rules, decay, MQL threshold, hand-raisers,
    /// PQL model), `slas` (first touch for WARM and HOT MQLs, status update, minimum touches,
    /// business calendar), `rejection` (window, reason codes), `sourceRule`, `commitments`,
    /// `routing` (`accountOwnerFirst`: lead-to-account routing before the rules) and `accounts`
    /// (`threshold`, `contactCap`: when an account is in market).
    async fn terms(&self) -> Json<Value> {
        Json(self.0.terms.clone())
    }
    async fn marketing_signed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        signer(ctx, self.0.marketing_signed_by).await
    }
    async fn marketing_signed_at(&self) -> Option<DateTime<Utc>> {
        self.0.marketing_signed_at
    }
    async fn sales_signed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        signer(ctx, self.0.sales_signed_by).await
    }
    async fn sales_signed_at(&self) -> Option<DateTime<Utc>> {
        self.0.sales_signed_at
    }
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

async fn signer(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(load_one(ctx.data_unchecked::<Loaders>().users(), id)
        .await?
        .map(User::from))
}

/// A back-test replays the last 90 days unless told otherwise.
const BACKTEST_DEFAULT_DAYS: i64 = 90;
/// The longest history one back-test replays.
const BACKTEST_MAX_DAYS: i64 = 366;

fn backtest_range(range: Option<RangeInput>, now: DateTime<Utc>) -> Result<Range, AppError> {
    let Some(range) = range else {
        // Up to the five minutes ahead an ingested event may be dated: the events of now are in.
        return Ok(Range {
            from: now - chrono::Duration::days(BACKTEST_DEFAULT_DAYS),
            to: now + chrono::Duration::minutes(5),
        });
    };
    if range.from >= range.to {
        return Err(AppError::bad_input("range.to", "must be later than `from`"));
    }
    if range.to - range.from > chrono::Duration::days(BACKTEST_MAX_DAYS) {
        return Err(AppError::bad_input(
            "range",
            format!("must span at most {BACKTEST_MAX_DAYS} days"),
        ));
    }
    Ok(range.into())
}

list_order!(LeadContractOrder, LeadContractOrderField => store::sorts::ContractSort, desc, {
    CreatedAt,
    Version,
});

#[derive(InputObject, Default)]
pub struct LeadContractFilter {
    pub status: Option<Vec<ContractStatus>>,
}

#[derive(Default)]
pub struct ContractQuery;

#[Object]
impl ContractQuery {
    /// Replays a contract's scoring and acceptance over the events of `range` (the last 90 days
    /// by default, at most 366 days): how many leads would have been MQLs, which deals won in
    /// the range it would have caught or missed, and the rejection rate to expect.
    #[graphql(complexity = "crate::graphql::cost::BACKTEST + child_complexity")]
    async fn backtest_lead_contract(
        &self,
        ctx: &Context<'_>,
        id: ID,
        range: Option<RangeInput>,
    ) -> Result<crate::services::backtest::Backtest> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        let state = ctx.state();
        let range = backtest_range(range, state.clock.now())?;
        let id = parse_id(&id, "lead contract")?;
        Ok(crate::services::backtest::of_contract(state, workspace_id, id, range).await?)
    }

    /// The active lead contract, if both leaders have signed one.
    async fn lead_contract(&self, ctx: &Context<'_>) -> Result<Option<LeadContract>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        Ok(contracts::active(&tenant).await?.map(LeadContract))
    }

    /// Contract versions, filtered and ordered (newest first by default); ties break on the
    /// id. `status` still works next to `filter.status`; both apply.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn lead_contracts(
        &self,
        ctx: &Context<'_>,
        status: Option<ContractStatus>,
        filter: Option<LeadContractFilter>,
        order_by: Option<LeadContractOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<LeadContract>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        let spec = store::filters::ContractFilter {
            status: narrowed(filter.unwrap_or_default().status, status),
        };
        let (sort, descending) = LeadContractOrder::sort(order_by);
        let page = store::lists::filtered::<lead_contract::Entity, _>(
            &state.store.tenant(workspace_id),
            &spec,
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, LeadContract))
    }
}

#[derive(Default)]
pub struct ContractMutation;

#[Object]
impl ContractMutation {
    /// A new draft copying `fromId`, or the active contract, or the latest version.
    async fn draft_lead_contract(
        &self,
        ctx: &Context<'_>,
        from_id: Option<ID>,
    ) -> Result<LeadContract> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let from = from_id
            .as_ref()
            .map(|id| parse_id(id, "lead contract"))
            .transpose()?;
        Ok(LeadContract(
            contracts::draft(ctx.state(), workspace_id, from, actor.user_id().ok()).await?,
        ))
    }

    /// Replaces the terms of a draft (its signatures are cleared); editing a signed or active
    /// version creates a new draft instead.
    async fn update_lead_contract(
        &self,
        ctx: &Context<'_>,
        id: ID,
        terms: Json<Value>,
    ) -> Result<LeadContract> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "lead contract")?;
        Ok(LeadContract(
            contracts::update(
                ctx.state(),
                workspace_id,
                id,
                &terms.0,
                actor.user_id().ok(),
            )
            .await?,
        ))
    }

    /// Signs a draft as the marketing leader or the sales leader; with both signatures it
    /// becomes the active contract.
    async fn sign_lead_contract(&self, ctx: &Context<'_>, id: ID) -> Result<LeadContract> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "lead contract")?;
        let role = actor
            .role
            .ok_or_else(|| AppError::forbidden("only people sign contracts"))?;
        let signed = contracts::sign(ctx.state(), workspace_id, id, actor.user_id()?, role).await?;
        Ok(LeadContract(signed))
    }
}

#[async_graphql::ComplexObject]
impl crate::services::backtest::BacktestSource {
    /// The source of the row's leads; null for leads of no source.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<super::catalog::Source>> {
        let Some(source_id) = self.source_id else {
            return Ok(None);
        };
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().sources(), source_id)
                .await?
                .map(super::catalog::Source),
        )
    }
}
