//! Credentials: passwords, access tokens, refresh tokens, API tokens, and the request's actor.

pub mod actor;
pub mod address;
pub mod api_token;
pub mod cache;
pub mod jwt;
pub mod password;
pub mod secret;
pub mod session;

pub use actor::{Actor, Credential};
