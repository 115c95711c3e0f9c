//! Allow-list mode: an API token marked `trustedDocumentsOnly` runs only the documents
//! registered for it. Checked when the request is prepared, before parsing, validation or the
//! rate-limit charge, on both transports (HTTP and WebSocket).

use std::{any::TypeId, sync::Arc};

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    Request, ServerResult,
};

use super::context::RequestActor;
use crate::{
    auth::Credential,
    domain::documents::sha256_hex,
    error::{AppError, AppResult},
    state::AppState,
};

pub struct TrustedDocumentsGuard;

impl ExtensionFactory for TrustedDocumentsGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TrustedDocumentsGuardExtension)
    }
}

struct TrustedDocumentsGuardExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for TrustedDocumentsGuardExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(state) = ctx.data_opt::<AppState>() {
            if let Err(err) = check(state, &request).await {
                let err: async_graphql::Error = err.into();
                return Err(err.into_server_error(Default::default()));
            }
        }
        next.run(ctx, request).await
    }
}

async fn check(state: &AppState, request: &Request) -> AppResult<()> {
    // The request's own data is attached to the context only after this hook.
    let actor = request
        .data
        .get(&TypeId::of::<RequestActor>())
        .and_then(|data| data.downcast_ref::<RequestActor>())
        .and_then(|actor| actor.0.as_ref());
    let Some(actor) = actor else {
        return Ok(());
    };
    let Credential::ApiToken {
        token_id,
        trusted_documents_only: true,
        ..
    } = actor.credential
    else {
        return Ok(());
    };
    let sha256 = sha256_hex(&request.query);
    let registered = state
        .store
        .tenant(actor.workspace_id()?)
        .is_trusted_document(token_id, &sha256)
        .await?;
    if registered {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "this API token runs only its trusted documents, and the document with sha256 \
             {sha256} is not one of them: register it with registerTrustedDocuments"
        )))
    }
}
