//! The weekly revenue review "with teeth" (seed 004, step 4) and the alignment theater signals:
//! the meeting's rules (quorum, a decision log published within 24 hours, action items that do
//! not rot), its fixed agenda built from the shared metrics, the "you are aligned when"
//! checklist answered with data, and the leading indicators with their verdict. Pure: the API
//! layer loads the rows and stores the meeting; this decides what the numbers say.

mod agenda;
mod alignment;
mod checklist;
mod lost_deals;
mod meeting;

use super::metrics;

pub use agenda::{
    agenda, reviewed_week, stuck_deals, test_of_week, test_result, Agenda, AgendaInput,
    MessagingTest, OpenDeal, PipelineLine, StuckDeal, TestResult, Variant, VariantResult,
    STUCK_FOR_DAYS, TOP_REASONS,
};
pub use alignment::{
    alignment_health, wrong_way, AlignmentHealth, Indicator, Verdict, WeeklyPoint,
    HEALTH_MIN_WEEKS, MID_FUNNEL, WIN_RATE_WINDOW_DAYS,
};
pub use checklist::{aligned_checklist, AlignedChecklist};
pub use lost_deals::{lost_deals, LostDeal, LostDeals, LOST_DEALS_LISTED};
pub use meeting::{
    decisions_per_meeting, log_late, quorum, stale_action_items, ActionItem, Attendance, Quorum,
    QuorumSide, Session, LOG_DEADLINE_HOURS, STALE_AFTER_DAYS,
};

/// A review request that cannot be answered, naming the offending input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ReviewError {
    pub field: String,
    pub message: String,
}

impl ReviewError {
    pub(crate) fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<metrics::MetricsError> for ReviewError {
    fn from(e: metrics::MetricsError) -> Self {
        Self {
            field: e.field,
            message: e.message,
        }
    }
}
