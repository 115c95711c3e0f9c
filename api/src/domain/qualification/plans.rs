//! What an assignment sets in motion: the SLA clocks the contract starts for the new owner and
//! the trigger that tells them.

use chrono::{DateTime, Duration, Utc};
use entity::{contact, SlaKind, TriggerKind};
use uuid::Uuid;

use super::Policy;
use crate::domain::{routing::Route, scoring::MqlKind, text::display_name};

/// A lead going to `owner`.
#[derive(Debug)]
pub struct Assignment {
    pub owner: Uuid,
    /// The account's segment when the clocks start, which they are credited to.
    pub segment: Option<String>,
    /// First touch, then status update.
    pub clocks: [ClockPlan; 2],
    pub trigger: TriggerPlan,
}

/// An SLA clock to start now.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockPlan {
    pub kind: SlaKind,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
}

/// A trigger for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerPlan {
    pub recipient_id: Uuid,
    pub kind: TriggerKind,
    pub due_at: Option<DateTime<Utc>>,
    pub message: String,
}

/// The clocks and the owner's trigger of an assignment of `lead` (as it will be saved).
pub(super) fn assignment(
    lead: &contact::Model,
    owner: Uuid,
    kind: MqlKind,
    segment: Option<String>,
    policy: &Policy<'_>,
) -> Assignment {
    let now = policy.now;
    let slas = &policy.terms.slas;
    let calendar = &slas.calendar;
    let first_touch_minutes = match kind {
        // A PQL is clocked like a HOT MQL.
        MqlKind::Hot | MqlKind::Pql => slas.first_touch_hot_minutes,
        MqlKind::Warm => slas.first_touch_warm_minutes,
    };
    let first_touch_due =
        calendar.add_business_duration(now, Duration::minutes(i64::from(first_touch_minutes)));
    let status_due =
        calendar.add_business_duration(now, Duration::hours(i64::from(slas.status_update_hours)));
    let clock = |kind, due_at| ClockPlan {
        kind,
        due_at,
        warn_at: calendar.warn_at(now, due_at, slas.warn_share),
    };
    let clocks = [
        clock(SlaKind::FirstTouch, first_touch_due),
        clock(SlaKind::StatusUpdate, status_due),
    ];
    let (trigger_kind, what) = match kind {
        MqlKind::Hot => (TriggerKind::HotLeadEngaged, "HOT lead (hand-raiser)"),
        MqlKind::Pql => (TriggerKind::HotLeadEngaged, "PQL (product-qualified lead)"),
        MqlKind::Warm => (TriggerKind::LeadAssigned, "new MQL"),
    };
    let title = lead
        .title
        .as_deref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    let trigger = TriggerPlan {
        recipient_id: owner,
        kind: trigger_kind,
        due_at: Some(first_touch_due),
        message: format!(
            "{what} assigned to you: {}{title}; first touch due by {}",
            display_name(lead),
            first_touch_due.to_rfc3339()
        ),
    };
    Assignment {
        owner,
        segment,
        clocks,
        trigger,
    }
}

/// The UNROUTABLE_LEAD triggers of an MQL that nobody could take, one per recipient (the
/// members who hear of unroutable leads): why routing found nobody, and that it waits.
pub fn unroutable(lead: &contact::Model, route: &Route, recipients: &[Uuid]) -> Vec<TriggerPlan> {
    let message = format!(
        "{} is an MQL no rep can take ({}); it is in the unassigned queue until a rep is eligible",
        display_name(lead),
        route.explanation
    );
    recipients
        .iter()
        .map(|recipient| TriggerPlan {
            recipient_id: *recipient,
            kind: TriggerKind::UnroutableLead,
            due_at: None,
            message: message.clone(),
        })
        .collect()
}
