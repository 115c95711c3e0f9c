use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A trigger that starts a cadence for a lead, with its assets and exit criteria.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plays")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub status: PlayStatus,
    /// `api::domain::plays::PlayTrigger`.
    pub trigger: Json,
    pub cadence_id: Uuid,
    /// The campaign whose plays this is one of.
    pub campaign_id: Option<Uuid>,
    pub asset_ids: Json,
    /// `api::domain::plays::ExitCriteria`.
    pub exit: Json,
    /// Higher runs first; an exclusive play shuts out other exclusive ones.
    pub priority: i32,
    pub exclusive: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
