//! Routing rules: ordered criteria with a rep or a pool, in versions (draft, published,
//! superseded).

use async_graphql::{Context, Enum, InputObject, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{routing_rule, RoutingRuleStatus};

use super::{
    context::ContextExt,
    criteria_input::CriteriaInput,
    pagination::{connection, list_order, narrowed, Page, PageArgs},
};
use crate::{
    domain::{criteria::Criteria, permissions::Permission},
    services::routing::{self as rules, RuleFields},
    store::{self, parse_id},
};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PoolStrategy {
    RoundRobin,
    Weighted,
}

#[derive(InputObject)]
pub struct RoutingTargetInput {
    pub user_id: ID,
    #[graphql(default = 1)]
    pub weight: i32,
}

#[derive(InputObject)]
pub struct RoutingRuleInput {
    pub name: String,
    /// Lower positions are tried first.
    pub position: i32,
    pub criteria: CriteriaInput,
    /// One rep, or several forming a pool.
    pub targets: Vec<RoutingTargetInput>,
    #[graphql(default_with = "PoolStrategy::RoundRobin")]
    pub strategy: PoolStrategy,
    /// Open leads (MQL, SAL, SQL) a rep may hold before this rule skips them.
    pub capacity: Option<i32>,
}

#[derive(SimpleObject)]
pub struct RoutingTarget {
    pub user_id: ID,
    pub weight: i32,
}

pub struct RoutingRule(pub routing_rule::Model);

/// One version of a routing rule. Routing uses the PUBLISHED version of each rule.
#[Object]
impl RoutingRule {
    /// This version.
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    /// The rule, shared by every version of it (a lead's `routing.rule_id`).
    async fn rule_id(&self) -> ID {
        self.0.family_id.into()
    }
    /// 1 for the version a rule is created with; each edit of a published version, and each
    /// rollback, makes the next.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn status(&self) -> RoutingRuleStatus {
        self.0.status
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Every version of this rule, oldest first.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<RoutingRule>> {
        let tenant = ctx.state().store.tenant(self.0.workspace_id);
        let rows = rules::versions_of(&tenant, self.0.family_id).await?;
        Ok(rows.into_iter().map(RoutingRule).collect())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn criteria(&self) -> Json<serde_json::Value> {
        Json(self.0.criteria.clone())
    }
    /// The criteria in words.
    async fn description(&self) -> String {
        Criteria::parse(&self.0.criteria)
            .map(|c| c.to_string())
            .unwrap_or_default()
    }
    async fn targets(&self) -> Vec<RoutingTarget> {
        rules::targets_of(&self.0)
            .into_iter()
            .map(|t| RoutingTarget {
                user_id: t.user_id.into(),
                weight: t.weight as i32,
            })
            .collect()
    }
    async fn strategy(&self) -> PoolStrategy {
        if self.0.strategy == rules::WEIGHTED {
            PoolStrategy::Weighted
        } else {
            PoolStrategy::RoundRobin
        }
    }
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }
    /// Leads the rule has assigned, under every version: the round-robin position.
    async fn assigned_count(&self) -> i64 {
        self.0.assigned_count
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The input as the service takes it (validated there).
fn fields_of(input: RoutingRuleInput) -> RuleFields {
    RuleFields {
        name: input.name,
        position: input.position,
        criteria: input.criteria.to_json(),
        targets: input
            .targets
            .into_iter()
            .map(|t| (t.user_id, t.weight))
            .collect(),
        strategy: match input.strategy {
            PoolStrategy::RoundRobin => rules::ROUND_ROBIN,
            PoolStrategy::Weighted => rules::WEIGHTED,
        },
        capacity: input.capacity,
    }
}

#[derive(InputObject, Default)]
pub struct RoutingRuleFilter {
    /// Case-insensitive text in the name.
    pub name_contains: Option<String>,
    pub status: Option<Vec<RoutingRuleStatus>>,
}

// POSITION is the order routing tries the rules.
list_order!(RoutingRuleOrder, RoutingRuleOrderField => store::sorts::RoutingRuleSort, asc, {
    Position,
    Name,
    CreatedAt,
});

#[derive(Default)]
pub struct RoutingQuery;

#[Object]
impl RoutingQuery {
    /// Routing rule versions (of one status when given: PUBLISHED for what routes), filtered,
    /// in the order they are tried (by position) unless `orderBy` says otherwise; ties break on
    /// the id. `status` still works next to `filter.status`; both apply.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn routing_rules(
        &self,
        ctx: &Context<'_>,
        status: Option<RoutingRuleStatus>,
        filter: Option<RoutingRuleFilter>,
        order_by: Option<RoutingRuleOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<RoutingRule>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let statuses = narrowed(filter.status, status);
        let spec = store::filters::RoutingRuleFilter {
            name_contains: filter.name_contains,
            status: statuses,
        };
        let (sort, descending) = RoutingRuleOrder::sort(order_by);
        let page = store::lists::filtered(
            &state.store.tenant(workspace_id),
            &spec,
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, RoutingRule))
    }
}

#[derive(Default)]
pub struct RoutingMutation;

#[Object]
impl RoutingMutation {
    /// Creates a rule as version 1, published: it routes from now on.
    async fn create_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: RoutingRuleInput,
    ) -> Result<RoutingRule> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let created = rules::create(ctx.state(), workspace_id, fields_of(input)).await?;
        Ok(RoutingRule(created))
    }

    /// Edits a draft in place; editing a published or superseded version makes a new draft
    /// version, which routes only once published.
    async fn update_routing_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: RoutingRuleInput,
    ) -> Result<RoutingRule> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "routing rule")?;
        let saved = rules::update(ctx.state(), workspace_id, id, fields_of(input)).await?;
        Ok(RoutingRule(saved))
    }

    /// Publishes a draft version: routing uses it from now on; the version published before is
    /// superseded (and kept, to roll back to).
    async fn publish_routing_rule(&self, ctx: &Context<'_>, id: ID) -> Result<RoutingRule> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "routing rule")?;
        Ok(RoutingRule(
            rules::publish(ctx.state(), workspace_id, id).await?,
        ))
    }

    /// Rolls a rule back to a superseded version: its definition is published again as the
    /// rule's next version.
    async fn rollback_routing_rule(&self, ctx: &Context<'_>, id: ID) -> Result<RoutingRule> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let id = parse_id(&id, "routing rule")?;
        Ok(RoutingRule(
            rules::rollback(ctx.state(), workspace_id, id).await?,
        ))
    }

    /// Deletes a draft version; deleting a published or superseded version deletes the rule
    /// with all its versions.
    async fn delete_routing_rule(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        rules::delete(ctx.state(), workspace_id, parse_id(&id, "routing rule")?).await?;
        Ok(id)
    }
}
