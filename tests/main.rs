//! Accord's integration tests: one binary, so the machine links it once. Each test starts the
//! real server on its own database (an SQLite file by default; a Postgres schema of its own when
//! `ACCORD_TEST_DATABASE_URL` is set) and, with `ACCORD_TEST_REDIS_URL`, the Redis bus.

mod support;

mod abuse_limits;
mod account_routing;
mod alignment_health;
mod api_tokens;
mod auth;
mod backtest;
mod browser;
mod bus_recovery;
mod catalog;
mod child_lists;
mod cli;
mod contract_rejections;
mod criteria_fields;
mod db_outage;
mod deal_stays;
mod decay;
mod delivery;
mod demo;
mod errors;
mod fit_scoring;
mod http_spec;
mod import;
mod insights;
mod introspection;
mod invitations;
mod isolation;
mod lead_qualification;
mod lead_scenario;
mod lead_work;
mod limits;
mod list_connections;
mod metric_rollups;
mod persisted_queries;
mod plays;
mod readme;
mod record_permissions;
mod records;
mod recycling;
mod reevaluation;
mod revenue_metrics;
mod schema_drift;
mod session_end;
mod socket_limits;
mod statement_count;
mod trace_export;
mod two_instances;
mod webhook_safety;
mod webhooks;
mod websocket;
mod workspaces;
mod write_races;
