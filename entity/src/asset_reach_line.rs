use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// What the assets did for one lead at one time (migration 000031): the asset first reached it
/// (`reached`), or a stage change after that moved it down the funnel (`advances`). A lead has
/// lines exactly while it is not on `asset_reach_due`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "asset_reach_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub asset_id: Uuid,
    pub at: DateTimeUtc,
    pub reached: i32,
    pub advances: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
