//! Accord's library: everything behind the thin `accord` binary.

// The merged Query root's parts nest one level each when its layout is computed.
#![recursion_limit = "256"]

#[cfg(test)]
mod architecture;
pub mod auth;
pub mod bus;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod rate_limit;
pub mod services;
pub mod state;
pub mod store;
pub mod telemetry;
