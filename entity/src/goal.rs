use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A goal both teams own (seed 004, step 5): a metric, a target and a period.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub metric: GoalMetric,
    pub target: f64,
    /// The first day of the period's first month.
    pub period_start: Date,
    pub period_months: i32,
    /// `[{"memberId": ..., "team": "MARKETING" | "SALES"}]`
    pub owners: Json,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    /// When the goal was closed; null while it is open.
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
