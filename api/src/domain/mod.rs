//! Pure domain logic: no database, no HTTP. Every module here is unit-tested on its own.

pub mod permissions;
pub mod scopes;
pub mod text;
