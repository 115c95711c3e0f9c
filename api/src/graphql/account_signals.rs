//! Accounts as a whole: `Account.buyingCommittee` (through a DataLoader: a page of accounts with
//! their committees costs two statements for all of them) and `accountsInMarket`, the
//! marketing-qualified accounts. The rules are in `domain::accounts`.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::account;
use uuid::Uuid;

use super::{
    accounts::Account,
    context::ContextExt,
    icps::PersonaPart,
    leads::Lead,
    loaders::{load_one, Loaders},
    pagination::{connection, Page, PageArgs},
};
use crate::{
    domain::{
        accounts::{Committee, MarketReason, PersonaSeat},
        fit::PersonaRole,
        permissions::Permission,
    },
    services::account_signals::{self, InMarket},
    store::{account_signals::InMarketFilter, parse_optional_id},
};

fn part(role: PersonaRole) -> PersonaPart {
    match role {
        PersonaRole::Triggers => PersonaPart::Triggers,
        PersonaRole::Influences => PersonaPart::Influences,
        PersonaRole::Blocks => PersonaPart::Blocks,
    }
}

/// Leads by id, in the order given, through the request's loader.
async fn leads(ctx: &Context<'_>, ids: &[Uuid]) -> Result<Vec<Lead>> {
    let loaded = ctx
        .data_unchecked::<Loaders>()
        .contacts()
        .load_many(ids.iter().copied())
        .await
        .map_err(|err| async_graphql::ErrorExtensions::extend(err.as_ref()))?;
    Ok(ids
        .iter()
        .filter_map(|id| loaded.get(id).cloned().map(Lead))
        .collect())
}

/// An account's buying committee under the active ICP of its motion.
pub struct BuyingCommittee(Committee);

#[Object]
impl BuyingCommittee {
    /// The ICP version whose personas these are.
    async fn icp(&self) -> &str {
        &self.0.icp
    }
    /// A TRIGGERS and an INFLUENCES persona each engaged in the last 30 days.
    async fn covered(&self) -> bool {
        self.0.covered()
    }
    /// Every persona of the ICP, in its order, with who fills it.
    async fn personas(&self) -> Vec<CommitteePersona> {
        self.0.seats.iter().cloned().map(CommitteePersona).collect()
    }
    /// The personas nobody at the account fills.
    async fn missing(&self) -> Vec<&str> {
        self.0
            .missing()
            .into_iter()
            .map(|s| s.persona.as_str())
            .collect()
    }
}

/// One persona of a buying committee.
pub struct CommitteePersona(PersonaSeat);

#[Object]
impl CommitteePersona {
    async fn persona(&self) -> &str {
        &self.0.persona
    }
    async fn role(&self) -> PersonaPart {
        part(self.0.role)
    }
    /// Nobody at the account is of this persona.
    async fn missing(&self) -> bool {
        self.0.is_missing()
    }
    /// Contacts of this persona at the account.
    async fn present(&self) -> i32 {
        self.0.present.len() as i32
    }
    /// Of them, those whose last engagement is within the last 30 days.
    #[graphql(name = "engaged30d")]
    async fn engaged_30d(&self) -> i32 {
        self.0.engaged_30d.len() as i32
    }
    /// Of them, those whose last engagement is within the last 90 days.
    #[graphql(name = "engaged90d")]
    async fn engaged_90d(&self) -> i32 {
        self.0.engaged_90d.len() as i32
    }
    /// Of them, those with an owner.
    async fn owned(&self) -> i32 {
        self.0.owned.len() as i32
    }
    /// The contacts of this persona (at most 20 of them, oldest first).
    async fn leads(&self, ctx: &Context<'_>) -> Result<Vec<Lead>> {
        let ids: Vec<Uuid> = self.0.present.iter().take(20).copied().collect();
        leads(ctx, &ids).await
    }
}

/// `Account.buyingCommittee`: null when no ICP of the account's motion is active.
pub async fn buying_committee(
    ctx: &Context<'_>,
    account: &account::Model,
) -> Result<Option<BuyingCommittee>> {
    ctx.actor()?.require(Permission::ReadAccounts)?;
    let facts = load_one(ctx.data_unchecked::<Loaders>().committees(), account.id).await?;
    let Some(facts) = facts else { return Ok(None) };
    let now = ctx.state().clock.now();
    Ok(account_signals::committee(account, &facts, now)?.map(BuyingCommittee))
}

/// What `accountsInMarket` is narrowed by.
#[derive(InputObject, Default)]
pub struct AccountsInMarketFilter {
    /// Accounts this member owns.
    pub owner_id: Option<ID>,
    /// Accounts in market since this moment or later.
    pub since: Option<DateTime<Utc>>,
}

/// A marketing-qualified account: its account score crossed the contract's account threshold.
pub struct AccountInMarket(InMarket);

#[Object]
impl AccountInMarket {
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        Ok(load_one(
            ctx.data_unchecked::<Loaders>().accounts(),
            self.0.signal.account_id,
        )
        .await?
        .map(Account))
    }
    /// The account score when it was last scored (`scoredAt`).
    async fn score(&self) -> i32 {
        self.0.signal.score
    }
    /// When it crossed the threshold.
    async fn in_market_since(&self) -> Option<DateTime<Utc>> {
        self.0.signal.in_market_since
    }
    /// When an event at the account last scored it.
    async fn scored_at(&self) -> DateTime<Utc> {
        self.0.signal.scored_at
    }
    /// Why it crossed: the contacts, personas and events behind the score at that moment.
    async fn reason(&self) -> Option<InMarketReason> {
        self.0.reason.clone().map(InMarketReason)
    }
}

/// Why an account is in market (see the README's "Accounts in market" for the formula).
pub struct InMarketReason(MarketReason);

#[Object]
impl InMarketReason {
    /// The contract's account threshold at the crossing.
    async fn threshold(&self) -> i32 {
        self.0.threshold
    }
    /// The account's fit score.
    async fn fit(&self) -> i32 {
        self.0.fit
    }
    /// Half the fit, rounded down.
    async fn fit_points(&self) -> i32 {
        self.0.fit_points
    }
    /// The contacts' engagement, each capped at the contract's `contactCap`.
    async fn engagement_points(&self) -> i32 {
        self.0.engagement_points
    }
    /// The contacts behind the score, most points first.
    async fn contacts(&self) -> Vec<InMarketContact> {
        self.0
            .contacts
            .iter()
            .map(|c| InMarketContact {
                lead_id: c.contact_id.into(),
                name: c.name.clone(),
                personas: c.personas.clone(),
                engagement: c.engagement,
                points: c.points,
            })
            .collect()
    }
    /// The ICP personas engaged in the last 30 days.
    async fn personas(&self) -> &[String] {
        &self.0.personas
    }
    /// The ICP personas nobody at the account fills.
    async fn missing_personas(&self) -> &[String] {
        &self.0.missing_personas
    }
    /// The events that scored the account over the threshold, by type.
    async fn events(&self) -> Vec<InMarketEvents> {
        self.0
            .events
            .iter()
            .map(|e| InMarketEvents {
                event_type: e.event_type.clone(),
                count: e.count as i32,
            })
            .collect()
    }
}

/// A contact behind an account score.
#[derive(SimpleObject)]
pub struct InMarketContact {
    pub lead_id: ID,
    pub name: Option<String>,
    /// The ICP personas the contact fills.
    pub personas: Vec<String>,
    /// Its engagement score at the crossing (decayed).
    pub engagement: i32,
    /// What it added: the engagement, capped.
    pub points: i32,
}

/// Events of one type.
#[derive(SimpleObject)]
pub struct InMarketEvents {
    pub event_type: String,
    pub count: i32,
}

#[derive(Default)]
pub struct AccountSignalQuery;

#[Object]
impl AccountSignalQuery {
    /// Marketing-qualified accounts: those whose account score crossed the lead contract's
    /// account threshold, newest crossing first, with the score and why.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn accounts_in_market(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AccountsInMarketFilter>,
    ) -> Result<Page<AccountInMarket>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadAccounts)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let spec = InMarketFilter {
            owner_id: parse_optional_id(&filter.owner_id, "owner")?,
            since: filter.since,
        };
        let tenant = state.store.tenant(workspace_id);
        let page = account_signals::in_market(
            &tenant,
            &spec,
            PageArgs::new(ctx, first, after, None, None),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, AccountInMarket))
    }
}
