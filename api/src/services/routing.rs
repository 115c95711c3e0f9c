//! Routing rules as stored, their validation, their editing and their versions: a rule is
//! created as version 1, published; editing a published (or superseded) version makes a new
//! draft, which routes only once published; publishing supersedes the version published before
//! (kept); rolling back to a superseded version publishes its definition again as a new version.
//! Every version of a rule shares its `family_id`, its round-robin count and its place.

use async_graphql::ID;
use chrono::Utc;
use entity::{routing_rule, RoutingRuleStatus};
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
        id: row.family_id,
        version_id: row.id,
        version: row.version,
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

/// Every published rule in the order routing tries them.
pub async fn list<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<routing_rule::Model>> {
    store::routing_rules::in_order(tenant).await
}

/// Every version of the rule `family_id`, oldest first.
pub async fn versions_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Vec<routing_rule::Model>> {
    store::routing_rules::family(tenant, family_id).await
}

/// The definition a stored version holds.
fn definition_of(row: &routing_rule::Model) -> ValidRule {
    ValidRule {
        name: row.name.clone(),
        position: row.position,
        criteria: row.criteria.clone(),
        targets: targets_of(row),
        strategy: if row.strategy == WEIGHTED {
            WEIGHTED
        } else {
            ROUND_ROBIN
        },
        capacity: row.capacity,
    }
}

/// A new version row of the rule `family_id` holding `rule`; a published one is stamped now.
fn version_row(
    workspace_id: Uuid,
    (family_id, version): (Uuid, i32),
    status: RoutingRuleStatus,
    rule: ValidRule,
    assigned_count: i64,
) -> AppResult<routing_rule::ActiveModel> {
    let now = Utc::now();
    Ok(routing_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        family_id: Set(family_id),
        version: Set(version),
        status: Set(status),
        name: Set(rule.name),
        position: Set(rule.position),
        criteria: Set(rule.criteria),
        targets: Set(serde_json::to_value(&rule.targets).map_err(AppError::internal)?),
        strategy: Set(rule.strategy.to_owned()),
        capacity: Set(rule.capacity),
        assigned_count: Set(assigned_count),
        published_at: Set((status == RoutingRuleStatus::Published).then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// The next version of the rule `of` belongs to, holding `rule`.
async fn insert_version<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    of: &routing_rule::Model,
    status: RoutingRuleStatus,
    rule: ValidRule,
    assigned_count: i64,
) -> AppResult<routing_rule::Model> {
    let latest = store::routing_rules::latest_version(tenant, of.family_id)
        .await?
        .unwrap_or(of.version);
    let row = version_row(
        tenant.workspace_id(),
        (of.family_id, latest + 1),
        status,
        rule,
        assigned_count,
    )?;
    store::routing_rules::insert(tenant, row).await
}

/// Creates a rule as version 1, published: it routes from now on.
pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    fields: RuleFields,
) -> AppResult<routing_rule::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let rule = validate_rule(&tenant, fields).await?;
    let row = version_row(
        workspace_id,
        (Uuid::now_v7(), 1),
        RoutingRuleStatus::Published,
        rule,
        0,
    )?;
    let created = store::routing_rules::insert(&tenant, row).await?;
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(created)
}

/// Edits a draft in place; a published or superseded version gets a new draft version with the
/// fields instead, which routes only once published (the published version keeps routing until
/// then). A version that is not this workspace's is NOT_FOUND before the fields are judged.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    fields: RuleFields,
) -> AppResult<routing_rule::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = tenant.get::<routing_rule::Entity>(id).await?;
    let rule = validate_rule(&tenant, fields).await?;
    let saved = if row.status == RoutingRuleStatus::Draft {
        let mut active = row.into_active_model();
        active.name = Set(rule.name);
        active.position = Set(rule.position);
        active.criteria = Set(rule.criteria);
        active.targets = Set(serde_json::to_value(&rule.targets).map_err(AppError::internal)?);
        active.strategy = Set(rule.strategy.to_owned());
        active.capacity = Set(rule.capacity);
        active.updated_at = Set(Utc::now());
        store::routing_rules::save(&tenant, active).await?
    } else {
        let count = row.assigned_count;
        insert_version(&tenant, &row, RoutingRuleStatus::Draft, rule, count).await?
    };
    work.commit().await?;
    Ok(saved)
}

/// Publishes a draft: routing uses it from now on, in place of the rule's version published
/// before (superseded and kept, to roll back to). Publishing the published version changes
/// nothing; a superseded one is restored with [`rollback`].
pub async fn publish(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<routing_rule::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<routing_rule::Entity>(id).await?;
    match row.status {
        RoutingRuleStatus::Published => return Ok(row),
        RoutingRuleStatus::Superseded => {
            return Err(AppError::Conflict(format!(
                "version {} was superseded; roll back to it to publish its definition again",
                row.version
            )))
        }
        RoutingRuleStatus::Draft => {}
    }
    let previous = store::routing_rules::supersede_published(&tenant, row.family_id).await?;
    let count = previous.map_or(row.assigned_count, |p| p.assigned_count);
    let now = Utc::now();
    let mut active = row.into_active_model();
    active.status = Set(RoutingRuleStatus::Published);
    active.published_at = Set(Some(now));
    active.assigned_count = Set(count);
    active.updated_at = Set(now);
    let published = store::routing_rules::save(&tenant, active).await?;
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(published)
}

/// Rolls a rule back to the superseded version `id`: its definition becomes the rule's next
/// version, published at once (the version published until now is superseded). History stays
/// as it was: leads routed by a version keep naming it.
pub async fn rollback(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<routing_rule::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<routing_rule::Entity>(id).await?;
    if row.status != RoutingRuleStatus::Superseded {
        return Err(AppError::Conflict(format!(
            "version {} is {}; only a superseded version can be rolled back to",
            row.version,
            row.status.as_str()
        )));
    }
    let previous = store::routing_rules::supersede_published(&tenant, row.family_id).await?;
    let count = previous.map_or(row.assigned_count, |p| p.assigned_count);
    let published = insert_version(
        &tenant,
        &row,
        RoutingRuleStatus::Published,
        definition_of(&row),
        count,
    )
    .await?;
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(published)
}

/// Deletes a draft version; deleting a published or superseded version deletes the rule, every
/// version of it (it routes no more; leads it routed keep their explanation).
pub async fn delete(state: &AppState, workspace_id: Uuid, id: Uuid) -> AppResult<()> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let row = tenant.get::<routing_rule::Entity>(id).await?;
    if row.status == RoutingRuleStatus::Draft {
        store::routing_rules::delete(&tenant, row.id).await?;
    } else {
        store::routing_rules::delete_family(&tenant, row.family_id).await?;
    }
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(())
}
