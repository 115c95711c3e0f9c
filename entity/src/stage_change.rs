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
    /// The lead's owner at the time.
    pub owner_id: Option<Uuid>,
    /// The segment of the lead's account at the time.
    pub segment: Option<String>,
    /// The campaign the move is credited to: the one whose event moved the lead, else the one
    /// of the lead's previous change.
    pub campaign_id: Option<Uuid>,
    /// The play the move is credited to, likewise.
    pub play_id: Option<Uuid>,
    /// When the lead moved on: the stay that began here ended. `None` while it is still here.
    pub left_at: Option<DateTimeUtc>,
    /// Where it went.
    pub next_stage: Option<LeadStage>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
