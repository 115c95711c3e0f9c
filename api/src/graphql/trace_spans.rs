//! Spans for exported traces (installed only while spans are exported, see telemetry): the
//! enclosing request span learns the workspace and the operation, and each resolver that can
//! reach the store or the bus gets a span of its own, its child.
//!
//! "Can reach the store" is read from the schema: root fields (every query, mutation and
//! subscription) and fields that resolve to objects (loaders and store reads live there). Scalar
//! and enum fields are copied from rows already loaded, so they get no span; the few scalar
//! resolvers that batch-load a name are covered by their parent's span.

use std::sync::{Arc, OnceLock};

use async_graphql::{
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve,
        ResolveInfo,
    },
    parser::types::{DocumentOperations, ExecutableDocument},
    registry::MetaTypeName,
    Response, ServerResult, Value, Variables,
};
use tracing::Instrument;

use super::context::RequestActor;

pub struct TraceSpans;

impl ExtensionFactory for TraceSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(TraceSpansExtension::default())
    }
}

/// One per request.
#[derive(Default)]
struct TraceSpansExtension {
    /// The document's only operation's name, when it names one.
    named_in_document: OnceLock<String>,
    operation_name: OnceLock<String>,
    workspace_id: OnceLock<String>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for TraceSpansExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let DocumentOperations::Multiple(operations) = &document.operations {
            if let (1, Some(name)) = (operations.len(), operations.keys().next()) {
                let _ = self.named_in_document.set(name.to_string());
            }
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let request = tracing::Span::current();
        let operation = operation_name.or(self.named_in_document.get().map(String::as_str));
        if let Some(operation) = operation {
            request.record("graphql.operation.name", operation);
            let _ = self.operation_name.set(operation.to_owned());
        }
        let workspace = ctx
            .data_opt::<RequestActor>()
            .and_then(|actor| actor.0.as_ref())
            .and_then(|actor| actor.workspace_id);
        if let Some(workspace) = workspace {
            request.record("workspace_id", workspace.to_string());
            let _ = self.workspace_id.set(workspace.to_string());
        }
        next.run(ctx, operation_name).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if !may_reach_the_store(ctx, &info) {
            return next.run(ctx, info).await;
        }
        let span = tracing::info_span!(
            "resolver",
            otel.name = %format_args!("{}.{}", info.parent_type, info.name),
            graphql.field.path = %info.path_node,
            workspace_id = self.workspace_id.get().map(String::as_str),
            graphql.operation.name = self.operation_name.get().map(String::as_str),
            otel.status_code = tracing::field::Empty,
        );
        let result = next.run(ctx, info).instrument(span.clone()).await;
        if result.is_err() {
            span.record("otel.status_code", "ERROR");
        }
        result
    }
}

fn may_reach_the_store(ctx: &ExtensionContext<'_>, info: &ResolveInfo<'_>) -> bool {
    if info.is_for_introspection {
        return false;
    }
    if info.path_node.parent.is_none() {
        return true;
    }
    let returned = MetaTypeName::concrete_typename(info.return_type);
    ctx.schema_env
        .registry
        .types
        .get(returned)
        .is_some_and(|ty| !ty.is_leaf())
}
