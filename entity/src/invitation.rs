use sea_orm::entity::prelude::*;

use crate::Role;

/// A seat offered to an address. It becomes a membership only when a signed-in account whose
/// verified address is `email` accepts it with the mailed token (kept as its SHA-256).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Lower-cased and trimmed.
    pub email: String,
    pub role: Role,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The user who invited.
    pub invited_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub accepted_by: Option<Uuid>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
