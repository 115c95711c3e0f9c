//! Use cases that combine domain logic and the store: what a resolver calls when one query is
//! not enough. Pure rules stay in `domain`; SQL stays in `store`.

pub mod access;
pub mod account_signals;
pub mod api_tokens;
pub mod backtest;
pub mod catalog;
pub mod contracts;
pub mod explain;
pub mod fit;
pub mod goals;
pub mod icps;
pub mod ingest;
pub mod insights;
pub mod intel;
pub mod invitations;
pub mod lead_actions;
pub mod metrics;
pub mod notices;
pub mod opportunities;
pub mod plays;
pub mod records;
pub mod review;
pub mod routing;
pub mod sources;
pub mod triggers;
pub mod unassigned;
pub mod unit_of_work;
pub mod webhooks;
pub mod workspaces;
