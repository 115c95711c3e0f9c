//! SeaORM entities, one file per table, and the enums they share. No logic lives here.

pub mod account;
pub mod api_token;
pub mod asset;
pub mod cadence;
pub mod campaign;
pub mod contact;
pub mod enrollment;
pub mod enums;
pub mod event;
pub mod fit_job;
pub mod icp;
pub mod instance_secret;
pub mod job_mark;
pub mod lead_contract;
pub mod login_throttle;
pub mod membership;
pub mod opportunity;
pub mod opportunity_stage_change;
pub mod play;
pub mod recipient_sequence;
pub mod refresh_token;
pub mod rejection;
pub mod routing_rule;
pub mod score_entry;
pub mod sla_clock;
pub mod source;
pub mod spend;
pub mod stage_change;
pub mod task;
pub mod touch;
pub mod trigger;
pub mod user;
pub mod workspace;

pub use enums::*;
