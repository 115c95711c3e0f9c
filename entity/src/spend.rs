use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// Money spent on a source or a campaign in one calendar month.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "spend")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    /// `YYYY-MM`.
    pub month: String,
    pub amount: f64,
    pub currency: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
