//! Plays: a trigger that starts a cadence for a lead, the cadence's steps on business days, the
//! exit criteria that accelerate or recycle the lead, which plays a lead may run at once, and the
//! figures a play is judged by. Pure: the services feed it rows and apply what it decides.

mod cadence;
mod exit;
mod figures;
mod play_trigger;
mod selection;

pub use cadence::{
    ends_at, schedule, seed_steps, validate_steps, CadenceStep, MAX_DAY_OFFSET, MAX_STEPS,
};
pub use exit::{
    acceleration_path, recycle_decision, touch_effect, ExitCriteria, ExitTarget, RecycleDecision,
    TouchEffect,
};
pub use figures::{percentile, EnrollmentFacts, PlayFigures, CONVERSION_TARGET};
pub use play_trigger::{PlayTrigger, Signal};
pub use selection::{select, Candidate, Running};

/// A play or cadence that cannot be saved, naming the offending input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PlayError {
    pub field: String,
    pub message: String,
}

impl PlayError {
    pub(crate) fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
