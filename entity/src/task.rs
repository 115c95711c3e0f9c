use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A cadence step to do for one enrolled lead, due on a business day.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub enrollment_id: Uuid,
    pub play_id: Uuid,
    pub contact_id: Uuid,
    pub assignee_id: Uuid,
    /// 1-based position in the cadence.
    pub step: i32,
    pub day_offset: i32,
    pub channel: Channel,
    pub theme: MessageTheme,
    pub asset_id: Option<Uuid>,
    pub instructions: Option<String>,
    pub due_at: DateTimeUtc,
    pub status: TaskStatus,
    /// When PLAY_STEP_DUE went out.
    pub notified_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
