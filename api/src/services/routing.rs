//! Routing rules as stored, their validation, and their editing.

use async_graphql::ID;
use chrono::Utc;
use entity::routing_rule;
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{criteria::Criteria, routing::RuleSpec, validate},
    error::{AppError, AppResult},
    services::{
        records::{member_ids, owner},
        unassigned,
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{self, Tenant},
};

pub const ROUND_ROBIN: &str = "ROUND_ROBIN";
pub const WEIGHTED: &str = "WEIGHTED";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub user_id: Uuid,
    pub weight: u32,
}

pub fn targets_of(row: &routing_rule::Model) -> Vec<Target> {
    serde_json::from_value(row.targets.clone()).unwrap_or_default()
}

/// The evaluable form of a stored rule.
pub fn spec_of(row: &routing_rule::Model) -> AppResult<RuleSpec> {
    let criteria = Criteria::parse(&row.criteria).map_err(|err| {
        AppError::internal(std::io::Error::other(format!(
            "stored routing rule {}: {err}",
            row.id
        )))
    })?;
    Ok(RuleSpec {
        id: row.id,
        name: row.name.clone(),
        criteria,
        targets: targets_of(row)
            .into_iter()
            .map(|t| (t.user_id, t.weight))
            .collect(),
        weighted: row.strategy == WEIGHTED,
        capacity: row.capacity.map(|c| c.max(0) as u32),
        assigned_count: row.assigned_count,
    })
}

/// Checks a rule's criteria JSON, naming the path of the first problem.
pub fn check_criteria(json: &Value) -> AppResult<()> {
    Criteria::parse_at(json, "input.criteria")
        .map(|_| ())
        .map_err(|err| AppError::bad_input(err.path, err.message))
}

/// A rule as sent, before validation (paths are named under `input`).
pub struct RuleFields {
    pub name: String,
    pub position: i32,
    pub criteria: Value,
    /// (user id, weight) of each rep of the pool.
    pub targets: Vec<(ID, i32)>,
    /// [`ROUND_ROBIN`] or [`WEIGHTED`].
    pub strategy: &'static str,
    pub capacity: Option<i32>,
}

struct ValidRule {
    name: String,
    position: i32,
    criteria: Value,
    targets: Vec<Target>,
    strategy: &'static str,
    capacity: Option<i32>,
}

async fn validate_rule<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    fields: RuleFields,
) -> AppResult<ValidRule> {
    let name = validate::required_text(&fields.name, "input.name", 120)?;
    check_criteria(&fields.criteria)?;
    if fields.targets.is_empty() || fields.targets.len() > 50 {
        return Err(AppError::bad_input("input.targets", "name 1 to 50 reps"));
    }
    let members = member_ids(tenant).await?;
    let mut targets = Vec::with_capacity(fields.targets.len());
    for (i, (user_id, weight)) in fields.targets.iter().enumerate() {
        let user_id = owner(user_id, &members, &format!("input.targets[{i}].userId"))?;
        if !(1..=100).contains(weight) {
            return Err(AppError::bad_input(
                format!("input.targets[{i}].weight"),
                "must be 1 to 100",
            ));
        }
        targets.push(Target {
            user_id,
            weight: *weight as u32,
        });
    }
    if fields.capacity.is_some_and(|c| c < 1) {
        return Err(AppError::bad_input("input.capacity", "must be at least 1"));
    }
    Ok(ValidRule {
        name,
        position: fields.position,
        criteria: fields.criteria,
        targets,
        strategy: fields.strategy,
        capacity: fields.capacity,
    })
}

/// Every rule in the order routing tries them.
pub async fn list<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<routing_rule::Model>> {
    store::routing_rules::in_order(tenant).await
}

pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    fields: RuleFields,
) -> AppResult<routing_rule::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let rule = validate_rule(&tenant, fields).await?;
    let now = Utc::now();
    let row = routing_rule::ActiveModel {
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
    };
    let created = store::routing_rules::insert(&tenant, row).await?;
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(created)
}

/// Replaces a rule's definition (its assignment count stays). A rule that is not this
/// workspace's is NOT_FOUND before the fields are judged.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    fields: RuleFields,
) -> AppResult<routing_rule::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<routing_rule::Entity>(id).await?;
    let rule = validate_rule(&tenant, fields).await?;
    let mut active = row.into_active_model();
    active.name = Set(rule.name);
    active.position = Set(rule.position);
    active.criteria = Set(rule.criteria);
    active.targets = Set(serde_json::to_value(&rule.targets).map_err(AppError::internal)?);
    active.strategy = Set(rule.strategy.to_owned());
    active.capacity = Set(rule.capacity);
    active.updated_at = Set(Utc::now());
    let saved = store::routing_rules::save(&tenant, active).await?;
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(saved)
}

pub async fn delete(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<()> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<routing_rule::Entity>(id).await?;
    store::routing_rules::delete(&tenant, row.id).await?;
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(())
}
