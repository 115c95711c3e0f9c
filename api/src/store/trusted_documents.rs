//! Trusted documents: the GraphQL documents an API token in allow-list mode may run.

use chrono::Utc;
use entity::{api_token, trusted_document};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// A document ready to store: its text and the hex SHA-256 of that text.
pub struct NewTrustedDocument {
    pub sha256: String,
    pub document: String,
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    /// Stores `documents` for the token (NOT_FOUND outside this workspace); a document already
    /// registered stays as it was. Returns the token's documents.
    pub async fn register_trusted_documents(
        &self,
        token_id: Uuid,
        documents: Vec<NewTrustedDocument>,
    ) -> AppResult<Vec<trusted_document::Model>> {
        self.get::<api_token::Entity>(token_id).await?;
        if !documents.is_empty() {
            let now = Utc::now();
            let rows = documents
                .into_iter()
                .map(|doc| trusted_document::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    workspace_id: Set(self.workspace_id()),
                    api_token_id: Set(token_id),
                    sha256: Set(doc.sha256),
                    document: Set(doc.document),
                    created_at: Set(now),
                });
            trusted_document::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        trusted_document::Column::ApiTokenId,
                        trusted_document::Column::Sha256,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(self.conn())
                .await?;
        }
        self.trusted_documents(token_id).await
    }

    /// The token's documents, oldest first (NOT_FOUND when the token is not in this workspace).
    pub async fn trusted_documents(
        &self,
        token_id: Uuid,
    ) -> AppResult<Vec<trusted_document::Model>> {
        self.get::<api_token::Entity>(token_id).await?;
        Ok(self
            .select::<trusted_document::Entity>()
            .filter(trusted_document::Column::ApiTokenId.eq(token_id))
            .order_by_asc(trusted_document::Column::CreatedAt)
            .order_by_asc(trusted_document::Column::Id)
            .all(self.conn())
            .await?)
    }

    /// Whether the token registered the document with this hash.
    pub async fn is_trusted_document(&self, token_id: Uuid, sha256: &str) -> AppResult<bool> {
        let found = self
            .select::<trusted_document::Entity>()
            .filter(trusted_document::Column::ApiTokenId.eq(token_id))
            .filter(trusted_document::Column::Sha256.eq(sha256))
            .count(self.conn())
            .await?;
        Ok(found > 0)
    }
}
