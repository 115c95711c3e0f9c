use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// One line of a lead's score ledger, keyed by the event that caused it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "score_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub event_id: Uuid,
    pub rule: String,
    pub kind: ScoreKind,
    pub points: i32,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
