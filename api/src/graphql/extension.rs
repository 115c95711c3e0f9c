//! The request-level GraphQL extension refuses documents past the size caps (aliases, root
//! fields, expensive root fields), charges query cost to the caller's rate-limit budget and
//! flags documents that fail to parse or validate; [`finish_response`] then stamps the response
//! with the request id and the cost, for both transports.

use std::sync::{atomic::Ordering, Arc};

use async_graphql::{
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::ExecutableDocument,
    Name, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};

use super::{context::RequestMeta, cost::is_expensive_root_field, document_size::measure};
use crate::{config::Config, error::AppError, rate_limit::Charge, state::AppState};

pub struct RequestGuard;

impl ExtensionFactory for RequestGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestGuardExtension)
    }
}

struct RequestGuardExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for RequestGuardExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let result = next.run(ctx, query, variables).await.and_then(|doc| {
            match ctx.data_opt::<AppState>() {
                Some(state) => within_size_caps(&doc, &state.config).map(|()| doc),
                None => Ok(doc),
            }
        });
        if result.is_err() {
            if let Some(meta) = ctx.data_opt::<Arc<RequestMeta>>() {
                meta.mark_request_error();
            }
        }
        result.map_err(|err| with_code(concise(err), "BAD_USER_INPUT"))
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
        match charge(state, meta, cost).await {
            Ok(()) => Ok(result),
            Err(refused) => {
                let err: async_graphql::Error = refused.into();
                Err(vec![err.into_server_error(Default::default())])
            }
        }
    }
}

/// Spends `cost` from the caller's budget and records what is left for the response (or when
/// to retry); `RATE_LIMITED` past the budget.
pub(crate) async fn charge(
    state: &AppState,
    meta: &RequestMeta,
    cost: u64,
) -> Result<(), AppError> {
    match state.limiter.charge(&meta.rate_limit_key, cost).await {
        Charge::Allowed(budget) => {
            *meta.budget.lock().unwrap_or_else(|p| p.into_inner()) = Some((cost, budget));
            Ok(())
        }
        Charge::Exceeded { retry_after_secs } => {
            meta.retry_after_secs
                .store(retry_after_secs, Ordering::Relaxed);
            Err(AppError::RateLimited { retry_after_secs })
        }
    }
}

/// Adds the request id (and the trace id, while spans are exported) to every error, counts
/// errors by code, and reports the cost charged.
pub fn finish_response(response: &mut Response, meta: &RequestMeta, state: &AppState) {
    let trace_id = crate::telemetry::current_trace_id();
    for error in &mut response.errors {
        let code = error_code(error);
        state
            .prometheus
            .graphql_errors
            .with_label_values(&[code.as_str()])
            .inc();
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("requestId", meta.request_id.as_str());
        if let Some(trace_id) = &trace_id {
            extensions.set("traceId", trace_id.as_str());
        }
    }
    let charged = *meta.budget.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((cost, budget)) = charged {
        let cost_info = [
            ("requested", cost),
            ("remaining", budget.remaining),
            ("limit", budget.limit),
            ("resetAfter", budget.reset_after_secs),
        ]
        .into_iter()
        .map(|(name, value)| (Name::new(name), Value::from(value)))
        .collect();
        response
            .extensions
            .insert("cost".into(), Value::Object(cost_info));
    }
}

/// Refuses a document with too many aliases, root fields or expensive root fields before any
/// of it is validated or run: complexity alone lets 2,000 aliases of a one-point field through.
fn within_size_caps(doc: &ExecutableDocument, config: &Config) -> ServerResult<()> {
    let size = measure(doc, is_expensive_root_field);
    if size.depth > config.max_query_depth {
        return Err(ServerError::new(
            format!(
                "The query is nested {} deep; at most {} is allowed",
                size.depth, config.max_query_depth
            ),
            None,
        ));
    }
    let caps = [
        (size.aliases, config.max_aliases, "aliased fields"),
        (size.root_fields, config.max_root_fields, "root fields"),
        (
            size.expensive_root_fields,
            config.max_expensive_fields,
            "expensive root fields (back-tests, insights, reports, dashboards)",
        ),
    ];
    match caps.into_iter().find(|(found, cap, _)| found > cap) {
        Some((found, cap, what)) => Err(ServerError::new(
            format!("The query holds {found} {what}; at most {cap} are allowed in one operation"),
            None,
        )),
        None => Ok(()),
    }
}

/// Longest error message quoted back: the parser's message repeats the offending line of the
/// document, which can be the whole (huge) document.
const MAX_MESSAGE_CHARS: usize = 240;

/// A parse error in a sentence: where it is and what was expected, without the document's text.
fn concise(mut err: ServerError) -> ServerError {
    if err.message.chars().count() <= MAX_MESSAGE_CHARS {
        return err;
    }
    let expected = err
        .message
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("= "))
        .map(|what| what.chars().take(MAX_MESSAGE_CHARS / 2).collect::<String>());
    let at = err
        .locations
        .first()
        .map(|pos| format!(" at line {}, column {}", pos.line, pos.column))
        .unwrap_or_default();
    err.message = match expected {
        Some(what) => format!("The document does not parse{at}: {what}"),
        None => format!("The document does not parse{at}"),
    };
    err
}

fn with_code(mut err: ServerError, code: &str) -> ServerError {
    let ext = err.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    err
}

/// An error's `extensions.code`.
pub(crate) fn error_code(error: &ServerError) -> String {
    match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
        Some(Value::String(code)) => code.clone(),
        _ => "UNCLASSIFIED".to_owned(),
    }
}
