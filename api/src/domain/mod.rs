//! Pure domain logic: no database, no HTTP. Every module here is unit-tested on its own.

pub mod criteria;
pub mod permissions;
pub mod scopes;
pub mod text;
