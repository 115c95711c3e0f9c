use sea_orm::entity::prelude::*;

/// A GraphQL document an API token registered; a token in allow-list mode runs only these.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trusted_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub api_token_id: Uuid,
    /// SHA-256 of the document text, hex-encoded: the hash a persisted query names.
    pub sha256: String,
    pub document: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::api_token::Entity",
        from = "Column::ApiTokenId",
        to = "super::api_token::Column::Id"
    )]
    ApiToken,
}

impl ActiveModelBehavior for ActiveModel {}
