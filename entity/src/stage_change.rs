use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A lead moved from one stage to another: the history every funnel metric reads.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub from_stage: Option<LeadStage>,
    pub to_stage: LeadStage,
    pub changed_at: DateTimeUtc,
    /// The person who moved it; `None` when the contract did.
    pub actor_id: Option<Uuid>,
    pub reason: Option<String>,
    pub contract_id: Option<Uuid>,
    /// The source of the lead at the time, for source-level rates.
    pub source_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
