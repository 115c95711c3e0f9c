use sea_orm::entity::prelude::*;

/// Something a person owes the team, usually out of a review.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "action_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub review_id: Option<Uuid>,
    pub title: String,
    pub owner_id: Uuid,
    pub due_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
