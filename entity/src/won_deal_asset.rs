use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// An asset that touched a won deal (migration 000032): it reached a contact of the deal's
/// account before the close. The deal's close and amount are copied so that a range's lines
/// are summed without the deals. A won deal has lines exactly while it is not on
/// `won_deal_assets_due`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "won_deal_assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub opportunity_id: Uuid,
    pub asset_id: Uuid,
    pub closed_at: DateTimeUtc,
    pub amount: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
