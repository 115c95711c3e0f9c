//! API tokens for partner apps.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::api_token;

use super::context::ContextExt;
use crate::{
    domain::permissions::Permission,
    services::api_tokens::{self, TokenRequest},
    store::{self, parse_id},
};

/// A partner app's credential. The secret itself is shown only once, at creation.
#[derive(SimpleObject)]
pub struct ApiToken {
    pub id: ID,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The token runs only the documents registered for it (`registerTrustedDocuments`).
    pub trusted_documents_only: bool,
}

impl From<api_token::Model> for ApiToken {
    fn from(model: api_token::Model) -> Self {
        Self {
            scopes: store::api_tokens::scopes_of(&model),
            id: model.id.into(),
            name: model.name,
            prefix: model.prefix,
            created_at: model.created_at,
            expires_at: model.expires_at,
            last_used_at: model.last_used_at,
            revoked_at: model.revoked_at,
            trusted_documents_only: model.trusted_documents_only,
        }
    }
}

#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The secret. Store it now: Accord keeps only its hash.
    pub token: String,
    pub api_token: ApiToken,
}

#[derive(InputObject)]
pub struct CreateApiTokenInput {
    pub name: String,
    /// `resource:read` or `resource:write` (write implies read), e.g. `events:write`, `leads:read`.
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Allow-list mode: the token may run only the documents registered for it with
    /// `registerTrustedDocuments` (none at first), sent in full or by their SHA-256.
    #[graphql(default)]
    pub trusted_documents_only: bool,
}

#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The workspace's API tokens, newest first.
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let workspace_id = ctx.actor()?.require(Permission::ManageIntegrations)?;
        let tokens = ctx.state().store.tenant(workspace_id).api_tokens().await?;
        Ok(tokens.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct ApiTokenMutation;

#[Object]
impl ApiTokenMutation {
    /// Mints a token bound to the current workspace. The secret is in the answer and nowhere else.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> Result<CreatedApiToken> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageIntegrations)?;
        let request = TokenRequest {
            name: input.name,
            scopes: input.scopes,
            expires_at: input.expires_at,
            trusted_documents_only: input.trusted_documents_only,
        };
        let (token, created) = api_tokens::mint(ctx.state(), actor, workspace_id, request).await?;
        Ok(CreatedApiToken {
            token,
            api_token: created.into(),
        })
    }

    /// Revokes a token for good; sockets opened with it close.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<ApiToken> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageIntegrations)?;
        let id = parse_id(&id, "API token")?;
        let revoked = api_tokens::revoke(ctx.state(), actor, workspace_id, id).await?;
        Ok(revoked.into())
    }
}
