use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// The share of one deal's credit one touchpoint key earned under one attribution model, with
/// the deal's amount, creation and win as they were when it was computed (migration 000029).
/// A deal has lines for every model once computed; its `credits_due` flag is set while they
/// are missing or out of date.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_credits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub opportunity_id: Uuid,
    /// FIRST_TOUCH, LAST_TOUCH, LINEAR or W_SHAPED.
    pub model: String,
    /// A rep's touch (no source or campaign), else an engagement event.
    pub sales: bool,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub share: f64,
    pub amount: f64,
    pub created_at: DateTimeUtc,
    /// When the deal was won; `None` while open or when lost.
    pub won_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
