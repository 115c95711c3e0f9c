use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A piece of content reps and campaigns use.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub url: Option<String>,
    pub kind: AssetKind,
    pub funnel_stage: FunnelStage,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
