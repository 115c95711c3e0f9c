//! Pure domain logic: no database, no HTTP. Every module here is unit-tested on its own.

pub mod criteria;
pub mod email;
pub mod fit;
pub mod insights;
pub mod permissions;
pub mod scopes;
pub mod text;
pub mod validate;
pub mod views;
