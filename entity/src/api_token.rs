use sea_orm::entity::prelude::*;

/// A partner app's credential, bound to one workspace and a set of scopes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// The first characters of the secret, shown so people can tell tokens apart.
    pub prefix: String,
    /// SHA-256 of the secret.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub scopes: Json,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    /// The token may run only the documents registered for it (`trusted_documents`).
    pub trusted_documents_only: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::workspace::Entity",
        from = "Column::WorkspaceId",
        to = "super::workspace::Column::Id"
    )]
    Workspace,
}

impl ActiveModelBehavior for ActiveModel {}
