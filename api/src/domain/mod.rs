//! Pure domain logic: no database, no HTTP. Every module here is unit-tested on its own.

pub mod accounts;
pub mod calendar;
pub mod contract;
pub mod criteria;
pub mod documents;
pub mod email;
pub mod fit;
pub mod insights;
pub mod intel;
pub mod lifecycle;
pub mod metrics;
pub mod outbound;
pub mod permissions;
pub mod pipeline;
pub mod planning;
pub mod plays;
pub mod qualification;
pub mod review;
pub mod routing;
pub mod scopes;
pub mod scoring;
pub mod source_rule;
pub mod text;
pub mod validate;
pub mod views;
pub mod webhooks;
