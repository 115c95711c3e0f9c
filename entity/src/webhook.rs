use sea_orm::entity::prelude::*;

#[allow(unused_imports)]
use crate::*;

/// An endpoint a partner app registered: Accord POSTs the events it asked for, signed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    /// The event names it receives (`["lead.mql", "opportunity.won"]`).
    pub events: Json,
    /// The HMAC-SHA256 key deliveries are signed with.
    pub secret: String,
    pub status: WebhookStatus,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
