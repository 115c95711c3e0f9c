use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// A background re-evaluation of a workspace's leads (or of one source's) against the lead
/// contract after their facts changed in bulk.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "requalify_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// What changed: IMPORT, RECORDS, ICP_ACTIVATED, CONTRACT_SIGNED, SOURCE_RESUMED.
    pub reason: String,
    /// Only this source's leads (a resumed source's held-back leads).
    pub source_id: Option<Uuid>,
    /// PENDING, RUNNING, DONE.
    pub status: String,
    pub total: i64,
    pub processed: i64,
    /// The leads that became MQLs.
    pub qualified: i64,
    /// The last lead id re-evaluated, so a restarted job resumes where it stopped.
    pub cursor: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
