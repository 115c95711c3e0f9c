use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A channel leads come from.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub kind: SourceKind,
    /// A paused source's new leads are not routed as MQLs until revops resumes it.
    pub paused: bool,
    pub paused_at: Option<DateTimeUtc>,
    /// The source rule judges months from this instant on (set when revops resumes the source,
    /// so the months that paused it do not pause it again).
    pub rule_window_from: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
