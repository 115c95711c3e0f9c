//! What starts a play, and whether something that happened to a lead starts it.

use entity::MqlKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::PlayError;
use crate::domain::{criteria::Criteria, views::LeadView};

/// A play's trigger: engagement events with conditions, a lifecycle moment, or one of the
/// sales-assist signals of seed 002.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum PlayTrigger {
    /// An event of one of these types (any type when empty) for a lead meeting `criteria`.
    Event {
        event_types: Vec<String>,
        criteria: Option<Value>,
    },
    /// An MQL was routed to its rep (of these kinds; both when empty).
    MqlAssigned { mql_kinds: Vec<MqlKind> },
    /// The lead's score reached `threshold` from below.
    ScoreThreshold { threshold: i32 },
    /// The lead's PQL score reached the PQL threshold.
    PqlReached,
    /// An open deal has been in its stage longer than that stage's median.
    OpportunityStalled,
    /// A deal was lost: retarget its contact.
    ClosedLost,
    /// A lead from a business domain at an account of at least `min_employees` engaged.
    EnterpriseDomain { min_employees: i64 },
    /// A product event reported a team (`teamSize`, `team_size` or `seats`) of `threshold` or more.
    TeamSize { threshold: i64 },
    /// The security, trust or compliance page was viewed.
    SecurityPageViewed,
    /// The product reported a trial ending (`trial_ending`) for an account that is not a customer.
    TrialEnding,
    /// A lead whose persona TRIGGERS the buying motion under the ICP that scores it engaged.
    TriggeringPersona,
    /// The account's buying committee is covered: a TRIGGERS and an INFLUENCES persona of its
    /// ICP engaged in the last 30 days (`domain::accounts`). Starts for the account's owned
    /// TRIGGERS contact, once per account.
    CommitteeCovered,
}

/// Something that happened to a lead, as the play engine sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signal<'a> {
    Event {
        event_type: &'a str,
        properties: &'a Map<String, Value>,
    },
    MqlAssigned(MqlKind),
    ScoreChanged {
        before: i32,
        after: i32,
    },
    PqlReached,
    OpportunityStalled,
    ClosedLost,
    /// The lead, of a persona its ICP marks TRIGGERS, engaged.
    TriggeringPersona,
    /// The lead's account's buying committee became covered.
    CommitteeCovered,
}

const SECURITY_EVENTS: [&str; 4] = [
    "security_page_viewed",
    "security_review_requested",
    "trust_center_viewed",
    "compliance_docs_viewed",
];
const PAGE_EVENTS: [&str; 3] = ["page_view", "page_visit", "pageview"];
const SECURITY_WORDS: [&str; 4] = ["security", "trust", "compliance", "soc2"];
const TRIAL_ENDING_EVENTS: [&str; 3] = ["trial_ending", "trial_will_end", "trial_expiring"];
const TEAM_SIZE_KEYS: [&str; 3] = ["teamSize", "team_size", "seats"];

impl PlayTrigger {
    /// Checks what JSON cannot: criteria that parse, thresholds that make sense.
    pub fn validate(&self) -> Result<(), PlayError> {
        match self {
            PlayTrigger::Event {
                event_types,
                criteria,
            } => {
                if event_types
                    .iter()
                    .any(|t| t.trim().is_empty() || t.len() > 100)
                {
                    return Err(PlayError::at(
                        "trigger.eventTypes",
                        "event types are 1 to 100 characters",
                    ));
                }
                if let Some(criteria) = criteria {
                    Criteria::parse_at(criteria, "trigger.criteria")
                        .map_err(|err| PlayError::at(err.path, err.message))?;
                }
                if event_types.is_empty() && criteria.is_none() {
                    return Err(PlayError::at(
                        "trigger.eventTypes",
                        "name event types or criteria: a play on every event of every lead is noise",
                    ));
                }
            }
            PlayTrigger::ScoreThreshold { threshold } if !(1..=1000).contains(threshold) => {
                return Err(PlayError::at("trigger.threshold", "must be 1 to 1000"));
            }
            PlayTrigger::EnterpriseDomain { min_employees } if *min_employees < 1 => {
                return Err(PlayError::at("trigger.minEmployees", "must be at least 1"));
            }
            PlayTrigger::TeamSize { threshold } if *threshold < 2 => {
                return Err(PlayError::at(
                    "trigger.threshold",
                    "a team has at least 2 people",
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Sales-assist signals describe a state of the account, not a moment: they start a play
    /// once per lead however many events repeat them.
    pub fn once_per_lead(&self) -> bool {
        matches!(
            self,
            PlayTrigger::EnterpriseDomain { .. }
                | PlayTrigger::TeamSize { .. }
                | PlayTrigger::SecurityPageViewed
                | PlayTrigger::TrialEnding
                | PlayTrigger::TriggeringPersona
        )
    }

    /// Whether `signal`, for the lead seen through `lead`, starts this play. `criteria` is the
    /// parsed form of an event trigger's criteria (parsed once per batch by the caller).
    pub fn fires(
        &self,
        criteria: Option<&Criteria>,
        signal: &Signal<'_>,
        lead: &LeadView<'_>,
    ) -> bool {
        match (self, signal) {
            (PlayTrigger::Event { event_types, .. }, Signal::Event { event_type, .. }) => {
                (event_types.is_empty() || event_types.iter().any(|t| t == event_type))
                    && criteria.is_none_or(|c| c.evaluate(lead))
            }
            (PlayTrigger::MqlAssigned { mql_kinds }, Signal::MqlAssigned(kind)) => {
                mql_kinds.is_empty() || mql_kinds.contains(kind)
            }
            (PlayTrigger::ScoreThreshold { threshold }, Signal::ScoreChanged { before, after }) => {
                *before < *threshold && *after >= *threshold
            }
            (PlayTrigger::PqlReached, Signal::PqlReached)
            | (PlayTrigger::OpportunityStalled, Signal::OpportunityStalled)
            | (PlayTrigger::ClosedLost, Signal::ClosedLost)
            | (PlayTrigger::TriggeringPersona, Signal::TriggeringPersona)
            | (PlayTrigger::CommitteeCovered, Signal::CommitteeCovered) => true,
            (PlayTrigger::EnterpriseDomain { min_employees }, Signal::Event { .. }) => {
                !lead.contact.personal_email
                    && lead.contact.email_domain.is_some()
                    && lead
                        .account
                        .and_then(|a| a.employees)
                        .is_some_and(|n| n >= *min_employees)
            }
            (PlayTrigger::TeamSize { threshold }, Signal::Event { properties, .. }) => {
                TEAM_SIZE_KEYS
                    .iter()
                    .filter_map(|k| properties.get(*k))
                    .filter_map(Value::as_f64)
                    .any(|n| n >= *threshold as f64)
            }
            (
                PlayTrigger::SecurityPageViewed,
                Signal::Event {
                    event_type,
                    properties,
                },
            ) => {
                SECURITY_EVENTS.contains(event_type)
                    || (PAGE_EVENTS.contains(event_type)
                        && ["url", "path", "page"].iter().any(|k| {
                            properties.get(*k).and_then(Value::as_str).is_some_and(|v| {
                                let v = v.to_ascii_lowercase();
                                SECURITY_WORDS.iter().any(|w| v.contains(w))
                            })
                        }))
            }
            (PlayTrigger::TrialEnding, Signal::Event { event_type, .. }) => {
                TRIAL_ENDING_EVENTS.contains(event_type)
                    && lead
                        .account
                        .and_then(|a| a.lifecycle.as_deref())
                        .is_none_or(|l| l != "CUSTOMER")
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::views::{AccountView, ContactView};

    fn lead<'a>(account: Option<&'a AccountView>, contact: &'a ContactView) -> LeadView<'a> {
        LeadView {
            account,
            contact,
            fit_score: Some(70),
            score: Some(40),
            engagement_score: None,
            pql_score: None,
            stage: Some("LEAD"),
            source: None,
            source_detail: None,
            event: None,
        }
    }

    fn props(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn triggers_read_and_write_the_documented_json() {
        let trigger: PlayTrigger = serde_json::from_value(json!({
            "kind": "EVENT", "eventTypes": ["webinar_attended"], "criteria": null
        }))
        .unwrap();
        assert!(matches!(trigger, PlayTrigger::Event { .. }));
        let json = serde_json::to_value(PlayTrigger::EnterpriseDomain {
            min_employees: 1000,
        })
        .unwrap();
        assert_eq!(
            json,
            json!({"kind": "ENTERPRISE_DOMAIN", "minEmployees": 1000})
        );
    }

    #[test]
    fn event_triggers_match_type_and_criteria() {
        let contact = ContactView {
            title: Some("VP Marketing".into()),
            ..Default::default()
        };
        let view = lead(None, &contact);
        let empty = Map::new();
        let webinar = Signal::Event {
            event_type: "webinar_attended",
            properties: &empty,
        };
        let trigger = PlayTrigger::Event {
            event_types: vec!["webinar_attended".into()],
            criteria: Some(json!({"field": "contact.title", "op": "CONTAINS", "value": "VP"})),
        };
        trigger.validate().unwrap();
        let criteria =
            Criteria::parse(&json!({"field": "contact.title", "op": "CONTAINS", "value": "VP"}))
                .unwrap();
        assert!(trigger.fires(Some(&criteria), &webinar, &view));
        let other = Signal::Event {
            event_type: "email_open",
            properties: &empty,
        };
        assert!(!trigger.fires(Some(&criteria), &other, &view));
        let intern = ContactView {
            title: Some("Intern".into()),
            ..Default::default()
        };
        assert!(!trigger.fires(Some(&criteria), &webinar, &lead(None, &intern)));
    }

    #[test]
    fn lifecycle_triggers_fire_on_their_moment_only() {
        let contact = ContactView::default();
        let view = lead(None, &contact);
        let t = PlayTrigger::ScoreThreshold { threshold: 50 };
        assert!(t.fires(
            None,
            &Signal::ScoreChanged {
                before: 45,
                after: 55
            },
            &view
        ));
        assert!(!t.fires(
            None,
            &Signal::ScoreChanged {
                before: 55,
                after: 60
            },
            &view
        ));
        let hot_only = PlayTrigger::MqlAssigned {
            mql_kinds: vec![MqlKind::Hot],
        };
        assert!(hot_only.fires(None, &Signal::MqlAssigned(MqlKind::Hot), &view));
        assert!(!hot_only.fires(None, &Signal::MqlAssigned(MqlKind::Warm), &view));
        assert!(PlayTrigger::ClosedLost.fires(None, &Signal::ClosedLost, &view));
        assert!(!PlayTrigger::ClosedLost.fires(None, &Signal::OpportunityStalled, &view));
        let covered = PlayTrigger::CommitteeCovered;
        assert!(covered.fires(None, &Signal::CommitteeCovered, &view));
        assert!(!covered.fires(None, &Signal::TriggeringPersona, &view));
        assert!(!PlayTrigger::TriggeringPersona.fires(None, &Signal::CommitteeCovered, &view));
        assert_eq!(
            serde_json::to_value(&covered).unwrap(),
            json!({"kind": "COMMITTEE_COVERED"})
        );
    }

    #[test]
    fn sales_assist_signals_of_seed_002() {
        let big = AccountView {
            employees: Some(5000),
            lifecycle: Some("PROSPECT".into()),
            ..Default::default()
        };
        let work = ContactView {
            email_domain: Some("acme.com".into()),
            ..Default::default()
        };
        let gmail = ContactView {
            email_domain: Some("gmail.com".into()),
            personal_email: true,
            ..Default::default()
        };
        let empty = Map::new();
        let any = Signal::Event {
            event_type: "session",
            properties: &empty,
        };
        let enterprise = PlayTrigger::EnterpriseDomain {
            min_employees: 1000,
        };
        assert!(enterprise.fires(None, &any, &lead(Some(&big), &work)));
        assert!(!enterprise.fires(None, &any, &lead(Some(&big), &gmail)));
        assert!(enterprise.once_per_lead());

        let seats = props(json!({"teamSize": 12}));
        let team = PlayTrigger::TeamSize { threshold: 10 };
        assert!(team.fires(
            None,
            &Signal::Event {
                event_type: "teammate_invited",
                properties: &seats
            },
            &lead(None, &work)
        ));
        let small = props(json!({"seats": 3}));
        assert!(!team.fires(
            None,
            &Signal::Event {
                event_type: "teammate_invited",
                properties: &small
            },
            &lead(None, &work)
        ));

        let page = props(json!({"url": "https://example.com/Security"}));
        let security = PlayTrigger::SecurityPageViewed;
        assert!(security.fires(
            None,
            &Signal::Event {
                event_type: "page_view",
                properties: &page
            },
            &lead(None, &work)
        ));
        assert!(security.fires(
            None,
            &Signal::Event {
                event_type: "trust_center_viewed",
                properties: &empty
            },
            &lead(None, &work)
        ));
        let pricing = props(json!({"url": "https://example.com/pricing"}));
        assert!(!security.fires(
            None,
            &Signal::Event {
                event_type: "page_view",
                properties: &pricing
            },
            &lead(None, &work)
        ));

        let ending = Signal::Event {
            event_type: "trial_ending",
            properties: &empty,
        };
        assert!(PlayTrigger::TrialEnding.fires(None, &ending, &lead(Some(&big), &work)));
        let customer = AccountView {
            lifecycle: Some("CUSTOMER".into()),
            ..Default::default()
        };
        assert!(!PlayTrigger::TrialEnding.fires(None, &ending, &lead(Some(&customer), &work)));
    }

    #[test]
    fn validation_names_the_field() {
        let bad = PlayTrigger::Event {
            event_types: vec![],
            criteria: None,
        };
        assert_eq!(bad.validate().unwrap_err().field, "trigger.eventTypes");
        let bad = PlayTrigger::Event {
            event_types: vec!["x".into()],
            criteria: Some(json!({"field": "contact.nope", "op": "EQ", "value": 1})),
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .field
            .starts_with("trigger.criteria"));
        assert_eq!(
            PlayTrigger::ScoreThreshold { threshold: 0 }
                .validate()
                .unwrap_err()
                .field,
            "trigger.threshold"
        );
    }
}
