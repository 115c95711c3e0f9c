//! Leads (contacts): the list, one lead, and the batch upsert.

use async_graphql::{Context, InputObject, Json, Object, Result, ID};
use chrono::{DateTime, Utc};
use entity::{contact, LeadStage};

use super::{
    accounts::{fit_breakdown, Account, FitCriterion},
    catalog::Source,
    context::ContextExt,
    lead_explain,
    loaders::{load_one, Loaders},
    pagination::{connection, list_order, Page, PageArgs},
    types::User,
};
use crate::{
    domain::permissions::Permission,
    services::records::{self, ContactInput, UpsertResult},
    store::{self, filters, lists, parse_id, parse_optional_id},
};

/// A person at an account, worked by marketing and sales.
///
/// The fields that read the database box their work (see `loaders::load_one` for why).
pub struct Lead(pub contact::Model);

#[Object]
impl Lead {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn persona(&self) -> Option<&str> {
        self.0.persona.as_deref()
    }
    async fn seniority(&self) -> Option<&str> {
        self.0.seniority.as_deref()
    }
    /// The email is at a free-mail domain (gmail.com, outlook.com, ...).
    async fn personal_email(&self) -> bool {
        self.0.personal_email
    }
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        let Some(account_id) = self.0.account_id else {
            return Ok(None);
        };
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().accounts(), account_id)
                .await?
                .map(Account),
        )
    }
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        let Some(source_id) = self.0.source_id else {
            return Ok(None);
        };
        Ok(
            load_one(ctx.data_unchecked::<Loaders>().sources(), source_id)
                .await?
                .map(Source),
        )
    }
    async fn source_detail(&self) -> Option<&str> {
        self.0.source_detail.as_deref()
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(owner_id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().users(), owner_id)
            .await?
            .map(User::from))
    }
    async fn stage(&self) -> LeadStage {
        self.0.stage
    }
    /// 0-100: how well the lead and its account match the best active ICP of its motion (EXPAND
    /// for a customer's contact, LAND otherwise), buying-committee personas counted.
    async fn fit_score(&self) -> i32 {
        self.0.fit_score
    }
    /// The parts of `fitScore`: each criterion of the ICP behind it, met or not, then each
    /// persona its buying committee marks TRIGGERS or BLOCKS, with its points; each line names
    /// the ICP.
    async fn fit_breakdown(&self) -> Vec<FitCriterion> {
        fit_breakdown(&self.0.fit_breakdown)
    }
    /// Behaviour points in the ledger before decay; see `scoreBreakdown` for the score now.
    async fn engagement_score(&self) -> i32 {
        self.0.engagement_score
    }
    async fn pql_score(&self) -> i32 {
        self.0.pql_score
    }
    /// HOT (a hand-raiser), WARM (by behaviour) or PQL (by product usage), once the lead is an
    /// MQL.
    async fn mql_kind(&self) -> Option<entity::MqlKind> {
        self.0.mql_kind
    }
    async fn assigned_at(&self) -> Option<DateTime<Utc>> {
        self.0.assigned_at
    }
    /// Since when this MQL, which no rep could take, waits in the unassigned queue; null once
    /// it is routed.
    async fn waiting_since(&self) -> Option<DateTime<Utc>> {
        self.0.waiting_since
    }
    /// Every rule that fired, with its points, and the decay in force now.
    async fn score_breakdown(&self, ctx: &Context<'_>) -> Result<lead_explain::LeadScore> {
        Box::pin(lead_explain::score(ctx, &self.0)).await
    }
    /// Why the lead is or is not an MQL under the active contract, criterion by criterion.
    async fn qualification(&self, ctx: &Context<'_>) -> Result<lead_explain::Qualification> {
        Box::pin(lead_explain::qualification(ctx, &self.0)).await
    }
    /// Which routing rule sent the lead to its owner, and why.
    async fn routing(&self) -> Option<Json<serde_json::Value>> {
        lead_explain::routing(&self.0)
    }
    /// Every stage change, oldest first, a page at a time: from, to, when, who, why.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn stage_history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<lead_explain::StageChangeOut>> {
        Box::pin(lead_explain::history(ctx, &self.0, first, after)).await
    }
    async fn tags(&self) -> Vec<String> {
        serde_json::from_value(self.0.tags.clone()).unwrap_or_default()
    }
    /// The lead's recycling tag while it is recycled (FUTURE, RE_ENGAGE, CHECK_BACK).
    async fn recycle_tag(&self) -> Option<super::lead_actions::RecycleTag> {
        self.0
            .recycle_tag
            .as_deref()
            .and_then(super::lead_actions::RecycleTag::parse)
    }
    /// The date a CHECK_BACK lead returns to its owner (with a CHECK_BACK_DUE trigger); null
    /// once it has.
    async fn check_back_on(&self) -> Option<chrono::NaiveDate> {
        self.0.check_back_on
    }
    /// When the contact asked not to be contacted (every play stopped then).
    async fn opted_out_at(&self) -> Option<DateTime<Utc>> {
        self.0.opted_out_at
    }
    /// The plays the lead ran or is running, oldest first, a page at a time.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<super::work::Enrollment>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let max = ctx.state().config.max_page_size;
        loaders
            .enrollments_by_contact()
            .page(ctx, self.0.id, first, after, max, super::work::Enrollment)
            .await
    }
    /// Everything that happened to the lead in one list, newest first: its events, the points
    /// they earned (score entries), its stage changes, the triggers about it (with their intel)
    /// and the touches logged, a page at a time (one read per kind and page). Items of one
    /// moment come as EVENT, SCORE_ENTRY, STAGE_CHANGE, TRIGGER, TOUCH.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<async_graphql::connection::Connection<String, super::timeline::TimelineEntry>> {
        Box::pin(super::timeline::page(ctx, &self.0, first, after)).await
    }
    /// Every touch logged, oldest first, a page at a time.
    #[graphql(complexity = "super::cost::page_cost(first, child_complexity)")]
    async fn touches(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<super::work::Touch>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        let max = ctx.state().config.max_page_size;
        loaders
            .touches_by_contact()
            .page(ctx, self.0.id, first, after, max, super::work::Touch::from)
            .await
    }
    async fn custom_attributes(&self) -> Json<serde_json::Value> {
        Json(self.0.custom.clone())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(InputObject, Default)]
pub struct LeadFilter {
    pub stage: Option<Vec<LeadStage>>,
    /// The segment of the lead's account.
    pub segment: Option<String>,
    pub owner_id: Option<ID>,
    pub source_id: Option<ID>,
    pub account_id: Option<ID>,
    pub fit_min: Option<i32>,
    pub fit_max: Option<i32>,
    /// Case-insensitive text in the name or the email.
    pub search: Option<String>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Leads recycled with this tag.
    pub recycle_tag: Option<super::lead_actions::RecycleTag>,
    /// Leads carrying every one of these tags.
    pub tags: Option<Vec<String>>,
}

list_order!(LeadOrder, LeadOrderField => store::sorts::LeadSort, asc, {
    CreatedAt,
    UpdatedAt,
    FitScore,
    EngagementScore,
});

#[derive(Default)]
pub struct LeadQuery;

#[Object]
impl LeadQuery {
    /// Leads, filtered and ordered; ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        filter: Option<LeadFilter>,
        order_by: Option<LeadOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Lead>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadLeads)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let tenant = state.store.tenant(workspace_id);
        let spec = filters::LeadFilter {
            stage: filter.stage,
            segment: filter.segment,
            owner_id: parse_optional_id(&filter.owner_id, "owner")?,
            source_id: tenant
                .filter_ref::<entity::source::Entity>(&filter.source_id, "filter.sourceId")
                .await?,
            account_id: tenant
                .filter_ref::<entity::account::Entity>(&filter.account_id, "filter.accountId")
                .await?,
            fit_min: filter.fit_min,
            fit_max: filter.fit_max,
            search: filter.search,
            created_after: filter.created_after,
            created_before: filter.created_before,
            recycle_tag: filter.recycle_tag.map(|tag| tag.as_str().to_owned()),
            tags: filter.tags.unwrap_or_default(),
        };
        let (sort, descending) = LeadOrder::sort(order_by);
        let rows = lists::sorted_of(
            &tenant,
            tenant.leads_matching(&spec),
            super::lead_columns::for_connection(ctx),
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(rows, Lead))
    }

    /// The unassigned queue: MQLs no rep could take (all out of office, at capacity, or nobody
    /// in their pool), longest waiting first. Each is routed, and leaves the queue, as soon as a
    /// rep becomes eligible.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn unassigned_leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Lead>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadLeads)?;
        let state = ctx.state();
        let rows = lists::unassigned_leads(
            &state.store.tenant(workspace_id),
            PageArgs::new(ctx, first, after, None, None),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(rows, Lead))
    }

    async fn lead(&self, ctx: &Context<'_>, id: ID) -> Result<Lead> {
        let workspace_id = ctx.actor()?.require(Permission::ReadLeads)?;
        let id = parse_id(&id, "lead")?;
        Ok(Lead(
            ctx.state()
                .store
                .tenant(workspace_id)
                .get::<contact::Entity>(id)
                .await?,
        ))
    }
}

#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Creates or updates up to 1,000 contacts by external id or email, answering item by item.
    async fn upsert_contacts(
        &self,
        ctx: &Context<'_>,
        contacts: Vec<ContactInput>,
    ) -> Result<Vec<UpsertResult>> {
        let workspace_id = ctx.actor()?.require(Permission::WriteContacts)?;
        Ok(
            records::upsert_contacts(ctx.state(), workspace_id, contacts, records::Write::Commit)
                .await?,
        )
    }
}
