use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// An ordered routing rule: criteria, then a rep or a pool.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub position: i32,
    pub criteria: Json,
    /// `[{userId, weight}]`: one entry routes to that rep; several form a pool.
    pub targets: Json,
    /// ROUND_ROBIN or WEIGHTED.
    pub strategy: String,
    /// Open leads a rep may hold before the pool skips them.
    pub capacity: Option<i32>,
    /// Assignments made by this rule, for round robin and weights.
    pub assigned_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
