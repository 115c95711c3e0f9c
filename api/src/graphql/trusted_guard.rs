//! Allow-list mode: an API token marked `trustedDocumentsOnly` runs only the documents
//! registered for it. Checked when the request is prepared, before parsing and validation, on
//! both transports (HTTP and WebSocket); a refusal costs the token's budget 1, not the document's
//! cost, so refusals stay cheap and still cannot be sent without bound.

use std::{
    any::{Any, TypeId},
    sync::Arc,
};

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    Request, ServerResult,
};

use super::{
    context::{RequestActor, RequestMeta},
    extension::charge,
};
use crate::{
    auth::Credential,
    domain::documents::{sha256_hex, DocumentHash},
    error::{AppError, AppResult},
    state::AppState,
};

/// What a refused document costs the token's rate-limit budget.
const REFUSAL_COST: u64 = 1;

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
    let actor = request_data::<RequestActor>(request).and_then(|actor| actor.0.as_ref());
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
    // The HTTP handler already hashed a document it checked or looked up by hash.
    let sha256 = match request_data::<DocumentHash>(request) {
        Some(DocumentHash(known)) => known.clone(),
        None => sha256_hex(&request.query),
    };
    let registered = state
        .store
        .tenant(actor.workspace_id()?)
        .is_trusted_document(token_id, &sha256)
        .await?;
    if registered {
        return Ok(());
    }
    if let Some(meta) = request_data::<Arc<RequestMeta>>(request) {
        charge(state, meta, REFUSAL_COST).await?;
    }
    Err(AppError::forbidden(format!(
        "this API token runs only its trusted documents, and the document with sha256 \
             {sha256} is not one of them: register it with registerTrustedDocuments"
    )))
}

/// The request's own data, which reaches the extension context only after this hook.
fn request_data<T: Any>(request: &Request) -> Option<&T> {
    request
        .data
        .get(&TypeId::of::<T>())
        .and_then(|data| data.downcast_ref::<T>())
}
