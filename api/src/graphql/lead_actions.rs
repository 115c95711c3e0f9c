//! Working the lead: accept, reject, dispute, resolve, qualify, convert, recycle, reassign;
//! the rejections marketing reviews; resuming a paused source.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{rejection, source, RejectionReason};

use super::{
    catalog::Source,
    context::ContextExt,
    leads::Lead,
    loaders::{load_one, Loaders},
    opportunities::Opportunity,
    pagination::{connection, Page, PageArgs},
};
use crate::{
    auth::Actor,
    domain::{permissions::Permission, validate},
    error::AppError,
    services::lead_actions::{self as actions, Bant, Conversion},
    store::{self, parse_id},
};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum RecycleTag {
    /// Disqualified for now: wrong company, no budget, bad timing.
    Future,
    /// Unresponsive after the minimum touches.
    ReEngage,
    /// Not ready; check back on a date.
    CheckBack,
}

impl RecycleTag {
    /// The stored spelling (in the lead's tags and `recycle_tag`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecycleTag::Future => "FUTURE",
            RecycleTag::ReEngage => "RE_ENGAGE",
            RecycleTag::CheckBack => "CHECK_BACK",
        }
    }

    /// The tag a stored spelling names.
    pub fn parse(stored: &str) -> Option<RecycleTag> {
        [
            RecycleTag::Future,
            RecycleTag::ReEngage,
            RecycleTag::CheckBack,
        ]
        .into_iter()
        .find(|tag| tag.as_str() == stored)
    }
}

#[derive(InputObject)]
pub struct BantInput {
    pub budget: String,
    pub authority: String,
    pub need: String,
    pub timing: String,
}

#[derive(InputObject)]
pub struct ConvertLeadInput {
    pub name: String,
    pub amount: f64,
    pub currency: Option<String>,
    pub close_date: Option<NaiveDate>,
}

/// Sales refused an MQL.
pub struct Rejection(pub rejection::Model);

#[Object]
impl Rejection {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Lead>> {
        Ok(load_one(
            ctx.data_unchecked::<Loaders>().contacts(),
            self.0.contact_id,
        )
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
    async fn reason(&self) -> RejectionReason {
        self.0.reason
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn rejected_by_id(&self) -> ID {
        self.0.rejected_by.into()
    }
    async fn rejected_at(&self) -> DateTime<Utc> {
        self.0.rejected_at
    }
    async fn disputed_at(&self) -> Option<DateTime<Utc>> {
        self.0.disputed_at
    }
    async fn dispute_note(&self) -> Option<&str> {
        self.0.dispute_note.as_deref()
    }
    /// UPHELD or DENIED once a leader resolved the dispute.
    async fn resolution(&self) -> Option<&str> {
        self.0.resolution.as_deref()
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
}

#[derive(InputObject, Default)]
pub struct RejectionFilter {
    pub reason: Option<Vec<RejectionReason>>,
    pub source_id: Option<ID>,
    pub disputed: Option<bool>,
    pub rejected_after: Option<DateTime<Utc>>,
    pub rejected_before: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct SourceMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub mqls: i64,
    pub rejections: i64,
    /// rejections / MQLs of the month.
    pub rejection_rate: f64,
}

impl From<crate::services::sources::MonthRate> for SourceMonth {
    fn from(m: crate::services::sources::MonthRate) -> Self {
        Self {
            month: m.month,
            mqls: m.mqls as i64,
            rejections: m.rejections as i64,
            rejection_rate: m.rate,
        }
    }
}

#[derive(Default)]
pub struct LeadActionQuery;

#[Object]
impl LeadActionQuery {
    /// Every rejection with its reason code, newest first.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn rejections(
        &self,
        ctx: &Context<'_>,
        filter: Option<RejectionFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Rejection>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadLeads)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let filter = filter.unwrap_or_default();
        let filter = store::rejections::RejectionFilter {
            reasons: filter.reason,
            source_id: tenant
                .filter_ref::<entity::source::Entity>(&filter.source_id, "filter.sourceId")
                .await?,
            disputed: filter.disputed,
            rejected_after: filter.rejected_after,
            rejected_before: filter.rejected_before,
        };
        let page = store::rejections::page(
            &tenant,
            filter,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Rejection))
    }

    /// A source's MQLs, rejections and rejection rate per month, the current month last.
    #[graphql(complexity = "crate::graphql::cost::SOURCE_HEALTH + child_complexity")]
    async fn source_health(
        &self,
        ctx: &Context<'_>,
        source_id: ID,
        #[graphql(default = 6)] months: i32,
    ) -> Result<Vec<SourceMonth>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        if !(1..=24).contains(&months) {
            return Err(AppError::bad_input("months", "must be 1 to 24").into());
        }
        let tenant = ctx.state().store.tenant(workspace_id);
        let source = tenant
            .get::<source::Entity>(parse_id(&source_id, "source")?)
            .await?;
        let rates =
            crate::services::sources::monthly_rates(&tenant, source.id, Utc::now(), months as u32)
                .await?;
        Ok(rates.into_iter().map(SourceMonth::from).collect())
    }
}

fn works<'a>(ctx: &'a Context<'a>) -> Result<(&'a Actor, uuid::Uuid)> {
    let actor = ctx.actor()?;
    let workspace_id = actor.require(Permission::ReadLeads)?;
    actor.user_id()?;
    Ok((actor, workspace_id))
}

#[derive(Default)]
pub struct LeadActionMutation;

#[Object]
impl LeadActionMutation {
    /// MQL -> SAL: sales accepts the lead (its owner, their manager, or a leader).
    async fn accept_lead(&self, ctx: &Context<'_>, id: ID) -> Result<Lead> {
        let (actor, ws) = works(ctx)?;
        let lead = actions::accept(ctx.state(), actor, ws, parse_id(&id, "lead")?).await?;
        Ok(Lead(lead))
    }

    /// Refuses an MQL inside the contract's rejection window (SLA_WINDOW_CLOSED after it) with a
    /// reason code; OTHER needs a note. The lead returns to nurture (DUPLICATE and
    /// BAD_CONTACT_DATA disqualify it).
    async fn reject_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: RejectionReason,
        note: Option<String>,
    ) -> Result<Lead> {
        let (actor, ws) = works(ctx)?;
        let note = validate::optional_text(note.as_deref(), "note")?;
        let lead =
            actions::reject(ctx.state(), actor, ws, parse_id(&id, "lead")?, reason, note).await?;
        Ok(Lead(lead))
    }

    /// Marketing disputes a rejection; the sales leaders get a REJECTION_DISPUTED trigger.
    async fn dispute_rejection(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: String,
    ) -> Result<Rejection> {
        let actor = ctx.actor()?;
        let ws = actor.require(Permission::DisputeRejection)?;
        let note = validate::required_text(&note, "note", 2000)?;
        let row =
            actions::dispute(ctx.state(), actor, ws, parse_id(&id, "rejection")?, note).await?;
        Ok(Rejection(row))
    }

    /// A leader settles a dispute: upheld returns the lead to its rep as an MQL.
    async fn resolve_dispute(&self, ctx: &Context<'_>, id: ID, upheld: bool) -> Result<Rejection> {
        let actor = ctx.actor()?;
        let ws = actor.require(Permission::ResolveDispute)?;
        let row =
            actions::resolve(ctx.state(), actor, ws, parse_id(&id, "rejection")?, upheld).await?;
        Ok(Rejection(row))
    }

    /// SAL -> SQL with the BANT answers.
    async fn qualify_lead(&self, ctx: &Context<'_>, id: ID, bant: BantInput) -> Result<Lead> {
        let (actor, ws) = works(ctx)?;
        let bant = Bant {
            budget: validate::required_text(&bant.budget, "bant.budget", 500)?,
            authority: validate::required_text(&bant.authority, "bant.authority", 500)?,
            need: validate::required_text(&bant.need, "bant.need", 500)?,
            timing: validate::required_text(&bant.timing, "bant.timing", 500)?,
        };
        let lead = actions::qualify(ctx.state(), actor, ws, parse_id(&id, "lead")?, bant).await?;
        Ok(Lead(lead))
    }

    /// SAL | SQL -> OPPORTUNITY: opens the deal, attributed to the lead's source.
    async fn convert_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ConvertLeadInput,
    ) -> Result<Opportunity> {
        let (actor, ws) = works(ctx)?;
        let deal = Conversion {
            name: validate::required_text(&input.name, "input.name", 200)?,
            amount: validate::non_negative_amount(input.amount, "input.amount")?,
            currency: validate::currency(
                input.currency.as_deref().unwrap_or("USD"),
                "input.currency",
            )?,
            close_date: input.close_date,
        };
        let opp = actions::convert(ctx.state(), actor, ws, parse_id(&id, "lead")?, deal).await?;
        Ok(Opportunity(opp))
    }

    /// Returns the lead to marketing nurture with a tag; CHECK_BACK needs `until`.
    async fn recycle_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        tag: RecycleTag,
        until: Option<NaiveDate>,
    ) -> Result<Lead> {
        let (actor, ws) = works(ctx)?;
        if tag == RecycleTag::CheckBack && until.is_none() {
            return Err(
                AppError::bad_input("until", "CHECK_BACK needs the date to check back").into(),
            );
        }
        let lead = actions::recycle(
            ctx.state(),
            actor,
            ws,
            parse_id(&id, "lead")?,
            tag.as_str(),
            until,
        )
        .await?;
        Ok(Lead(lead))
    }

    /// Gives the lead to another rep (overriding routing) and restarts its clocks.
    async fn assign_lead(&self, ctx: &Context<'_>, id: ID, user_id: ID) -> Result<Lead> {
        let (actor, ws) = works(ctx)?;
        let owner = store::parse_id_at(&user_id, "member", "userId")?;
        let lead = actions::assign(ctx.state(), actor, ws, parse_id(&id, "lead")?, owner).await?;
        Ok(Lead(lead))
    }

    /// Lifts the source rule's pause (revops and leaders).
    async fn resume_source(&self, ctx: &Context<'_>, id: ID) -> Result<Source> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let row =
            actions::resume_source(ctx.state(), workspace_id, parse_id(&id, "source")?).await?;
        Ok(Source(row))
    }
}
