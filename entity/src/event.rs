use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// An engagement event a partner app sent, recorded once per idempotency key.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub idempotency_key: String,
    /// SHA-256 of the canonical payload: the same key with another payload is a conflict.
    pub payload_hash: String,
    pub event_type: String,
    pub occurred_at: DateTimeUtc,
    pub contact_id: Uuid,
    pub account_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub properties: Json,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
