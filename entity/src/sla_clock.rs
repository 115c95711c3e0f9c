use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A clock the contract started: first touch or status update, with its due time.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_clocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub kind: SlaKind,
    pub assignee_id: Uuid,
    pub started_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub warn_at: DateTimeUtc,
    pub warned_at: Option<DateTimeUtc>,
    pub breached_at: Option<DateTimeUtc>,
    pub met_at: Option<DateTimeUtc>,
    /// The lead's source when the clock started: the clock is counted under it.
    pub source_id: Option<Uuid>,
    /// The segment of the lead's account when the clock started.
    pub segment: Option<String>,
    /// FIRST_TOUCH clocks: the lead's first touch at or after the clock started (accepting or
    /// rejecting also stops the clock, but is not a touch). Kept by the touch's transaction.
    pub first_touch_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
