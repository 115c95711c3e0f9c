use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A person's role inside one workspace. What each role may do lives in `api::domain::permissions`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[sea_orm(string_value = "OWNER")]
    Owner,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    /// The CMO: signs the lead contract for marketing.
    #[sea_orm(string_value = "MARKETING_LEADER")]
    MarketingLeader,
    /// The CRO: signs the lead contract for sales.
    #[sea_orm(string_value = "SALES_LEADER")]
    SalesLeader,
    #[sea_orm(string_value = "REVOPS")]
    Revops,
    #[sea_orm(string_value = "MARKETER")]
    Marketer,
    #[sea_orm(string_value = "SALES_MANAGER")]
    SalesManager,
    #[sea_orm(string_value = "REP")]
    Rep,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}
