//! Routing rules: ordered criteria with a rep or a pool.

use async_graphql::{Context, Enum, InputObject, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::routing_rule;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{context::ContextExt, criteria_input::CriteriaInput};
use crate::{
    domain::{criteria::Criteria, permissions::Permission, validate},
    error::AppError,
    services::{
        records::{member_ids, owner},
        routing::{self as rules, Target},
    },
    store::parse_id,
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

#[Object]
impl RoutingRule {
    async fn id(&self) -> ID {
        self.0.id.into()
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
    async fn assigned_count(&self) -> i64 {
        self.0.assigned_count
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

struct ValidRule {
    name: String,
    position: i32,
    criteria: serde_json::Value,
    targets: Vec<Target>,
    strategy: &'static str,
    capacity: Option<i32>,
}

async fn validate_rule(
    ctx: &Context<'_>,
    workspace_id: Uuid,
    input: RoutingRuleInput,
) -> Result<ValidRule, AppError> {
    let name = validate::required_text(&input.name, "input.name", 120)?;
    let criteria = input.criteria.to_json();
    rules::check_criteria(&criteria)?;
    if input.targets.is_empty() || input.targets.len() > 50 {
        return Err(AppError::bad_input("input.targets", "name 1 to 50 reps"));
    }
    let members = member_ids(&ctx.state().store.tenant(workspace_id)).await?;
    let mut targets = Vec::with_capacity(input.targets.len());
    for (i, t) in input.targets.iter().enumerate() {
        let user_id = owner(&t.user_id, &members, &format!("input.targets[{i}].userId"))?;
        if !(1..=100).contains(&t.weight) {
            return Err(AppError::bad_input(
                format!("input.targets[{i}].weight"),
                "must be 1 to 100",
            ));
        }
        targets.push(Target {
            user_id,
            weight: t.weight as u32,
        });
    }
    if input.capacity.is_some_and(|c| c < 1) {
        return Err(AppError::bad_input("input.capacity", "must be at least 1"));
    }
    Ok(ValidRule {
        name,
        position: input.position,
        criteria,
        targets,
        strategy: match input.strategy {
            PoolStrategy::RoundRobin => rules::ROUND_ROBIN,
            PoolStrategy::Weighted => rules::WEIGHTED,
        },
        capacity: input.capacity,
    })
}

#[derive(Default)]
pub struct RoutingQuery;

#[Object]
impl RoutingQuery {
    /// Routing rules in the order they are tried.
    async fn routing_rules(&self, ctx: &Context<'_>) -> Result<Vec<RoutingRule>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let rows = tenant
            .select::<routing_rule::Entity>()
            .order_by_asc(routing_rule::Column::Position)
            .order_by_asc(routing_rule::Column::CreatedAt)
            .all(tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(RoutingRule).collect())
    }
}

#[derive(Default)]
pub struct RoutingMutation;

#[Object]
impl RoutingMutation {
    async fn create_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: RoutingRuleInput,
    ) -> Result<RoutingRule> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let rule = validate_rule(ctx, workspace_id, input).await?;
        let now = Utc::now();
        let created = routing_rule::Entity::insert(routing_rule::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            name: Set(rule.name),
            position: Set(rule.position),
            criteria: Set(rule.criteria),
            targets: Set(serde_json::to_value(&rule.targets).map_err(AppError::internal)?),
            strategy: Set(rule.strategy.to_owned()),
            capacity: Set(rule.capacity),
            assigned_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_with_returning(ctx.state().store.db())
        .await
        .map_err(AppError::from)?;
        Ok(RoutingRule(created))
    }

    async fn update_routing_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: RoutingRuleInput,
    ) -> Result<RoutingRule> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let row = tenant
            .get::<routing_rule::Entity>(parse_id(&id, "routing rule")?)
            .await?;
        let rule = validate_rule(ctx, workspace_id, input).await?;
        let mut active = row.into_active_model();
        active.name = Set(rule.name);
        active.position = Set(rule.position);
        active.criteria = Set(rule.criteria);
        active.targets = Set(serde_json::to_value(&rule.targets).map_err(AppError::internal)?);
        active.strategy = Set(rule.strategy.to_owned());
        active.capacity = Set(rule.capacity);
        active.updated_at = Set(Utc::now());
        Ok(RoutingRule(
            active.update(tenant.conn()).await.map_err(AppError::from)?,
        ))
    }

    async fn delete_routing_rule(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let workspace_id = ctx.actor()?.require(Permission::EditRevenueRules)?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let row = tenant
            .get::<routing_rule::Entity>(parse_id(&id, "routing rule")?)
            .await?;
        routing_rule::Entity::delete_many()
            .filter(routing_rule::Column::WorkspaceId.eq(workspace_id))
            .filter(routing_rule::Column::Id.eq(row.id))
            .exec(tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(id)
    }
}
