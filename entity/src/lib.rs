//! SeaORM entities, one file per table, and the enums they share. No logic lives here.

pub mod api_token;
pub mod enums;
pub mod instance_secret;
pub mod login_throttle;
pub mod membership;
pub mod refresh_token;
pub mod user;
pub mod workspace;

pub use enums::*;
