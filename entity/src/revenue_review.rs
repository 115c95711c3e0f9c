use sea_orm::entity::prelude::*;

/// One weekly revenue review (seed 004): held once per week, its decision log published after.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "revenue_reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// The Monday of the week the review is held in.
    pub week_of: Date,
    pub started_at: DateTimeUtc,
    pub started_by: Uuid,
    pub log_published_at: Option<DateTimeUtc>,
    pub log_published_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
