//! The engagement and PQL scoring model of a lead contract, and what it makes of a lead.
//!
//! Scores are never a counter on the lead: they are a ledger of point entries, each keyed by
//! the event that caused it ([`ledger`]), read back into a breakdown with the decay computed at
//! the moment of reading. Fit is scored elsewhere (`domain::fit`) and only meets engagement in
//! the MQL decision ([`qualify`]), so both teams can see which half of a score came from whom.

mod ledger;
mod qualify;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use ledger::{
    compact, decay_at, due_for_nurture, entries_for_event, icp_match_entry, next_change_at,
    score_at, EntryKind, LedgerEntry, ScoreBreakdown, ScoreLine,
};
pub use qualify::{crossing, is_pql, mql_kind, Crossing, MqlKind};

/// The PQL signal that is not an event from a partner app ("company matches the ICP"): Accord
/// records it once per lead ([`icp_match_entry`]) when events of a lead whose fit matches the
/// ICP ([`matches_icp`]) are scored.
pub const ICP_MATCH_SIGNAL: &str = "icp_match";

/// Whether a lead's fit means its company matches the ICP, for [`ICP_MATCH_SIGNAL`]: the fit
/// meets the contract's minimum and is above zero (a workspace without an active ICP scores
/// every fit 0, which matches nothing).
pub fn matches_icp(fit: i32, min_fit: i32) -> bool {
    fit > 0 && fit >= min_fit
}
/// Most rules in one list; every rule is looked up for every ingested event.
pub const MAX_RULES: usize = 100;
/// Longest event type, in characters.
pub const MAX_EVENT_TYPE_CHARS: usize = 100;
/// Largest number of points one event may be worth, either way.
pub const MAX_POINTS: i32 = 1000;
/// Ten years: the longest a decay step or the return to nurture may wait.
pub const MAX_DAYS: u32 = 3650;

/// Points for one event type. Used for behaviour (engagement) and, as [`PqlRule`], for product
/// signals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreRule {
    pub event_type: String,
    /// Negative for events that show the opposite of interest (an unsubscribe).
    pub points: i32,
    /// Most points this event type may add up to for one lead, as a magnitude (it bounds a
    /// negative rule's total the same way). A lead that opens every newsletter is not a buyer.
    pub cap: Option<i32>,
    /// `false`: only the first such event scores (a demo request is one intent, however many
    /// times the form is sent).
    pub repeatable: bool,
}

/// A behaviour rule: engagement points, which decay with inactivity.
pub type BehaviourRule = ScoreRule;
/// A PQL rule: points for a product-usage signal. They do not decay: a signal is a milestone
/// the account reached (its third teammate invited), not a mood.
pub type PqlRule = ScoreRule;

/// A decay step: after `after_days` whole days without engagement, `points` (negative) apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecayStep {
    pub after_days: u32,
    pub points: i32,
}

/// The scoring terms of a lead contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoringModel {
    pub behaviour: Vec<BehaviourRule>,
    /// Not cumulative: only the largest step that has been reached applies.
    pub decay: Vec<DecayStep>,
    /// Days without engagement after which a marketing-owned lead returns to nurture; 0 turns
    /// the return off.
    pub nurture_after_days: u32,
    /// Fit plus engagement a lead needs to be an MQL.
    pub mql_threshold: i32,
    /// Behaviour event types that make an MQL HOT (the five-minute SLA).
    pub hand_raisers: Vec<String>,
    pub pql: Vec<PqlRule>,
    pub pql_threshold: i32,
}

/// A term of the model that cannot be used, with the camelCase path of the field at fault
/// (`behaviour[2].cap`), so the API layer can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ModelError {
    pub field: String,
    pub message: String,
}

fn rule(event_type: &str, points: i32, cap: Option<i32>, repeatable: bool) -> ScoreRule {
    ScoreRule {
        event_type: event_type.to_owned(),
        points,
        cap,
        repeatable,
    }
}

impl ScoringModel {
    /// The defaults of docs/domain.md (seed 002). Points come from the seed; caps and
    /// repeatability are ours, chosen so no single kind of low-intent activity can make an MQL
    /// on its own (threshold 50):
    /// - `pricing_page_visit` +25, capped at 50: a second visit is fresh intent, a tenth is the
    ///   same person refreshing.
    /// - `demo_request` +50 and `contact_sales` +50 (the seed gives no figure for contact-sales;
    ///   it is the same hand-raise): once each, and both are hand-raisers.
    /// - `case_study_download` +15 capped at 45, `session` +10 capped at 50, `email_open` +2
    ///   capped at 20, `webinar_attended` +20 capped at 40.
    /// - `unsubscribe` -25, once.
    ///
    /// PQL signals are product-analytics milestone events, each counted once; `pricing_page_visit`
    /// is shared with behaviour (one event feeds both scores) and [`ICP_MATCH_SIGNAL`] is recorded
    /// by the API layer.
    pub fn seed() -> ScoringModel {
        ScoringModel {
            behaviour: vec![
                rule("pricing_page_visit", 25, Some(50), true),
                rule("demo_request", 50, None, false),
                rule("contact_sales", 50, None, false),
                rule("case_study_download", 15, Some(45), true),
                rule("session", 10, Some(50), true),
                rule("email_open", 2, Some(20), true),
                rule("webinar_attended", 20, Some(40), true),
                rule("unsubscribe", -25, None, false),
            ],
            decay: vec![
                DecayStep {
                    after_days: 7,
                    points: -5,
                },
                DecayStep {
                    after_days: 14,
                    points: -10,
                },
                DecayStep {
                    after_days: 30,
                    points: -20,
                },
            ],
            nurture_after_days: 60,
            mql_threshold: 50,
            hand_raisers: vec!["demo_request".to_owned(), "contact_sales".to_owned()],
            pql: vec![
                rule("invited_3_teammates", 30, None, false),
                rule("used_core_feature_10_times", 25, None, false),
                rule("enabled_first_integration", 20, None, false),
                rule("hit_80_percent_of_free_tier", 20, None, false),
                rule("created_first_project", 15, None, false),
                rule("daily_login_7_days", 15, None, false),
                rule("pricing_page_visit", 10, None, false),
                rule(ICP_MATCH_SIGNAL, 10, None, false),
                rule("downloaded_data_export", 5, None, false),
            ],
            pql_threshold: 100,
        }
    }

    /// Refuses terms that would score nonsense or never fire; the first fault found.
    pub fn validate(&self) -> Result<(), ModelError> {
        validate_rules("behaviour", &self.behaviour)?;
        validate_rules("pql", &self.pql)?;
        if self.nurture_after_days > MAX_DAYS {
            return Err(fault(
                "nurtureAfterDays",
                format!("must be at most {MAX_DAYS}"),
            ));
        }
        let mut days = HashSet::new();
        for (i, step) in self.decay.iter().enumerate() {
            if !(1..=MAX_DAYS).contains(&step.after_days) {
                return Err(fault(
                    format!("decay[{i}].afterDays"),
                    format!("must be 1 to {MAX_DAYS}"),
                ));
            }
            if !days.insert(step.after_days) {
                return Err(fault(
                    format!("decay[{i}].afterDays"),
                    format!("{} days appears twice", step.after_days),
                ));
            }
            if !(-MAX_POINTS..=0).contains(&step.points) {
                return Err(fault(
                    format!("decay[{i}].points"),
                    format!("must be between -{MAX_POINTS} and 0"),
                ));
            }
        }
        if !(1..=MAX_POINTS).contains(&self.mql_threshold) {
            return Err(fault(
                "mqlThreshold",
                format!("must be between 1 and {MAX_POINTS}"),
            ));
        }
        if !(1..=MAX_POINTS).contains(&self.pql_threshold) {
            return Err(fault(
                "pqlThreshold",
                format!("must be between 1 and {MAX_POINTS}"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, event_type) in self.hand_raisers.iter().enumerate() {
            let field = format!("handRaisers[{i}]");
            if !seen.insert(event_type) {
                return Err(fault(field, format!("'{event_type}' appears twice")));
            }
            // A HOT MQL is recognised by its behaviour entry, so an event type without a
            // behaviour rule could never make one.
            if !self.behaviour.iter().any(|r| &r.event_type == event_type) {
                return Err(fault(
                    field,
                    format!("'{event_type}' has no behaviour rule"),
                ));
            }
        }
        Ok(())
    }
}

fn fault(field: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError {
        field: field.into(),
        message: message.into(),
    }
}

fn validate_rules(list: &str, rules: &[ScoreRule]) -> Result<(), ModelError> {
    if rules.len() > MAX_RULES {
        return Err(fault(list, format!("at most {MAX_RULES} rules")));
    }
    let mut seen = HashSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let at = |field: &str| format!("{list}[{i}].{field}");
        let event_type = rule.event_type.trim();
        if event_type.is_empty() || event_type != rule.event_type {
            return Err(fault(
                at("eventType"),
                "must be non-empty, without surrounding spaces",
            ));
        }
        if event_type.chars().count() > MAX_EVENT_TYPE_CHARS {
            return Err(fault(
                at("eventType"),
                format!("at most {MAX_EVENT_TYPE_CHARS} characters"),
            ));
        }
        // The ledger names entries by event type, so two rules for one type could not be
        // told apart (nor capped separately).
        if !seen.insert(event_type) {
            return Err(fault(
                at("eventType"),
                format!("'{event_type}' has two rules"),
            ));
        }
        if !(-MAX_POINTS..=MAX_POINTS).contains(&rule.points) {
            return Err(fault(
                at("points"),
                format!("must be between -{MAX_POINTS} and {MAX_POINTS}"),
            ));
        }
        if let Some(cap) = rule.cap {
            if cap < 1 {
                return Err(fault(
                    at("cap"),
                    "must be at least 1 (it bounds the total either way)",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_matches_design_and_is_valid() {
        let model = ScoringModel::seed();
        model.validate().unwrap();
        let points = |t: &str| {
            model
                .behaviour
                .iter()
                .find(|r| r.event_type == t)
                .map(|r| r.points)
        };
        assert_eq!(points("pricing_page_visit"), Some(25));
        assert_eq!(points("demo_request"), Some(50));
        assert_eq!(points("case_study_download"), Some(15));
        assert_eq!(points("session"), Some(10));
        assert_eq!(points("email_open"), Some(2));
        assert_eq!(points("webinar_attended"), Some(20));
        assert_eq!(points("unsubscribe"), Some(-25));
        assert_eq!(model.mql_threshold, 50);
        assert_eq!(model.nurture_after_days, 60);
        assert_eq!(model.pql_threshold, 100);
        let pql: i32 = model.pql.iter().map(|r| r.points).sum();
        assert_eq!(pql, 30 + 25 + 20 + 20 + 15 + 15 + 10 + 10 + 5);
        assert!(model.pql.iter().all(|r| !r.repeatable));
    }

    #[test]
    fn stored_as_camel_case_json() {
        let model = ScoringModel::seed();
        let json = serde_json::to_value(&model).unwrap();
        assert_eq!(json["mqlThreshold"], 50);
        assert_eq!(json["nurtureAfterDays"], 60);
        assert_eq!(json["decay"][0]["afterDays"], 7);
        assert_eq!(json["behaviour"][0]["eventType"], "pricing_page_visit");
        assert_eq!(json["behaviour"][1]["cap"], serde_json::Value::Null);
        let back: ScoringModel = serde_json::from_value(json).unwrap();
        assert_eq!(back, model);
    }

    fn refused(edit: impl FnOnce(&mut ScoringModel)) -> ModelError {
        let mut model = ScoringModel::seed();
        edit(&mut model);
        model.validate().unwrap_err()
    }

    #[test]
    fn validation_names_the_field() {
        let e = refused(|m| m.behaviour[2].event_type = "demo_request".into());
        assert_eq!(e.field, "behaviour[2].eventType");
        let e = refused(|m| m.pql[0].event_type = " x".into());
        assert_eq!(e.field, "pql[0].eventType");
        let e = refused(|m| m.behaviour[0].cap = Some(0));
        assert_eq!(
            e.to_string(),
            "behaviour[0].cap: must be at least 1 (it bounds the total either way)"
        );
        let e = refused(|m| m.behaviour[0].points = 5000);
        assert_eq!(e.field, "behaviour[0].points");
        let e = refused(|m| m.decay[1].after_days = 7);
        assert_eq!(e.field, "decay[1].afterDays");
        let e = refused(|m| m.decay[0].points = 5);
        assert_eq!(e.field, "decay[0].points");
        let e = refused(|m| m.decay[0].after_days = 0);
        assert_eq!(e.field, "decay[0].afterDays");
        let e = refused(|m| m.mql_threshold = 0);
        assert_eq!(e.field, "mqlThreshold");
        let e = refused(|m| m.pql_threshold = -1);
        assert_eq!(e.field, "pqlThreshold");
        let e = refused(|m| m.hand_raisers.push("chat_started".into()));
        assert_eq!(
            e.to_string(),
            "handRaisers[2]: 'chat_started' has no behaviour rule"
        );
        let e = refused(|m| m.hand_raisers.push("demo_request".into()));
        assert_eq!(e.field, "handRaisers[2]");
        let e = refused(|m| m.behaviour = vec![rule("x", 1, None, true); MAX_RULES + 1]);
        assert_eq!(e.field, "behaviour");
    }

    #[test]
    fn a_zero_point_rule_and_no_decay_are_allowed() {
        let mut model = ScoringModel::seed();
        model.behaviour.push(rule("page_view", 0, None, true));
        model.decay.clear();
        model.nurture_after_days = 0;
        model.validate().unwrap();
    }
}
