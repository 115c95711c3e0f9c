//! Plays at work: cadences and plays as the revenue team defines them, the engine that enrolls
//! leads when a play's trigger fires (turning each cadence step into a task for the lead's
//! owner), touches that apply the exit criteria, and the figures each play is judged by.

pub mod cadences;
pub mod definitions;
pub mod engine;
pub mod figures;
pub mod tasks;
pub mod touches;

use crate::{domain::plays::PlayError, error::AppError};

/// A domain refusal as BAD_USER_INPUT at `input.<field>`.
pub(crate) fn input_error(err: PlayError) -> AppError {
    AppError::bad_input(format!("input.{}", err.field), err.message)
}
