use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// Sales refused an MQL, with a reason; marketing may dispute it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rejections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub rejected_by: Uuid,
    pub source_id: Option<Uuid>,
    pub reason: RejectionReason,
    pub note: Option<String>,
    pub rejected_at: DateTimeUtc,
    pub disputed_by: Option<Uuid>,
    pub disputed_at: Option<DateTimeUtc>,
    pub dispute_note: Option<String>,
    /// UPHELD (the lead returns to its rep) or DENIED.
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    /// The segment of the lead's account when it was rejected: the rejection is counted under
    /// it.
    pub segment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
