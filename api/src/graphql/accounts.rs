//! Accounts: the list, one account, and the batch upsert.

use async_graphql::{Context, InputObject, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{account, Lifecycle};

use super::{
    context::ContextExt,
    icps::PersonaPart,
    leads::Lead,
    loaders::{load_one, Loaders},
    opportunities::Opportunity,
    pagination::{connection, list_order, Page, PageArgs},
    types::User,
};
use crate::{
    domain::{
        fit::{FitLine, PersonaRole},
        permissions::Permission,
    },
    services::records::{self, AccountInput, UpsertResult},
    store::{self, filters, lists, parse_id, parse_optional_id},
};

/// One part of a fit: a criterion of the ICP and whether the record meets it, or (a lead's
/// only) a buying-committee persona marked TRIGGERS or BLOCKS, its points and whether the lead
/// is of that persona.
#[derive(SimpleObject, Clone)]
pub struct FitCriterion {
    /// The criterion's name, or the persona's.
    pub criterion: String,
    /// The criterion's weight, or the persona's points (TRIGGERS +15, BLOCKS -25).
    pub weight: i32,
    pub met: bool,
    /// The name of the ICP version that scored this line.
    pub icp: Option<String>,
    /// Set on persona lines: the persona's part in the buying committee.
    pub persona_role: Option<PersonaPart>,
}

pub fn fit_breakdown(stored: &Option<serde_json::Value>) -> Vec<FitCriterion> {
    let lines: Vec<FitLine> = stored
        .as_ref()
        .and_then(|json| serde_json::from_value(json.clone()).ok())
        .unwrap_or_default();
    lines
        .into_iter()
        .map(|line| FitCriterion {
            criterion: line.criterion,
            weight: line.weight,
            met: line.met,
            icp: line.icp,
            persona_role: line.persona_role.map(|role| match role {
                PersonaRole::Triggers => PersonaPart::Triggers,
                PersonaRole::Blocks => PersonaPart::Blocks,
                PersonaRole::Influences => PersonaPart::Influences,
            }),
        })
        .collect()
}

/// A target company.
pub struct Account(pub account::Model);

#[Object]
impl Account {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn domain(&self) -> &str {
        &self.0.domain
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    async fn employees(&self) -> Option<i64> {
        self.0.employees
    }
    /// Annual revenue in US dollars.
    async fn annual_revenue(&self) -> Option<f64> {
        self.0.annual_revenue
    }
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    async fn technologies(&self) -> Vec<String> {
        serde_json::from_value(self.0.technologies.clone()).unwrap_or_default()
    }
    async fn custom_attributes(&self) -> Json<serde_json::Value> {
        Json(self.0.custom.clone())
    }
    async fn segment(&self) -> Option<&str> {
        self.0.segment.as_deref()
    }
    async fn tier(&self) -> Option<&str> {
        self.0.tier.as_deref()
    }
    async fn lifecycle(&self) -> Lifecycle {
        self.0.lifecycle
    }
    async fn named_account(&self) -> bool {
        self.0.named_account
    }
    /// 0-100: how well the account matches the best active ICP.
    async fn fit_score(&self) -> i32 {
        self.0.fit_score
    }
    /// Each account criterion of the ICP behind `fitScore`, met or not.
    async fn fit_breakdown(&self) -> Vec<FitCriterion> {
        fit_breakdown(&self.0.fit_breakdown)
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(owner_id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().users(), owner_id)
            .await?
            .map(User::from))
    }
    /// The account's contacts, oldest first, a page at a time.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Lead>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let max = ctx.state().config.max_page_size;
        loaders
            .contacts_by_account()
            .page(ctx, self.0.id, first, after, max, Lead)
            .await
    }
    /// The account's deals, oldest first, a page at a time.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Opportunity>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let max = ctx.state().config.max_page_size;
        loaders
            .opportunities_by_account()
            .page(ctx, self.0.id, first, after, max, Opportunity)
            .await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The buying committee under the active ICP of the account's motion (LAND for a prospect,
    /// EXPAND for a customer): each persona present, engaged in the last 30 and 90 days, owned,
    /// or missing. Null when no such ICP is active.
    #[graphql(complexity = "super::cost::BUYING_COMMITTEE + child_complexity")]
    async fn buying_committee(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::account_signals::BuyingCommittee>> {
        Box::pin(super::account_signals::buying_committee(ctx, &self.0)).await
    }
}

#[derive(InputObject, Default)]
pub struct AccountFilter {
    pub segment: Option<String>,
    pub lifecycle: Option<Vec<Lifecycle>>,
    pub owner_id: Option<ID>,
    pub named_account: Option<bool>,
    pub industry: Option<String>,
    /// Lowest fit score, inclusive.
    pub fit_min: Option<i32>,
    /// Highest fit score, inclusive.
    pub fit_max: Option<i32>,
    /// Case-insensitive text in the name or the domain.
    pub search: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}

list_order!(AccountOrder, AccountOrderField => store::sorts::AccountSort, asc, {
    CreatedAt,
    UpdatedAt,
    Name,
    Domain,
    FitScore,
});

/// Parses an optional id filter (kept for the lists not yet on `store::parse_optional_id`).
pub fn optional_id(
    raw: &Option<ID>,
    noun: &'static str,
) -> crate::error::AppResult<Option<uuid::Uuid>> {
    parse_optional_id(raw, noun)
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Accounts, filtered and ordered; ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        filter: Option<AccountFilter>,
        order_by: Option<AccountOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Account>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadAccounts)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let spec = filters::AccountFilter {
            owner_id: parse_optional_id(&filter.owner_id, "owner")?,
            segment: filter.segment,
            lifecycle: filter.lifecycle,
            named_account: filter.named_account,
            industry: filter.industry,
            fit_min: filter.fit_min,
            fit_max: filter.fit_max,
            search: filter.search,
            created_after: filter.created_after,
            created_before: filter.created_before,
        };
        let (sort, descending) = AccountOrder::sort(order_by);
        let tenant = state.store.tenant(workspace_id);
        let rows = lists::sorted(
            &tenant,
            tenant.accounts_matching(&spec),
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(rows, Account))
    }

    async fn account(&self, ctx: &Context<'_>, id: ID) -> Result<Account> {
        let workspace_id = ctx.actor()?.require(Permission::ReadAccounts)?;
        let id = parse_id(&id, "account")?;
        let row = ctx
            .state()
            .store
            .tenant(workspace_id)
            .get::<account::Entity>(id)
            .await?;
        Ok(Account(row))
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates or updates up to 1,000 accounts by domain, answering item by item.
    async fn upsert_accounts(
        &self,
        ctx: &Context<'_>,
        accounts: Vec<AccountInput>,
    ) -> Result<Vec<UpsertResult>> {
        let workspace_id = ctx.actor()?.require(Permission::WriteAccounts)?;
        Ok(
            records::upsert_accounts(ctx.state(), workspace_id, accounts, records::Write::Commit)
                .await?,
        )
    }
}
