use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A logged rep activity with its outcome.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "touches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub actor_id: Uuid,
    pub channel: Channel,
    pub outcome: TouchOutcome,
    pub asset_id: Option<Uuid>,
    pub note: Option<String>,
    pub task_id: Option<Uuid>,
    pub enrollment_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
