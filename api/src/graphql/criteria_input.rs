//! The criteria language as a GraphQL input type (README, "One criteria language"), turned into the JSON the
//! domain parser validates, so errors name the path the client wrote.

use async_graphql::{Enum, InputObject, Json};
use serde_json::{json, Map, Value};

#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum CriteriaOp {
    Eq,
    Ne,
    In,
    NotIn,
    Gt,
    Gte,
    Lt,
    Lte,
    Between,
    Contains,
    /// Case-insensitive whole-word match, for titles ("vp sales" matches "VP of Sales").
    Matches,
    Exists,
}

impl CriteriaOp {
    fn name(self) -> &'static str {
        match self {
            CriteriaOp::Eq => "EQ",
            CriteriaOp::Ne => "NE",
            CriteriaOp::In => "IN",
            CriteriaOp::NotIn => "NOT_IN",
            CriteriaOp::Gt => "GT",
            CriteriaOp::Gte => "GTE",
            CriteriaOp::Lt => "LT",
            CriteriaOp::Lte => "LTE",
            CriteriaOp::Between => "BETWEEN",
            CriteriaOp::Contains => "CONTAINS",
            CriteriaOp::Matches => "MATCHES",
            CriteriaOp::Exists => "EXISTS",
        }
    }
}

/// One node of a criteria tree: exactly one of `all`, `any`, `not`, or a comparison
/// (`field`, `op`, `value`). Fields: `account.industry`, `account.employees`,
/// `account.annualRevenue`, `account.country`, `account.region`, `account.technologies`,
/// `account.segment`, `account.tier`, `account.namedAccount`, `account.custom.<key>`,
/// `contact.title`, `contact.persona`, `contact.seniority`, `contact.email`,
/// `contact.personalEmail`, `contact.tags`, `contact.custom.<key>`, `lead.fitScore`,
/// `lead.score`, `lead.stage`, `lead.source`, `event.type`, `event.properties.<key>`, ...
#[derive(InputObject, Clone, Default)]
pub struct CriteriaInput {
    pub all: Option<Vec<CriteriaInput>>,
    pub any: Option<Vec<CriteriaInput>>,
    pub not: Option<Box<CriteriaInput>>,
    pub field: Option<String>,
    pub op: Option<CriteriaOp>,
    /// A string, number, boolean, list, or `[low, high]` for BETWEEN; absent for EXISTS.
    pub value: Option<Json<Value>>,
}

impl CriteriaInput {
    /// The stored JSON form; shape errors are left for the parser, which names the path.
    pub fn to_json(&self) -> Value {
        let mut node = Map::new();
        if let Some(all) = &self.all {
            node.insert(
                "all".into(),
                Value::Array(all.iter().map(Self::to_json).collect()),
            );
        }
        if let Some(any) = &self.any {
            node.insert(
                "any".into(),
                Value::Array(any.iter().map(Self::to_json).collect()),
            );
        }
        if let Some(not) = &self.not {
            node.insert("not".into(), not.to_json());
        }
        if let Some(field) = &self.field {
            node.insert("field".into(), json!(field));
        }
        if let Some(op) = self.op {
            node.insert("op".into(), json!(op.name()));
        }
        if let Some(value) = &self.value {
            node.insert("value".into(), value.0.clone());
        }
        Value::Object(node)
    }
}

/// A criterion of an ICP with its weight (negative for disqualifiers such as competitors).
#[derive(InputObject, Clone)]
pub struct WeightedCriterionInput {
    pub name: String,
    /// -100 to 100 points.
    pub weight: i32,
    pub criteria: CriteriaInput,
}

pub fn weighted_json(items: &[WeightedCriterionInput]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|item| json!({"name": item.name, "weight": item.weight, "criteria": item.criteria.to_json()}))
            .collect(),
    )
}
