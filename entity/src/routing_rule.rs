use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// One version of an ordered routing rule: criteria, then a rep or a pool. Versions of one rule
/// share `family_id`; routing uses the one PUBLISHED version of each rule.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// The rule: shared by every version of it.
    pub family_id: Uuid,
    pub version: i32,
    pub status: RoutingRuleStatus,
    pub name: String,
    pub position: i32,
    pub criteria: Json,
    /// `[{userId, weight}]`: one entry routes to that rep; several form a pool.
    pub targets: Json,
    /// ROUND_ROBIN or WEIGHTED.
    pub strategy: String,
    /// Open leads a rep may hold before the pool skips them.
    pub capacity: Option<i32>,
    /// Assignments made by this rule (every version of it), for round robin and weights.
    pub assigned_count: i64,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
