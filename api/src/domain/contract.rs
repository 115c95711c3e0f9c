//! The lead contract's terms: what makes a lead worth a rep's time, how it is scored, the clocks
//! sales runs on, how rejections and sources are judged, and what marketing commits to. Every
//! new workspace starts with a draft holding the defaults of docs/domain.md.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    accounts::AccountTerms, calendar::BusinessCalendar, criteria::Criteria, scoring::ScoringModel,
};

/// Who the contract lets through as an MQL, besides the score threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Acceptance {
    /// Extra criteria a lead must meet (criteria language JSON), if any.
    pub criteria: Option<Value>,
    /// The lead's fit score (from the active ICP) must reach this: "the contact must fit the ICP".
    pub min_fit: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slas {
    /// First touch after assignment of a WARM MQL.
    pub first_touch_warm_minutes: u32,
    /// First touch after assignment of a HOT MQL (hand-raisers: 5 minutes, since leads reached
    /// within 5 minutes convert 9x better than after 30).
    pub first_touch_hot_minutes: u32,
    /// A status update (accept or reject) is due this long after assignment.
    pub status_update_hours: u32,
    /// Touches before an unresponsive lead may be recycled.
    pub min_touches_before_recycle: u32,
    /// SLA_WARNING fires when this share of the window has passed.
    pub warn_share: f64,
    pub calendar: BusinessCalendar,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionTerms {
    /// Sales may reject an MQL within this many hours of its assignment.
    pub window_hours: u32,
    /// The reason codes sales may use.
    pub reason_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRule {
    /// A source whose monthly rejection rate exceeds this...
    pub max_rejection_rate: f64,
    /// ...this many calendar months in a row is paused.
    pub consecutive_months: u32,
    /// Months with fewer MQLs than this are not judged.
    pub min_mqls: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitments {
    pub mqls_per_month: u32,
    /// Share of MQLs that match the ICP.
    pub icp_share: f64,
    /// Share of MQLs with complete contact data (name, title, business email, account).
    pub contact_completeness: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Terms {
    pub acceptance: Acceptance,
    pub scoring: ScoringModel,
    pub slas: Slas,
    pub rejection: RejectionTerms,
    pub source_rule: SourceRule,
    pub commitments: Commitments,
    /// How leads are routed before the rules (absent in older contracts: the defaults).
    #[serde(default)]
    pub routing: RoutingTerms,
    /// When an account is in market (absent in older contracts: the defaults).
    #[serde(default)]
    pub accounts: AccountTerms,
}

/// Lead-to-account routing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingTerms {
    /// A lead at an account that is a customer, has an open deal or has an owner goes to the
    /// account's owner before the routing rules (a named account's owner always does).
    #[serde(default = "yes")]
    pub account_owner_first: bool,
}

fn yes() -> bool {
    true
}

impl Default for RoutingTerms {
    fn default() -> Self {
        RoutingTerms {
            account_owner_first: true,
        }
    }
}

/// A month of calendar time: the longest first-touch window a contract may promise.
pub const MAX_FIRST_TOUCH_MINUTES: u32 = 30 * 24 * 60;
/// A month: the longest status-update and rejection windows.
pub const MAX_WINDOW_HOURS: u32 = 30 * 24;
pub const MAX_TOUCHES_BEFORE_RECYCLE: u32 = 50;
pub const MAX_MQLS: u32 = 10_000_000;

pub const REASON_CODES: &[&str] = &[
    "WRONG_SEGMENT",
    "NO_BUYING_TRIGGER",
    "COMPETITOR_LOCK_IN",
    "BAD_CONTACT_DATA",
    "DUPLICATE",
    "NO_BUDGET",
    "BAD_TIMING",
    "OTHER",
];

impl Terms {
    /// The defaults taken from the seeds (docs/domain.md, "Defaults").
    pub fn seed() -> Self {
        Terms {
            acceptance: Acceptance {
                criteria: None,
                min_fit: 25,
            },
            scoring: ScoringModel::seed(),
            slas: Slas {
                first_touch_warm_minutes: 4 * 60,
                first_touch_hot_minutes: 5,
                status_update_hours: 48,
                min_touches_before_recycle: 6,
                warn_share: 0.75,
                calendar: BusinessCalendar::default(),
            },
            rejection: RejectionTerms {
                window_hours: 48,
                reason_codes: REASON_CODES.iter().map(|c| c.to_string()).collect(),
            },
            source_rule: SourceRule {
                max_rejection_rate: 0.20,
                consecutive_months: 2,
                min_mqls: 5,
            },
            commitments: Commitments {
                mqls_per_month: 100,
                icp_share: 0.8,
                contact_completeness: 0.9,
            },
            routing: RoutingTerms::default(),
            accounts: AccountTerms::default(),
        }
    }

    /// Checks every term, naming the first bad one by its path under `terms`.
    pub fn validate(&self) -> Result<(), ContractError> {
        let err =
            |field: &str, message: &str| Err(ContractError::new(format!("terms.{field}"), message));
        if let Some(criteria) = &self.acceptance.criteria {
            Criteria::parse_at(criteria, "terms.acceptance.criteria")
                .map_err(|e| ContractError::new(e.path, e.message))?;
        }
        if !(0..=100).contains(&self.acceptance.min_fit) {
            return err("acceptance.minFit", "must be 0 to 100");
        }
        self.scoring
            .validate()
            .map_err(|e| ContractError::new(format!("terms.scoring.{}", e.field), e.message))?;
        let slas = &self.slas;
        // Clocks are laid out day by day on the business calendar: a term beyond these bounds
        // is a typo, and an absurd one would keep the worker walking the calendar for ages.
        let bounded = [
            (
                "slas.firstTouchWarmMinutes",
                slas.first_touch_warm_minutes,
                MAX_FIRST_TOUCH_MINUTES,
            ),
            (
                "slas.firstTouchHotMinutes",
                slas.first_touch_hot_minutes,
                MAX_FIRST_TOUCH_MINUTES,
            ),
            (
                "slas.statusUpdateHours",
                slas.status_update_hours,
                MAX_WINDOW_HOURS,
            ),
            (
                "slas.minTouchesBeforeRecycle",
                slas.min_touches_before_recycle,
                MAX_TOUCHES_BEFORE_RECYCLE,
            ),
            (
                "rejection.windowHours",
                self.rejection.window_hours,
                MAX_WINDOW_HOURS,
            ),
            ("sourceRule.minMqls", self.source_rule.min_mqls, MAX_MQLS),
            (
                "commitments.mqlsPerMonth",
                self.commitments.mqls_per_month,
                MAX_MQLS,
            ),
        ];
        if let Some((field, _, max)) = bounded.iter().find(|(_, value, max)| value > max) {
            return err(field, &format!("must be at most {max}"));
        }
        if slas.first_touch_hot_minutes == 0 || slas.first_touch_warm_minutes == 0 {
            return err(
                "slas.firstTouchWarmMinutes",
                "first-touch windows must be positive",
            );
        }
        if slas.first_touch_hot_minutes > slas.first_touch_warm_minutes {
            return err(
                "slas.firstTouchHotMinutes",
                "a hot lead's window cannot be longer than a warm one's",
            );
        }
        if slas.status_update_hours == 0 {
            return err("slas.statusUpdateHours", "must be positive");
        }
        if !(0.0..1.0).contains(&slas.warn_share) || slas.warn_share.is_nan() {
            return err("slas.warnShare", "must be at least 0 and below 1");
        }
        slas.calendar.validate().map_err(|e| {
            ContractError::new(format!("terms.slas.calendar.{}", e.field), e.message)
        })?;
        if self.rejection.window_hours == 0 {
            return err("rejection.windowHours", "must be positive");
        }
        if self.rejection.reason_codes.is_empty() {
            return err("rejection.reasonCodes", "name at least one reason code");
        }
        if let Some(i) = self
            .rejection
            .reason_codes
            .iter()
            .position(|c| !REASON_CODES.contains(&c.as_str()))
        {
            return Err(ContractError::new(
                format!("terms.rejection.reasonCodes[{i}]"),
                "is not a known reason code",
            ));
        }
        let rule = &self.source_rule;
        if !(0.0..=1.0).contains(&rule.max_rejection_rate) {
            return err("sourceRule.maxRejectionRate", "must be between 0 and 1");
        }
        if rule.consecutive_months == 0 || rule.consecutive_months > 12 {
            return err("sourceRule.consecutiveMonths", "must be 1 to 12");
        }
        for (field, share) in [
            ("commitments.icpShare", self.commitments.icp_share),
            (
                "commitments.contactCompleteness",
                self.commitments.contact_completeness,
            ),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return err(field, "must be between 0 and 1");
            }
        }
        self.accounts.validate().map_err(|(field, message)| {
            ContractError::new(format!("terms.accounts.{field}"), message)
        })
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ContractError {
    pub field: String,
    pub message: String,
}

impl ContractError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_seed_terms_are_valid_and_round_trip() {
        let terms = Terms::seed();
        terms.validate().unwrap();
        let json = serde_json::to_value(&terms).unwrap();
        assert_eq!(json["slas"]["firstTouchHotMinutes"], 5);
        assert_eq!(json["rejection"]["windowHours"], 48);
        assert_eq!(json["sourceRule"]["maxRejectionRate"], 0.2);
        assert_eq!(json["scoring"]["mqlThreshold"], 50);
        assert_eq!(
            json["accounts"],
            json!({"threshold": 100, "contactCap": 50})
        );
        let back: Terms = serde_json::from_value(json).unwrap();
        assert_eq!(back, terms);
    }

    /// A term's path and how to spoil it.
    type Spoiler = (&'static str, fn(&mut Terms));

    #[test]
    fn absurd_numbers_are_refused_by_path() {
        let cases: [Spoiler; 7] = [
            ("terms.slas.statusUpdateHours", |t| {
                t.slas.status_update_hours = 4_000_000_000
            }),
            ("terms.slas.firstTouchWarmMinutes", |t| {
                t.slas.first_touch_warm_minutes = MAX_FIRST_TOUCH_MINUTES + 1
            }),
            ("terms.slas.firstTouchHotMinutes", |t| {
                t.slas.first_touch_hot_minutes = u32::MAX
            }),
            ("terms.slas.minTouchesBeforeRecycle", |t| {
                t.slas.min_touches_before_recycle = 51
            }),
            ("terms.rejection.windowHours", |t| {
                t.rejection.window_hours = MAX_WINDOW_HOURS + 1
            }),
            ("terms.sourceRule.minMqls", |t| {
                t.source_rule.min_mqls = u32::MAX
            }),
            ("terms.commitments.mqlsPerMonth", |t| {
                t.commitments.mqls_per_month = u32::MAX
            }),
        ];
        for (field, spoil) in cases {
            let mut terms = Terms::seed();
            spoil(&mut terms);
            assert_eq!(terms.validate().unwrap_err().field, field);
        }
        let mut longest = Terms::seed();
        longest.slas.status_update_hours = MAX_WINDOW_HOURS;
        longest.rejection.window_hours = MAX_WINDOW_HOURS;
        longest.slas.first_touch_warm_minutes = MAX_FIRST_TOUCH_MINUTES;
        longest.validate().unwrap();
    }

    #[test]
    fn bad_terms_name_their_path() {
        let mut terms = Terms::seed();
        terms.acceptance.criteria = Some(json!({"field": "account.nope", "op": "EQ", "value": 1}));
        assert_eq!(
            terms.validate().unwrap_err().field,
            "terms.acceptance.criteria.field"
        );

        let mut terms = Terms::seed();
        terms.rejection.reason_codes.push("BORED".into());
        assert_eq!(
            terms.validate().unwrap_err().field,
            "terms.rejection.reasonCodes[8]"
        );

        let mut terms = Terms::seed();
        terms.slas.first_touch_hot_minutes = 500;
        assert_eq!(
            terms.validate().unwrap_err().field,
            "terms.slas.firstTouchHotMinutes"
        );

        let mut terms = Terms::seed();
        terms.accounts.threshold = 0;
        assert_eq!(
            terms.validate().unwrap_err().field,
            "terms.accounts.threshold"
        );

        let mut terms = Terms::seed();
        terms.source_rule.max_rejection_rate = 1.5;
        assert_eq!(
            terms.validate().unwrap_err().field,
            "terms.sourceRule.maxRejectionRate"
        );
    }
}
