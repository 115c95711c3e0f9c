//! SeaORM entities, one file per table, and the enums they share. No logic lives here.

pub mod account;
pub mod api_token;
pub mod asset;
pub mod campaign;
pub mod contact;
pub mod enums;
pub mod fit_job;
pub mod icp;
pub mod instance_secret;
pub mod login_throttle;
pub mod membership;
pub mod opportunity;
pub mod refresh_token;
pub mod source;
pub mod spend;
pub mod user;
pub mod workspace;

pub use enums::*;
