use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// An active deal, won or lost in the end.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub account_id: Uuid,
    pub primary_contact_id: Option<Uuid>,
    /// The lead the deal came from, for attribution.
    pub lead_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub amount: f64,
    pub currency: String,
    pub stage: OpportunityStage,
    pub close_date: Option<Date>,
    pub lost_reason: Option<String>,
    /// The competitor the deal was up against (for a lost deal: lost to).
    pub competitor: Option<String>,
    pub created_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// When it entered its current stage (the stage history has every move).
    pub stage_changed_at: Option<DateTimeUtc>,
    /// The partner system's id (imports and `upsertOpportunities` find the deal by it).
    pub external_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
