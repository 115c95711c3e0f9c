//! The request-level GraphQL extension: charges query cost to the caller's rate-limit budget,
//! flags documents that fail to parse or validate, and stamps every error with the request id.

use std::sync::{atomic::Ordering, Arc};

use async_graphql::{
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
    },
    parser::types::ExecutableDocument,
    Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};

use super::context::RequestMeta;
use crate::{error::AppError, rate_limit::Charge, state::AppState};

pub struct RequestGuard;

impl ExtensionFactory for RequestGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestGuardExtension)
    }
}

struct RequestGuardExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for RequestGuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let meta = ctx.data_opt::<Arc<RequestMeta>>();
        let state = ctx.data_opt::<AppState>();
        for error in &mut response.errors {
            let code = error_code(error);
            if let Some(state) = state {
                state
                    .metrics
                    .graphql_errors
                    .with_label_values(&[code.as_str()])
                    .inc();
            }
            if let Some(meta) = meta {
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("requestId", meta.request_id.as_str());
            }
        }
        if let Some((cost, budget)) =
            meta.and_then(|m| *m.budget.lock().unwrap_or_else(|p| p.into_inner()))
        {
            let mut cost_info = async_graphql::indexmap::IndexMap::new();
            cost_info.insert(async_graphql::Name::new("requested"), Value::from(cost));
            cost_info.insert(
                async_graphql::Name::new("remaining"),
                Value::from(budget.remaining),
            );
            cost_info.insert(async_graphql::Name::new("limit"), Value::from(budget.limit));
            cost_info.insert(
                async_graphql::Name::new("resetAfter"),
                Value::from(budget.reset_after_secs),
            );
            response
                .extensions
                .insert("cost".into(), Value::Object(cost_info));
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let result = next.run(ctx, query, variables).await;
        if result.is_err() {
            if let Some(meta) = ctx.data_opt::<Arc<RequestMeta>>() {
                meta.mark_request_error();
            }
        }
        result.map_err(|err| with_code(err, "BAD_USER_INPUT"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let meta = ctx.data_opt::<Arc<RequestMeta>>();
        let result = match next.run(ctx).await {
            Ok(result) => result,
            Err(errors) => {
                if let Some(meta) = meta {
                    meta.mark_request_error();
                }
                return Err(errors
                    .into_iter()
                    .map(|err| with_code(err, "BAD_USER_INPUT"))
                    .collect());
            }
        };
        let (Some(meta), Some(state)) = (meta, ctx.data_opt::<AppState>()) else {
            return Ok(result);
        };
        let cost = result.complexity.max(1) as u64;
        match state.limiter.charge(&meta.rate_limit_key, cost).await {
            Charge::Allowed(budget) => {
                *meta.budget.lock().unwrap_or_else(|p| p.into_inner()) = Some((cost, budget));
                Ok(result)
            }
            Charge::Exceeded { retry_after_secs } => {
                meta.retry_after_secs
                    .store(retry_after_secs, Ordering::Relaxed);
                let err: async_graphql::Error = AppError::RateLimited { retry_after_secs }.into();
                Err(vec![err.into_server_error(Default::default())])
            }
        }
    }
}

fn with_code(mut err: ServerError, code: &str) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    err
}

fn error_code(error: &ServerError) -> String {
    match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
        Some(Value::String(code)) => code.clone(),
        _ => "UNCLASSIFIED".to_owned(),
    }
}
