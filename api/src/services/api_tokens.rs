//! API tokens for partner apps: minting (the secret is returned once, only its digest is kept)
//! and revoking (sockets opened with the token close).

use chrono::{DateTime, Utc};
use entity::api_token;
use uuid::Uuid;

use crate::{
    auth::{api_token as token_format, secret, Actor},
    bus::{ActivityKind, BusEvent},
    domain::scopes::{parse_scopes, ScopeError},
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::api_tokens::NewApiToken,
};

/// What a person asks for when minting a token (fields as `CreateApiTokenInput` names them).
pub struct TokenRequest {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub trusted_documents_only: bool,
}

/// Mints a token bound to the workspace; returns the secret (shown this once) and the row.
pub async fn mint(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    request: TokenRequest,
) -> AppResult<(String, api_token::Model)> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::bad_input(
            "input.name",
            "must be 1 to 120 characters",
        ));
    }
    if request.scopes.is_empty() {
        return Err(AppError::bad_input(
            "input.scopes",
            "name at least one scope",
        ));
    }
    let scopes = parse_scopes(&request.scopes).map_err(|(index, err)| {
        let field = format!("input.scopes[{index}]");
        match err {
            ScopeError::Malformed(s) => AppError::bad_input(
                field,
                format!("`{s}` is not `resource:read` or `resource:write`"),
            ),
            ScopeError::UnknownResource(r) => {
                AppError::bad_input(field, format!("unknown resource `{r}`"))
            }
        }
    })?;
    if request.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(AppError::bad_input(
            "input.expiresAt",
            "must be in the future",
        ));
    }
    let secret_token = token_format::generate();
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let created = tenant
        .create_api_token(NewApiToken {
            name: name.to_owned(),
            prefix: token_format::display_prefix(&secret_token),
            token_hash: secret::digest(&secret_token),
            scopes,
            created_by: actor.user_id()?,
            expires_at: request.expires_at,
            trusted_documents_only: request.trusted_documents_only,
        })
        .await?;
    notices.activity(
        workspace_id,
        ActivityKind::ApiTokenCreated,
        actor.user_id().ok(),
        created.id,
        format!("API token `{}` created", created.name),
    );
    work.commit().await?;
    Ok((secret_token, created))
}

/// Revokes a token for good (revoking twice keeps the first time); its sockets close.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<api_token::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let revoked = tenant.revoke_api_token(id).await?;
    notices.announce(
        workspace_id,
        BusEvent::ApiTokenRevoked {
            token_id: revoked.id,
        },
    );
    notices.activity(
        workspace_id,
        ActivityKind::ApiTokenRevoked,
        actor.user_id().ok(),
        revoked.id,
        format!("API token `{}` revoked", revoked.name),
    );
    work.commit().await?;
    Ok(revoked)
}

/// Adds documents to an API token's allow-list (already known ones are kept as they are).
pub async fn register_trusted_documents(
    state: &AppState,
    workspace_id: Uuid,
    token_id: Uuid,
    documents: Vec<crate::store::trusted_documents::NewTrustedDocument>,
) -> AppResult<Vec<entity::trusted_document::Model>> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let stored = work
        .tenant()
        .register_trusted_documents(token_id, documents)
        .await?;
    work.commit().await?;
    Ok(stored)
}

/// Turns an API token's allow-list mode on or off.
pub async fn set_trusted_documents_only(
    state: &AppState,
    workspace_id: Uuid,
    token_id: Uuid,
    enabled: bool,
) -> AppResult<entity::api_token::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let token = tenant.set_trusted_documents_only(token_id, enabled).await?;
    notices.announce(
        workspace_id,
        BusEvent::ApiTokenChanged { token_id: token.id },
    );
    work.commit().await?;
    Ok(token)
}
