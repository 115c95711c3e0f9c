//! The GraphQL schema: one module per area, merged here. One data-free [`schema_builder`] serves
//! the server, the SDL export and the tests.

pub mod account_signals;
pub mod accounts;
pub mod activity;
pub mod alignment;
pub mod api_tokens;
pub mod attribution;
pub mod auth;
pub mod catalog;
pub mod catalog_mutations;
pub mod child_pages;
pub mod content;
pub mod context;
pub mod contracts;
pub mod cost;
pub mod criteria_input;
pub mod document_size;
pub mod extension;
pub mod icps;
pub mod ingest;
pub mod invitations;
pub mod lead_actions;
mod lead_columns;
pub mod lead_explain;
pub mod leads;
pub mod loaders;
pub mod metrics;
pub mod opportunities;
pub mod pagination;
pub mod planning;
pub mod plays;
pub mod review;
pub mod routing;
pub mod timeline;
pub mod trace_spans;
pub mod triggers;
pub mod trusted_documents;
pub mod trusted_guard;
pub mod types;
pub mod webhooks;
pub mod win_loss;
pub mod work;
pub mod workspaces;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use crate::state::AppState;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    auth::AuthQuery,
    workspaces::WorkspaceQuery,
    invitations::InvitationQuery,
    api_tokens::ApiTokenQuery,
    accounts::AccountQuery,
    leads::LeadQuery,
    catalog::CatalogQuery,
    opportunities::OpportunityQuery,
    icps::IcpQuery,
    contracts::ContractQuery,
    routing::RoutingQuery,
    triggers::TriggerQuery,
    lead_actions::LeadActionQuery,
    plays::PlayQuery,
    work::WorkQuery,
    metrics::MetricsQuery,
    attribution::AttributionQuery,
    alignment::AlignmentQuery,
    review::ReviewQuery,
    planning::PlanningQuery,
    win_loss::WinLossQuery,
    content::ContentQuery,
    account_signals::AccountSignalQuery,
    webhooks::WebhookQuery,
    trusted_documents::TrustedDocumentQuery,
);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    auth::AuthMutation,
    workspaces::WorkspaceMutation,
    invitations::InvitationMutation,
    api_tokens::ApiTokenMutation,
    accounts::AccountMutation,
    leads::LeadMutation,
    catalog_mutations::CatalogMutation,
    opportunities::OpportunityMutation,
    icps::IcpMutation,
    contracts::ContractMutation,
    routing::RoutingMutation,
    ingest::IngestMutation,
    triggers::TriggerMutation,
    lead_actions::LeadActionMutation,
    plays::PlayMutation,
    work::WorkMutation,
    review::ReviewMutation,
    planning::PlanningMutation,
    webhooks::WebhookMutation,
    trusted_documents::TrustedDocumentMutation,
);

#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(
    activity::ActivitySubscription,
    triggers::TriggerSubscription,
);

pub type AccordSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema with its types and extensions but no data or limits.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .extension(trusted_guard::TrustedDocumentsGuard)
    .extension(extension::RequestGuard)
}

/// The exported SDL (`accord schema`, `schema.graphql`).
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The schema for trusted callers inside the process (`accord demo`): the same resolvers on
/// `state`, without the per-caller rate limit and query limits that guard the network.
pub fn in_process_schema(state: &AppState) -> AccordSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(state.clone())
    .finish()
}

/// The schema the server runs: limits from configuration and the shared state as data.
pub fn build_schema(state: &AppState) -> AccordSchema {
    let config = &state.config;
    // Depth is limited by `extension::RequestGuard`, data and introspection apart, so that the
    // introspection query every tool sends passes whatever the data limit.
    let mut builder = schema_builder()
        .data(state.clone())
        .limit_complexity(config.max_query_complexity)
        .limit_recursive_depth(32)
        .limit_directives(16);
    if !config.introspection_enabled() {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if crate::telemetry::is_exporting() {
        builder = builder.extension(trace_spans::TraceSpans);
    }
    builder.finish()
}
