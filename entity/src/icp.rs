use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// One version of an ideal customer profile. Versions of one ICP share `family_id`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "icps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub family_id: Uuid,
    pub version: i32,
    pub name: String,
    pub motion: IcpMotion,
    pub status: VersionStatus,
    /// Weighted criteria on the account: `[{name, weight, criteria}]`.
    pub account_criteria: Json,
    /// Weighted criteria on the contact.
    pub contact_criteria: Json,
    /// Buying-committee personas: `[{persona, role}]`.
    pub personas: Json,
    pub retention_risk_tags: Json,
    pub owner_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
