//! The lead contract's account terms: when an account is in market.

use serde::{Deserialize, Serialize};

/// Highest account threshold a contract may set.
pub const MAX_THRESHOLD: i32 = 10_000;
/// Highest per-contact cap.
pub const MAX_CONTACT_CAP: i32 = 1_000;

/// When an account is a marketing-qualified account (absent in contracts signed before account
/// scoring existed: the defaults).
///
/// The defaults are ours (the seeds give no account figure), chosen against the seed's MQL
/// threshold of 50: one contact adds at most one MQL's worth of engagement (`contactCap` 50),
/// and the account threshold (100) then needs the engagement of at least two people, or one
/// person and a well-fitting company (fit counts half: at most 50).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountTerms {
    /// The account score at which an account is in market.
    #[serde(default = "default_threshold")]
    pub threshold: i32,
    /// The most one contact's (decayed) engagement adds to its account's score.
    #[serde(default = "default_contact_cap")]
    pub contact_cap: i32,
}

fn default_threshold() -> i32 {
    100
}

fn default_contact_cap() -> i32 {
    50
}

impl Default for AccountTerms {
    fn default() -> Self {
        AccountTerms {
            threshold: default_threshold(),
            contact_cap: default_contact_cap(),
        }
    }
}

impl AccountTerms {
    /// The first bad term, as its path under `accounts` and the reason.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=MAX_THRESHOLD).contains(&self.threshold) {
            return Err(("threshold", format!("must be 1 to {MAX_THRESHOLD}")));
        }
        if !(1..=MAX_CONTACT_CAP).contains(&self.contact_cap) {
            return Err(("contactCap", format!("must be 1 to {MAX_CONTACT_CAP}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn older_contracts_read_the_defaults() {
        let terms: AccountTerms = serde_json::from_value(json!({})).unwrap();
        assert_eq!(terms, AccountTerms::default());
        assert_eq!((terms.threshold, terms.contact_cap), (100, 50));
        let terms: AccountTerms = serde_json::from_value(json!({"threshold": 80})).unwrap();
        assert_eq!((terms.threshold, terms.contact_cap), (80, 50));
    }

    #[test]
    fn bounds_are_checked_by_field() {
        let bad = |threshold, contact_cap| {
            AccountTerms {
                threshold,
                contact_cap,
            }
            .validate()
            .unwrap_err()
            .0
        };
        assert_eq!(bad(0, 50), "threshold");
        assert_eq!(bad(MAX_THRESHOLD + 1, 50), "threshold");
        assert_eq!(bad(100, 0), "contactCap");
        assert_eq!(bad(100, MAX_CONTACT_CAP + 1), "contactCap");
        AccountTerms::default().validate().unwrap();
    }
}
