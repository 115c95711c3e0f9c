use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// One version of the written agreement between marketing and sales.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_contracts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Shared by every version of the workspace's contract.
    pub family_id: Uuid,
    pub version: i32,
    pub status: ContractStatus,
    /// The terms, as `api::domain::contract::Terms` in JSON.
    pub terms: Json,
    pub marketing_signed_by: Option<Uuid>,
    pub marketing_signed_at: Option<DateTimeUtc>,
    pub sales_signed_by: Option<Uuid>,
    pub sales_signed_at: Option<DateTimeUtc>,
    pub activated_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
