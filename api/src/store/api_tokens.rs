//! API tokens: tenant-scoped management, plus the global lookup by hash that authentication needs.

use chrono::{DateTime, Duration, Utc};
use entity::api_token;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{Global, Tenant};
use crate::error::AppResult;

/// How stale `last_used_at` may get before a request refreshes it; saves a write per request.
const LAST_USED_GRANULARITY: Duration = Duration::seconds(60);

pub struct NewApiToken {
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    pub scopes: Vec<String>,
    pub created_by: Uuid,
    pub expires_at: Option<DateTime<Utc>>,
    pub trusted_documents_only: bool,
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub async fn api_tokens(&self) -> AppResult<Vec<api_token::Model>> {
        Ok(self
            .select::<api_token::Entity>()
            .order_by_desc(api_token::Column::CreatedAt)
            .all(self.conn())
            .await?)
    }

    pub async fn create_api_token(&self, token: NewApiToken) -> AppResult<api_token::Model> {
        Ok(api_token::Entity::insert(api_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(self.workspace_id()),
            name: Set(token.name),
            prefix: Set(token.prefix),
            token_hash: Set(token.token_hash),
            scopes: Set(serde_json::json!(token.scopes)),
            created_by: Set(token.created_by),
            created_at: Set(Utc::now()),
            expires_at: Set(token.expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            trusted_documents_only: Set(token.trusted_documents_only),
        })
        .exec_with_returning(self.conn())
        .await?)
    }

    /// Revokes the token; revoking twice keeps the first time.
    pub async fn revoke_api_token(&self, id: Uuid) -> AppResult<api_token::Model> {
        let token = self.get::<api_token::Entity>(id).await?;
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        let mut active: api_token::ActiveModel = token.into();
        active.revoked_at = Set(Some(Utc::now()));
        Ok(active.update(self.conn()).await?)
    }

    /// Turns the token's allow-list mode on or off.
    pub async fn set_trusted_documents_only(
        &self,
        id: Uuid,
        enabled: bool,
    ) -> AppResult<api_token::Model> {
        let token = self.get::<api_token::Entity>(id).await?;
        let mut active: api_token::ActiveModel = token.into();
        active.trusted_documents_only = Set(enabled);
        Ok(active.update(self.conn()).await?)
    }
}

pub async fn by_hash<C: ConnectionTrait>(
    global: &Global<'_, C>,
    token_hash: &str,
) -> AppResult<Option<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .one(global.conn())
        .await?)
}

/// Records that the token was used at `now`. Each instance calls it at most once a minute per
/// token; a row another instance wrote less than [`LAST_USED_GRANULARITY`] ago is left as it is.
pub async fn touch<C: ConnectionTrait>(
    global: &Global<'_, C>,
    token_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Some(now).into())
        .filter(api_token::Column::Id.eq(token_id))
        .filter(
            Condition::any()
                .add(api_token::Column::LastUsedAt.is_null())
                .add(api_token::Column::LastUsedAt.lt(now - LAST_USED_GRANULARITY)),
        )
        .exec(global.conn())
        .await?;
    Ok(())
}

pub fn scopes_of(token: &api_token::Model) -> Vec<String> {
    serde_json::from_value(token.scopes.clone()).unwrap_or_default()
}
