//! Accounts in market: the account score, and when it makes a marketing-qualified account.
//!
//! ```text
//! account score = floor(account fit / 2)
//!               + sum over the account's contacts of min(contactCap, engagement)
//! engagement    = max(0, behaviour points + decay)   (the lead's engagement score, decayed by
//!                                                     the contract's steps at this moment)
//! ```
//!
//! Fit counts half (at most 50 of the seed's threshold of 100) so a company that fits can be in
//! market on less engagement, but never on fit alone; the per-contact cap keeps one enthusiast
//! from making an account: breadth across the committee is what lifts it. The account is in
//! market from the moment its score reaches the threshold until a later scoring finds it below;
//! crossing up again is a new crossing (and a new `HOT_ACCOUNT` trigger).
//!
//! Worked example (the README's, seed terms: threshold 100, cap 50, decay 7 days -5, 14 days
//! -10, 30 days -20): Acme's fit is 65, so fit adds 32. Ann (VP Sales) has 100 behaviour points
//! and engaged 2 days ago: 100, capped to 50. Ben (CFO) has 35 and engaged 10 days ago: 35 - 5 =
//! 30. Cy has 6 and engaged 40 days ago: max(0, 6 - 20) = 0. Score 32 + 50 + 30 + 0 = 112 >= 100:
//! Acme is in market.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{committee::Committee, terms::AccountTerms};
use crate::domain::scoring::{decay_at, ScoringModel};

/// Fit counts `fit / FIT_DIVISOR` (rounded down).
pub const FIT_DIVISOR: i32 = 2;

/// One contact's engagement, as stored on the lead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactEngagementFacts {
    pub contact_id: Uuid,
    /// Behaviour points before decay (`engagementScore`).
    pub behaviour: i32,
    pub last_engaged_at: Option<DateTime<Utc>>,
}

/// What one contact adds to its account's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub contact_id: Uuid,
    /// The lead's engagement score now (decayed, never below 0).
    pub engagement: i32,
    /// `engagement` capped at the contract's `contactCap`.
    pub points: i32,
}

/// An account score and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountScore {
    pub score: i32,
    pub fit_points: i32,
    pub engagement_points: i32,
    /// The contacts that add points, most first (ties by id).
    pub contributions: Vec<Contribution>,
}

/// The account score at `now` (see the module's formula).
pub fn account_score(
    model: &ScoringModel,
    terms: &AccountTerms,
    fit: i32,
    contacts: &[ContactEngagementFacts],
    now: DateTime<Utc>,
) -> AccountScore {
    let mut contributions: Vec<Contribution> = contacts
        .iter()
        .map(|c| {
            let engagement = c
                .behaviour
                .saturating_add(decay_at(model, c.last_engaged_at, now))
                .max(0);
            Contribution {
                contact_id: c.contact_id,
                engagement,
                points: engagement.min(terms.contact_cap),
            }
        })
        .filter(|c| c.points > 0)
        .collect();
    contributions.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(a.contact_id.cmp(&b.contact_id))
    });
    let fit_points = fit.clamp(0, 100) / FIT_DIVISOR;
    let engagement_points = contributions
        .iter()
        .fold(0i32, |sum, c| sum.saturating_add(c.points));
    AccountScore {
        score: fit_points.saturating_add(engagement_points),
        fit_points,
        engagement_points,
        contributions,
    }
}

/// What scoring an account decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub in_market: bool,
    /// It crossed the threshold now: a new marketing-qualified account.
    pub entered: bool,
    pub covered: bool,
    /// Its committee became covered now.
    pub newly_covered: bool,
}

/// Whether an account scoring `score` is in market, given whether it was (its stored state, so
/// an account stays one crossing however many events follow), and whether its committee became
/// covered.
pub fn assess(
    terms: &AccountTerms,
    score: i32,
    was_in_market: bool,
    committee: Option<&Committee>,
    was_covered: bool,
) -> Assessment {
    let in_market = score >= terms.threshold;
    let covered = committee.is_some_and(Committee::covered);
    Assessment {
        in_market,
        entered: in_market && !was_in_market,
        covered,
        newly_covered: covered && !was_covered,
    }
}

/// Why an account is in market, kept with it (JSON) and shown by `accountsInMarket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketReason {
    pub threshold: i32,
    pub fit: i32,
    pub fit_points: i32,
    pub engagement_points: i32,
    /// The contacts behind the score, most points first.
    pub contacts: Vec<ContactReason>,
    /// The ICP personas engaged in the last 30 days.
    pub personas: Vec<String>,
    /// The ICP personas nobody at the account fills.
    pub missing_personas: Vec<String>,
    /// The events of the batch that scored it, by type.
    pub events: Vec<EventCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactReason {
    pub contact_id: Uuid,
    pub name: Option<String>,
    /// The ICP personas the contact fills.
    pub personas: Vec<String>,
    pub engagement: i32,
    pub points: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventCount {
    pub event_type: String,
    pub count: u32,
}

impl MarketReason {
    /// The reason for `score`; `name_of` names a contact, `committee` (if any) gives the
    /// personas, `event_types` are the scoring batch's events at the account.
    pub fn new<'a>(
        terms: &AccountTerms,
        fit: i32,
        score: &AccountScore,
        name_of: impl Fn(Uuid) -> Option<String>,
        committee: Option<&Committee>,
        event_types: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let seats = committee.map_or(&[][..], |c| c.seats.as_slice());
        let mut events: Vec<EventCount> = Vec::new();
        for t in event_types {
            match events.iter_mut().find(|e| e.event_type == t) {
                Some(e) => e.count += 1,
                None => events.push(EventCount {
                    event_type: t.to_owned(),
                    count: 1,
                }),
            }
        }
        events.sort_by(|a, b| b.count.cmp(&a.count).then(a.event_type.cmp(&b.event_type)));
        MarketReason {
            threshold: terms.threshold,
            fit,
            fit_points: score.fit_points,
            engagement_points: score.engagement_points,
            contacts: score
                .contributions
                .iter()
                .map(|c| ContactReason {
                    contact_id: c.contact_id,
                    name: name_of(c.contact_id),
                    personas: seats
                        .iter()
                        .filter(|s| s.present.contains(&c.contact_id))
                        .map(|s| s.persona.clone())
                        .collect(),
                    engagement: c.engagement,
                    points: c.points,
                })
                .collect(),
            personas: committee.map_or_else(Vec::new, |c| {
                c.engaged().iter().map(|s| s.persona.clone()).collect()
            }),
            missing_personas: committee.map_or_else(Vec::new, |c| {
                c.missing().iter().map(|s| s.persona.clone()).collect()
            }),
            events,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::domain::{
        accounts::{committee_of, Member},
        fit::{seed_icp, IcpModel, Persona, PersonaRole},
    };

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn contact(n: u128, behaviour: i32, days_ago: i64) -> ContactEngagementFacts {
        ContactEngagementFacts {
            contact_id: Uuid::from_u128(n),
            behaviour,
            last_engaged_at: Some(now() - Duration::days(days_ago)),
        }
    }

    #[test]
    fn the_worked_example_scores_112() {
        let model = ScoringModel::seed();
        let terms = AccountTerms::default();
        let contacts = [contact(1, 100, 2), contact(2, 35, 10), contact(3, 6, 40)];
        let s = account_score(&model, &terms, 65, &contacts, now());
        assert_eq!(s.fit_points, 32);
        assert_eq!(
            s.contributions,
            [
                Contribution {
                    contact_id: Uuid::from_u128(1),
                    engagement: 100,
                    points: 50
                },
                Contribution {
                    contact_id: Uuid::from_u128(2),
                    engagement: 30,
                    points: 30
                },
            ]
        );
        assert_eq!((s.engagement_points, s.score), (80, 112));
        let a = assess(&terms, s.score, false, None, false);
        assert!(a.in_market && a.entered);
    }

    #[test]
    fn one_enthusiast_does_not_make_an_account() {
        let s = account_score(
            &ScoringModel::seed(),
            &AccountTerms::default(),
            100,
            &[contact(1, 400, 0)],
            now(),
        );
        assert_eq!(s.score, 50 + 50);
        let s = account_score(
            &ScoringModel::seed(),
            &AccountTerms::default(),
            98,
            &[contact(1, 400, 0)],
            now(),
        );
        assert_eq!(s.score, 99, "fit 98 adds 49");
        let never = ContactEngagementFacts {
            contact_id: Uuid::from_u128(2),
            behaviour: 0,
            last_engaged_at: None,
        };
        let s = account_score(
            &ScoringModel::seed(),
            &AccountTerms::default(),
            0,
            &[never],
            now(),
        );
        assert_eq!((s.score, s.contributions.len()), (0, 0));
    }

    #[test]
    fn a_crossing_fires_once_and_again_after_a_fall() {
        let terms = AccountTerms::default();
        let first = assess(&terms, 100, false, None, false);
        assert!(first.entered, "reaching the threshold counts");
        let again = assess(&terms, 130, true, None, false);
        assert!(again.in_market && !again.entered);
        let fell = assess(&terms, 99, true, None, false);
        assert!(!fell.in_market && !fell.entered);
        assert!(assess(&terms, 120, false, None, false).entered);
    }

    #[test]
    fn the_reason_names_contacts_personas_and_events() {
        let icp = IcpModel {
            personas: vec![
                Persona {
                    persona: "VP Sales".into(),
                    role: PersonaRole::Triggers,
                },
                Persona {
                    persona: "CFO".into(),
                    role: PersonaRole::Influences,
                },
                Persona {
                    persona: "Procurement".into(),
                    role: PersonaRole::Blocks,
                },
            ],
            ..seed_icp()
        };
        let members = [
            Member {
                contact_id: Uuid::from_u128(1),
                title: Some("VP Sales".into()),
                persona: None,
                owner_id: None,
                last_engaged_at: Some(now()),
            },
            Member {
                contact_id: Uuid::from_u128(2),
                title: Some("CFO".into()),
                persona: None,
                owner_id: None,
                last_engaged_at: Some(now() - Duration::days(10)),
            },
        ];
        let committee = committee_of([&icp], false, &members, now()).unwrap();
        let terms = AccountTerms::default();
        let score = account_score(
            &ScoringModel::seed(),
            &terms,
            65,
            &[contact(1, 100, 0), contact(2, 35, 10)],
            now(),
        );
        let a = assess(&terms, score.score, false, Some(&committee), false);
        assert!(a.covered && a.newly_covered);
        assert!(!assess(&terms, score.score, true, Some(&committee), true).newly_covered);
        let reason = MarketReason::new(
            &terms,
            65,
            &score,
            |id| (id == Uuid::from_u128(1)).then(|| "Ann".to_owned()),
            Some(&committee),
            ["pricing_page_visit", "demo_request", "pricing_page_visit"],
        );
        assert_eq!(reason.contacts[0].name.as_deref(), Some("Ann"));
        assert_eq!(reason.contacts[0].personas, ["VP Sales"]);
        assert_eq!(reason.contacts[1].personas, ["CFO"]);
        assert_eq!(reason.personas, ["VP Sales", "CFO"]);
        assert_eq!(reason.missing_personas, ["Procurement"]);
        assert_eq!(
            reason.events,
            [
                EventCount {
                    event_type: "pricing_page_visit".into(),
                    count: 2
                },
                EventCount {
                    event_type: "demo_request".into(),
                    count: 1
                },
            ]
        );
        assert_eq!((reason.fit_points, reason.engagement_points), (32, 80));
    }
}
