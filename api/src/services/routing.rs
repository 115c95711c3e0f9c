//! Routing rules as stored, and their validation.

use entity::routing_rule;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{criteria::Criteria, routing::RuleSpec},
    error::{AppError, AppResult},
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
