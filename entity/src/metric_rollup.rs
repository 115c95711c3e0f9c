use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// How many facts of one kind happened on one UTC day, credited to one key of one dimension.
/// Kept by the transactions that write the facts; see migration 000009.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "metric_rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// ALL, SOURCE, SEGMENT, REP, CAMPAIGN or PLAY.
    pub dimension: String,
    /// STAGE, REJECTION, SLA_DUE or SLA_MET.
    pub fact: String,
    pub day: Date,
    /// The stage entered (STAGE), the reason code (REJECTION), else empty.
    pub detail: String,
    /// The source, rep, campaign or play; the nil uuid when none (and for ALL and SEGMENT).
    pub key_id: Uuid,
    /// The segment; empty when none (and for the other dimensions).
    pub key_text: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
