use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A deal moved from one stage to another: time in stage and stalled deals read it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunity_stage_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub opportunity_id: Uuid,
    pub from_stage: Option<OpportunityStage>,
    pub to_stage: OpportunityStage,
    pub changed_at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    /// When the deal left `to_stage` (its next move); NULL while it is still there.
    pub left_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
