use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// What ingestion last found about an account as a whole: its account score, whether it is in
/// market (a marketing-qualified account) and why, and whether its buying committee is covered.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_signals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// One row per account.
    pub account_id: Uuid,
    /// The account score when it was last scored (`scored_at`).
    pub score: i32,
    /// When the score last crossed the contract's account threshold; null while below it.
    pub in_market_since: Option<DateTimeUtc>,
    /// Why it is in market: the contacts, personas and events behind the score, as JSON.
    pub reason: Option<Json>,
    /// When a TRIGGERS and an INFLUENCES persona were first found engaged together; cleared
    /// when they no longer are.
    pub committee_covered_at: Option<DateTimeUtc>,
    pub scored_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
