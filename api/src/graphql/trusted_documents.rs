//! Trusted documents: the GraphQL documents an API token registers, and the allow-list mode that
//! limits the token to them (enforced by [`super::trusted_guard`]).

use std::sync::{Arc, OnceLock};

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
    parser::{parse_query, types::DocumentOperations},
    Context, Object, Response, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use entity::trusted_document;

use super::{api_tokens::ApiToken, context::ContextExt, AccordSchema};
use crate::{
    domain::{documents::sha256_hex, permissions::Permission},
    error::AppError,
    store::{parse_id, trusted_documents::NewTrustedDocument},
};

/// Most documents one `registerTrustedDocuments` call takes.
const MAX_DOCUMENTS_PER_CALL: usize = 100;

/// A document an API token may run in allow-list mode.
#[derive(SimpleObject)]
pub struct TrustedDocument {
    pub id: ID,
    /// SHA-256 of the document text, hex: the `extensions.persistedQuery.sha256Hash` naming it.
    pub sha256: String,
    pub document: String,
    pub created_at: DateTime<Utc>,
}

impl From<trusted_document::Model> for TrustedDocument {
    fn from(model: trusted_document::Model) -> Self {
        Self {
            id: model.id.into(),
            sha256: model.sha256,
            document: model.document,
            created_at: model.created_at,
        }
    }
}

#[derive(Default)]
pub struct TrustedDocumentQuery;

#[Object]
impl TrustedDocumentQuery {
    /// The documents registered for an API token, oldest first.
    async fn trusted_documents(
        &self,
        ctx: &Context<'_>,
        token_id: ID,
    ) -> Result<Vec<TrustedDocument>> {
        let workspace_id = ctx.actor()?.require(Permission::ManageIntegrations)?;
        let token_id = parse_id(&token_id, "API token")?;
        let documents = ctx
            .state()
            .store
            .tenant(workspace_id)
            .trusted_documents(token_id)
            .await?;
        Ok(documents.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct TrustedDocumentMutation;

#[Object]
impl TrustedDocumentMutation {
    /// Registers documents an API token may run in allow-list mode. Each must parse and validate
    /// against the schema; registering a document twice keeps the first. Returns all the token's
    /// documents.
    async fn register_trusted_documents(
        &self,
        ctx: &Context<'_>,
        token_id: ID,
        documents: Vec<String>,
    ) -> Result<Vec<TrustedDocument>> {
        let workspace_id = ctx.actor()?.require(Permission::ManageIntegrations)?;
        let token_id = parse_id(&token_id, "API token")?;
        if documents.is_empty() || documents.len() > MAX_DOCUMENTS_PER_CALL {
            return Err(AppError::bad_input(
                "documents",
                format!("send 1 to {MAX_DOCUMENTS_PER_CALL} documents"),
            )
            .into());
        }
        for (index, document) in documents.iter().enumerate() {
            if let Err(message) = validate(document).await {
                return Err(AppError::bad_input(format!("documents[{index}]"), message).into());
            }
        }
        let state = ctx.state();
        let new_documents: Vec<NewTrustedDocument> = documents
            .into_iter()
            .map(|document| NewTrustedDocument {
                sha256: sha256_hex(&document),
                document,
            })
            .collect();
        for new in &new_documents {
            state
                .persisted_queries
                .remember(new.sha256.clone(), &new.document);
        }
        let stored = crate::services::api_tokens::register_trusted_documents(
            state,
            workspace_id,
            token_id,
            new_documents,
        )
        .await?;
        Ok(stored.into_iter().map(Into::into).collect())
    }

    /// Turns an API token's allow-list mode on or off; it applies from the token's next request.
    async fn set_api_token_trusted_documents_only(
        &self,
        ctx: &Context<'_>,
        id: ID,
        enabled: bool,
    ) -> Result<ApiToken> {
        let workspace_id = ctx.actor()?.require(Permission::ManageIntegrations)?;
        let id = parse_id(&id, "API token")?;
        let token = crate::services::api_tokens::set_trusted_documents_only(
            ctx.state(),
            workspace_id,
            id,
            enabled,
        )
        .await?;
        Ok(token.into())
    }
}

/// Parses and validates `document` against the schema without running it.
async fn validate(document: &str) -> std::result::Result<(), String> {
    static VALIDATOR: OnceLock<AccordSchema> = OnceLock::new();
    let parsed = parse_query(document).map_err(|err| err.to_string())?;
    // Any one operation: validation covers the whole document either way.
    let operation_name = match &parsed.operations {
        DocumentOperations::Single(_) => None,
        DocumentOperations::Multiple(operations) => operations.keys().next().cloned(),
    };
    let validator =
        VALIDATOR.get_or_init(|| super::schema_builder().extension(ValidateOnly).finish());
    let mut request = async_graphql::Request::new(document);
    if let Some(name) = operation_name {
        request = request.operation_name(name.as_str());
    }
    let response = validator.execute(request).await;
    match response.errors.into_iter().next() {
        Some(error) => Err(error.message),
        None => Ok(()),
    }
}

/// Stops a request right after validation: the document is checked, nothing runs.
struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> Response {
        Response::default()
    }
}
