use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// One lead's run through one play.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub play_id: Uuid,
    pub contact_id: Uuid,
    /// The rep working it: the lead's owner at enrollment.
    pub owner_id: Uuid,
    pub status: EnrollmentStatus,
    pub exclusive: bool,
    /// What enrolled it when background work did (a stalled or lost deal), so it enrolls once.
    pub signal_key: Option<String>,
    pub enrolled_at: DateTimeUtc,
    /// When the play runs out (a business day after its last step): recycle if no response.
    /// `None` while it waits for the contract's minimum touches.
    pub ends_at: Option<DateTimeUtc>,
    pub first_touch_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub end_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
