//! Ideal customer profiles: versions, activation, fit-score recomputation and closed-won insights.

use async_graphql::{Context, Enum, InputObject, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{icp, IcpMotion, VersionStatus};
use serde_json::Value;

mod insights;

pub use insights::*;

use super::{
    context::ContextExt,
    criteria_input::{weighted_json, WeightedCriterionInput},
    loaders::{load_one, Loaders},
    pagination::{connection, named_order, Page, PageArgs},
    types::User,
};
use crate::{
    domain::{criteria::Criteria, permissions::Permission},
    error::AppError,
    services::{
        icps::{self as service, IcpFields},
        insights::icp_insights,
    },
    store::{self, parse_id},
};

// A persona's part in the buying committee, `PersonaRole` in the API: the Rust name leaves
// "role" to members' roles, which only the permission table names.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PersonaRole")]
pub enum PersonaPart {
    /// This persona's interest starts the buying motion.
    Triggers,
    /// This persona can kill the deal.
    Blocks,
    Influences,
}

#[derive(InputObject, Clone)]
pub struct PersonaInput {
    pub persona: String,
    pub role: PersonaPart,
}

#[derive(SimpleObject, Clone, serde::Serialize, serde::Deserialize)]
pub struct BuyingPersona {
    pub persona: String,
    /// TRIGGERS, BLOCKS or INFLUENCES.
    pub role: String,
}

#[derive(InputObject)]
pub struct IcpInput {
    pub name: String,
    pub motion: IcpMotion,
    #[graphql(default)]
    pub account_criteria: Vec<WeightedCriterionInput>,
    #[graphql(default)]
    pub contact_criteria: Vec<WeightedCriterionInput>,
    #[graphql(default)]
    pub personas: Vec<PersonaInput>,
    #[graphql(default)]
    pub retention_risk_tags: Vec<String>,
    pub owner_id: Option<ID>,
}

/// A weighted criterion as stored.
#[derive(SimpleObject)]
pub struct WeightedCriterion {
    pub name: String,
    pub weight: i32,
    /// The criteria tree in its JSON form.
    pub criteria: Json<Value>,
    /// The tree in words, e.g. `account.employees BETWEEN 200 and 5000`.
    pub description: String,
}

fn weighted(json: &Value) -> Vec<WeightedCriterion> {
    json.as_array()
        .into_iter()
        .flatten()
        .map(|item| WeightedCriterion {
            name: item["name"].as_str().unwrap_or_default().to_owned(),
            weight: item["weight"].as_i64().unwrap_or_default() as i32,
            description: Criteria::parse(&item["criteria"])
                .map(|c| c.to_string())
                .unwrap_or_default(),
            criteria: Json(item["criteria"].clone()),
        })
        .collect()
}

/// One version of an ideal customer profile.
pub struct Icp(pub icp::Model);

#[Object]
impl Icp {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    /// Shared by every version of this ICP.
    async fn family_id(&self) -> ID {
        self.0.family_id.into()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn motion(&self) -> IcpMotion {
        self.0.motion
    }
    async fn status(&self) -> VersionStatus {
        self.0.status
    }
    async fn account_criteria(&self) -> Vec<WeightedCriterion> {
        weighted(&self.0.account_criteria)
    }
    async fn contact_criteria(&self) -> Vec<WeightedCriterion> {
        weighted(&self.0.contact_criteria)
    }
    /// The buying committee: which personas trigger, block or influence the deal.
    async fn personas(&self) -> Vec<BuyingPersona> {
        serde_json::from_value(self.0.personas.clone()).unwrap_or_default()
    }
    async fn retention_risk_tags(&self) -> Vec<String> {
        serde_json::from_value(self.0.retention_risk_tags.clone()).unwrap_or_default()
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(load_one(ctx.data_unchecked::<Loaders>().users(), id)
            .await?
            .map(User::from))
    }
    /// Every version of this ICP, oldest first.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<Icp>> {
        let tenant = ctx.state().store.tenant(self.0.workspace_id);
        let rows = service::versions_of(&tenant, self.0.family_id).await?;
        Ok(rows.into_iter().map(Icp).collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
}

/// Progress of the recomputation of fit scores after an ICP was activated.
#[derive(SimpleObject)]
pub struct FitScoring {
    pub icp_id: ID,
    /// PENDING, ACCOUNTS, CONTACTS or DONE.
    pub status: String,
    pub total: i64,
    pub processed: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Progress of a background re-evaluation of leads against the lead contract, after a bulk
/// change to their facts (an ICP activation's rescoring, a contract signed, a source resumed, a
/// large upsert or import).
#[derive(SimpleObject)]
pub struct LeadReevaluation {
    /// RECORDS, ICP_ACTIVATED, CONTRACT_SIGNED or SOURCE_RESUMED.
    pub reason: String,
    /// The source whose held-back leads are re-evaluated (SOURCE_RESUMED).
    pub source_id: Option<ID>,
    /// PENDING, RUNNING or DONE.
    pub status: String,
    /// The LEAD-stage leads to judge.
    pub total: i64,
    pub processed: i64,
    /// The leads that became MQLs.
    pub qualified: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

named_order!(IcpOrder, IcpOrderField);

#[derive(InputObject, Default)]
pub struct IcpFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    pub status: Option<Vec<VersionStatus>>,
    pub motion: Option<Vec<IcpMotion>>,
}

#[derive(Default)]
pub struct IcpQuery;

#[Object]
impl IcpQuery {
    /// ICP versions, filtered and ordered (oldest first by default); ties break on the id.
    /// `status` (one status) still works next to `filter.status`; both apply.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn icps(
        &self,
        ctx: &Context<'_>,
        status: Option<VersionStatus>,
        filter: Option<IcpFilter>,
        order_by: Option<IcpOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Icp>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let args = PageArgs::new(ctx, first, after, last, before);
        let max = state.config.max_page_size;
        let filter = filter.unwrap_or_default();
        let statuses = match (filter.status, status) {
            (Some(list), Some(one)) => Some(list.into_iter().filter(|s| *s == one).collect()),
            (list, one) => list.or(one.map(|one| vec![one])),
        };
        let spec = store::filters::IcpFilter {
            name_contains: filter.name_contains,
            status: statuses,
            motion: filter.motion,
        };
        let (sort, descending) = IcpOrder::sort(order_by);
        Ok(connection(
            store::lists::filtered::<icp::Entity, _>(&tenant, &spec, sort, descending, args, max)
                .await?,
            Icp,
        ))
    }

    async fn icp(&self, ctx: &Context<'_>, id: ID) -> Result<Icp> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let id = parse_id(&id, "ICP")?;
        Ok(Icp(ctx
            .state()
            .store
            .tenant(workspace_id)
            .get::<icp::Entity>(id)
            .await?))
    }

    /// The latest recomputation of fit scores, if any.
    async fn fit_scoring(&self, ctx: &Context<'_>) -> Result<Option<FitScoring>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let job = service::latest_fit_scoring(&tenant).await?;
        Ok(job.map(|job| FitScoring {
            icp_id: job.icp_id.into(),
            status: job.status,
            total: job.total,
            processed: job.processed,
            started_at: job.created_at,
            finished_at: job.finished_at,
        }))
    }

    /// The latest background re-evaluation of leads against the lead contract, if any.
    async fn lead_reevaluation(&self, ctx: &Context<'_>) -> Result<Option<LeadReevaluation>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let job = crate::services::ingest::reevaluate::latest(&tenant).await?;
        Ok(job.map(|job| LeadReevaluation {
            reason: job.reason,
            source_id: job.source_id.map(Into::into),
            status: job.status,
            total: job.total,
            processed: job.processed,
            qualified: job.qualified,
            started_at: job.created_at,
            finished_at: job.finished_at,
        }))
    }

    /// Closed-won and closed-lost deals of the last `months`, by segment, with where they
    /// disagree with the active ICP and the criteria they suggest. Segments with fewer than
    /// `minDeals` deals are not judged.
    #[graphql(complexity = "crate::graphql::cost::ICP_INSIGHTS + child_complexity")]
    async fn icp_insights(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 24)] months: i32,
        #[graphql(default = 3)] min_deals: i32,
    ) -> Result<IcpInsights> {
        let workspace_id = ctx.actor()?.require(Permission::ReadMetrics)?;
        if !(1..=120).contains(&months) {
            return Err(AppError::bad_input("months", "must be 1 to 120").into());
        }
        if min_deals < 1 {
            return Err(AppError::bad_input("minDeals", "must be at least 1").into());
        }
        let found =
            icp_insights(ctx.state(), workspace_id, months as u32, min_deals as usize).await?;
        Ok(IcpInsights::new(months, found))
    }
}

/// The input as the service takes it (validated there).
fn fields_of(input: IcpInput) -> IcpFields {
    IcpFields {
        name: input.name,
        motion: input.motion,
        account_criteria: weighted_json(&input.account_criteria),
        contact_criteria: weighted_json(&input.contact_criteria),
        personas: input
            .personas
            .into_iter()
            .map(|p| {
                let role = match p.role {
                    PersonaPart::Triggers => "TRIGGERS",
                    PersonaPart::Blocks => "BLOCKS",
                    PersonaPart::Influences => "INFLUENCES",
                };
                (p.persona, role)
            })
            .collect(),
        retention_risk_tags: input.retention_risk_tags,
        owner_id: input.owner_id,
    }
}

#[derive(Default)]
pub struct IcpMutation;

#[Object]
impl IcpMutation {
    /// Creates an ICP as a draft (version 1).
    async fn create_icp(&self, ctx: &Context<'_>, input: IcpInput) -> Result<Icp> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let fields = fields_of(input);
        Ok(Icp(service::create(
            ctx.state(),
            workspace_id,
            fields,
            actor.user_id().ok(),
        )
        .await?))
    }

    /// Edits a draft in place; editing an active or past version creates a new draft version.
    async fn update_icp(&self, ctx: &Context<'_>, id: ID, input: IcpInput) -> Result<Icp> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "ICP")?;
        let fields = fields_of(input);
        Ok(Icp(service::update(
            ctx.state(),
            workspace_id,
            id,
            fields,
            actor.user_id().ok(),
        )
        .await?))
    }

    /// Makes this version the active ICP of its motion (the previous one is superseded) and
    /// starts recomputing every fit score in the background (see `fitScoring`).
    async fn activate_icp(&self, ctx: &Context<'_>, id: ID) -> Result<Icp> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "ICP")?;
        Ok(Icp(service::activate(ctx.state(), workspace_id, id).await?))
    }

    /// Deletes a draft version.
    async fn delete_icp(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        service::delete_draft(ctx.state(), workspace_id, parse_id(&id, "ICP")?).await?;
        Ok(id)
    }
}
