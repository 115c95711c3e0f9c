use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A background recomputation of fit scores after an ICP changed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fit_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub icp_id: Uuid,
    /// PENDING, RUNNING, DONE.
    pub status: String,
    pub total: i64,
    pub processed: i64,
    /// The last contact id scored, so a restarted job resumes where it stopped.
    pub cursor: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
