use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A message to a person that something needs them now. A row first, a message second.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "triggers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub recipient_id: Uuid,
    /// Allocated per recipient in the writing transaction; `since` resumes exactly.
    pub sequence: i64,
    pub kind: TriggerKind,
    pub lead_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
    pub step: Option<i32>,
    pub due_at: Option<DateTimeUtc>,
    pub message: String,
    pub created_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    /// The lead intel package as it was when the trigger went out (JSON, the shape of
    /// `api::domain::intel::Intel`); `None` for a trigger about no lead.
    pub intel: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
