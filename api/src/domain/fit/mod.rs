//! Fit scoring: how well an account, or a contact at it, matches the active ICP (0-100).
//!
//! An ICP is two lists of named, weighted criteria, a motion and a buying committee. A score is
//! the sum of the weights of the criteria met, clamped to 0-100, and always comes with its
//! breakdown: both teams must be able to see why a lead scored what it did, not just the number.
//!
//! Two rules decide which ICP scores a lead and how its committee counts:
//! - **Motion**: a LAND ICP scores leads at non-customers (new logos), an EXPAND ICP scores the
//!   contacts of customers (an account whose lifecycle is CUSTOMER: a won deal makes it one).
//!   An account's own fit is its company match and is scored by every active ICP, so the
//!   closed-won analysis can compare won customers with the LAND profile.
//! - **Buying committee**: a lead whose persona (its `persona`, or its title naming the persona
//!   word for word) is one the ICP marks TRIGGERS gains [`TRIGGERS_POINTS`] (and can start a
//!   `TRIGGERING_PERSONA` play); one marked BLOCKS loses [`BLOCKS_POINTS`]. INFLUENCES does not
//!   move the score. Each such persona is a line of the breakdown.

mod parse;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::criteria::{matches_words, Criteria};
use super::views::{AccountView, ContactView, LeadView};

pub use parse::parse_weighted;

/// Longest criterion name, in characters: it is a label in a breakdown, not a description.
pub const MAX_NAME_CHARS: usize = 120;
/// Largest weight either way; one criterion can at most decide the whole score on its own.
pub const MAX_WEIGHT: i32 = 100;
/// Most criteria in one list. Every criterion runs for every lead on re-scoring.
pub const MAX_CRITERIA: usize = 50;

/// One named rule of an ICP: `{"name": "...", "weight": 25, "criteria": {...}}`.
///
/// Deserialising validates the criteria but not the name or the weight bounds: input from
/// clients goes through [`parse_weighted`], stored documents were validated when written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedCriterion {
    pub name: String,
    /// Negative for disqualifiers (a competitor's employee, a personal email).
    pub weight: i32,
    pub criteria: Criteria,
}

/// Points a lead gains when its persona TRIGGERS the buying motion under its ICP.
pub const TRIGGERS_POINTS: i32 = 15;
/// Points a lead loses when its persona BLOCKS the deal under its ICP: a blocker can kill a
/// deal on their own, a trigger only starts one, so the penalty is the larger.
pub const BLOCKS_POINTS: i32 = -25;

/// Which accounts' leads an ICP scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Motion {
    /// New logos: leads at accounts that are not customers (or at no known account).
    #[default]
    Land,
    /// Customers: the contacts of accounts whose lifecycle is CUSTOMER.
    Expand,
}

/// A persona's part in the buying committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PersonaRole {
    /// Their interest starts the buying motion: +[`TRIGGERS_POINTS`].
    Triggers,
    /// Weighs in; no effect on the score.
    Influences,
    /// Can kill the deal: [`BLOCKS_POINTS`].
    Blocks,
}

impl PersonaRole {
    /// The points a lead of this persona gets, `None` when the role does not score.
    pub fn points(self) -> Option<i32> {
        match self {
            PersonaRole::Triggers => Some(TRIGGERS_POINTS),
            PersonaRole::Blocks => Some(BLOCKS_POINTS),
            PersonaRole::Influences => None,
        }
    }
}

/// A buying-committee persona of an ICP, stored as `{persona, role}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persona {
    pub persona: String,
    pub role: PersonaRole,
}

/// Whether `contact` is of `persona`: its persona field says so (any case), or its title holds
/// every word of it ("CFO" in "CFO & COO", "security" in "Head of Security").
pub fn has_persona(contact: &ContactView, persona: &str) -> bool {
    let persona = persona.trim();
    contact
        .persona
        .as_deref()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case(persona))
        || contact
            .title
            .as_deref()
            .is_some_and(|t| matches_words(t, persona))
}

/// The weighted criteria of one ICP version, with its name, motion and buying committee.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IcpModel {
    /// The version's name, on every line of a breakdown it produced.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub motion: Motion,
    #[serde(default)]
    pub personas: Vec<Persona>,
    /// Tested against the account alone, so an account scores the same for all its contacts.
    pub account_criteria: Vec<WeightedCriterion>,
    /// Tested against the whole lead (contact, account, scores).
    pub contact_criteria: Vec<WeightedCriterion>,
}

/// One line of a breakdown: a criterion, or a buying-committee persona (`persona_role` set,
/// `criterion` the persona's name, `weight` its points, `met` whether the lead is of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitLine {
    pub criterion: String,
    pub weight: i32,
    pub met: bool,
    /// The ICP the line comes from (absent from breakdowns stored before ICPs were named on
    /// them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona_role: Option<PersonaRole>,
}

/// Whether a stored breakdown says the lead is of a persona that TRIGGERS the buying motion.
pub fn triggers_buying(breakdown: &Value) -> bool {
    serde_json::from_value::<Vec<FitLine>>(breakdown.clone()).is_ok_and(|lines| {
        lines
            .iter()
            .any(|l| l.met && l.persona_role == Some(PersonaRole::Triggers))
    })
}

/// A fit score with every criterion that went into it, met or not, in ICP order; stored as
/// JSON next to the score so "why this score" never needs re-evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitResult {
    pub score: i32,
    pub breakdown: Vec<FitLine>,
}

/// The account's fit: its account criteria only.
pub fn score_account(icp: &IcpModel, account: &AccountView) -> FitResult {
    tally(
        icp,
        icp.account_criteria
            .iter()
            .map(|c| (c, c.criteria.evaluate(account))),
        Vec::new(),
    )
}

/// A contact's fit: the account criteria on its account, then the contact criteria, then the
/// buying committee's TRIGGERS and BLOCKS personas.
///
/// Without an account every account criterion is unmet, even a negated one ("industry NOT IN
/// Retail"): a lead cannot earn company points for a company nobody knows.
pub fn score_contact(icp: &IcpModel, lead: &LeadView<'_>) -> FitResult {
    let account = icp
        .account_criteria
        .iter()
        .map(|c| (c, lead.account.is_some_and(|a| c.criteria.evaluate(a))));
    let contact = icp
        .contact_criteria
        .iter()
        .map(|c| (c, c.criteria.evaluate(lead)));
    let personas = icp
        .personas
        .iter()
        .filter_map(|p| {
            Some(FitLine {
                criterion: p.persona.clone(),
                weight: p.role.points()?,
                met: has_persona(lead.contact, &p.persona),
                icp: Some(icp.name.clone()),
                persona_role: Some(p.role),
            })
        })
        .collect();
    tally(icp, account.chain(contact), personas)
}

/// Whether `lead` is at a customer (its account's lifecycle is CUSTOMER), which decides the
/// motion of the ICP that scores it.
pub fn motion_of(lead: &LeadView<'_>) -> Motion {
    match lead.account.and_then(|a| a.lifecycle.as_deref()) {
        Some("CUSTOMER") => Motion::Expand,
        _ => Motion::Land,
    }
}

/// A lead's fit: the best among the ICPs of its motion ([`motion_of`]); `None` when no such
/// ICP is active.
pub fn contact_fit<'a>(
    icps: impl IntoIterator<Item = &'a IcpModel>,
    lead: &LeadView<'_>,
) -> Option<FitResult> {
    let motion = motion_of(lead);
    best_fit(
        icps.into_iter()
            .filter(|icp| icp.motion == motion)
            .map(|icp| score_contact(icp, lead)),
    )
}

fn tally<'a>(
    icp: &IcpModel,
    results: impl Iterator<Item = (&'a WeightedCriterion, bool)>,
    personas: Vec<FitLine>,
) -> FitResult {
    let breakdown: Vec<FitLine> = results
        .map(|(c, met)| FitLine {
            criterion: c.name.clone(),
            weight: c.weight,
            met,
            icp: Some(icp.name.clone()),
            persona_role: None,
        })
        .chain(personas)
        .collect();
    // At most 2 x 50 criteria and the personas, of weight at most 100: no i32 overflow.
    let sum: i32 = breakdown.iter().filter(|l| l.met).map(|l| l.weight).sum();
    FitResult {
        score: sum.clamp(0, 100),
        breakdown,
    }
}

/// The best of several fits (a lead scored against each active ICP, say); the first wins a
/// tie, so callers control precedence through order.
pub fn best_fit(results: impl IntoIterator<Item = FitResult>) -> Option<FitResult> {
    results
        .into_iter()
        .reduce(|best, next| if next.score > best.score { next } else { best })
}

/// The seed's default fit rules (docs/domain.md, "Defaults") as an ICP a new workspace starts from.
///
/// Choices the seed leaves open, all editable afterwards:
/// - "title matches ICP" (+25): the revenue leaders who own sales and marketing alignment,
///   sales and marketing sides alike; MATCHES is a whole-word, any-order match, so
///   "vp sales" also catches "VP of Sales, EMEA" but "cro" does not catch "Micro".
/// - "company size in range" (+20): 200 to 5,000 employees, the Series B to public-company
///   teams the seed's diagnostics come from.
/// - "industry match" (+15): software and its near neighbours.
/// - "geographic fit" (+10): the English-speaking and Western European markets a team
///   typically starts in (ISO codes, as `account.country` stores them).
/// - "business email" (+5) needs an email at all, else a contact with no address would earn
///   it: `personalEmail` is false whenever there is nothing to flag.
/// - "competitor company" (-50): a custom boolean `competitor` on the account, the checkbox
///   CRMs use; `tier` already ranks target accounts and must stay free for that.
///
/// Company rules are account criteria, so an account's own fit uses them too; person rules
/// are contact criteria.
pub fn seed_icp() -> IcpModel {
    let rule = |name: &str, weight: i32, criteria: Value| WeightedCriterion {
        name: name.to_owned(),
        weight,
        criteria: Criteria::parse(&criteria).expect("seed criteria are valid"),
    };
    IcpModel {
        name: "Seed ICP".to_owned(),
        motion: Motion::Land,
        personas: Vec::new(),
        account_criteria: vec![
            rule(
                "Company size in range",
                20,
                json!({"field": "account.employees", "op": "BETWEEN", "value": [200, 5000]}),
            ),
            rule(
                "Industry match",
                15,
                json!({"field": "account.industry", "op": "IN",
                       "value": ["Software", "SaaS", "Technology", "Fintech"]}),
            ),
            rule(
                "Geographic fit",
                10,
                json!({"field": "account.country", "op": "IN",
                       "value": ["US", "CA", "GB", "DE", "FR", "NL", "AU"]}),
            ),
            rule(
                "Competitor company",
                -50,
                json!({"field": "account.custom.competitor", "op": "EQ", "value": true}),
            ),
        ],
        contact_criteria: vec![
            rule(
                "Title matches ICP",
                25,
                json!({"field": "contact.title", "op": "MATCHES", "value": [
                    "vp sales", "vice president sales", "head of sales", "cro",
                    "chief revenue officer", "vp marketing", "vice president marketing",
                    "head of marketing", "cmo", "chief marketing officer", "revops",
                    "revenue operations",
                ]}),
            ),
            rule(
                "Business email",
                5,
                json!({"all": [
                    {"field": "contact.personalEmail", "op": "EQ", "value": false},
                    {"field": "contact.email", "op": "EXISTS"},
                ]}),
            ),
            rule(
                "Personal email",
                -10,
                json!({"field": "contact.personalEmail", "op": "EQ", "value": true}),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::views::{ContactView, CustomFields};

    fn account() -> AccountView {
        AccountView {
            domain: Some("acme.io".into()),
            industry: Some("Software".into()),
            employees: Some(400),
            country: Some("US".into()),
            custom: CustomFields::from_json(&json!({"competitor": false})),
            ..AccountView::default()
        }
    }

    fn vp_sales(email: &str, personal: bool) -> ContactView {
        ContactView {
            email: Some(email.into()),
            personal_email: personal,
            title: Some("VP of Sales".into()),
            ..ContactView::default()
        }
    }

    fn lead<'a>(account: Option<&'a AccountView>, contact: &'a ContactView) -> LeadView<'a> {
        LeadView {
            account,
            contact,
            fit_score: None,
            score: None,
            engagement_score: None,
            pql_score: None,
            stage: None,
            source: None,
            source_detail: None,
            event: None,
        }
    }

    fn met(result: &FitResult) -> Vec<&str> {
        result
            .breakdown
            .iter()
            .filter(|l| l.met)
            .map(|l| l.criterion.as_str())
            .collect()
    }

    #[test]
    fn a_vp_of_sales_at_a_mid_size_us_software_company_scores_75() {
        let (account, contact) = (account(), vp_sales("jane@acme.io", false));
        let fit = score_contact(&seed_icp(), &lead(Some(&account), &contact));
        // size 20 + industry 15 + geography 10 + title 25 + business email 5
        assert_eq!(fit.score, 75);
        assert_eq!(
            met(&fit),
            [
                "Company size in range",
                "Industry match",
                "Geographic fit",
                "Title matches ICP",
                "Business email"
            ]
        );
    }

    #[test]
    fn a_personal_email_costs_fifteen_points() {
        let (account, contact) = (account(), vp_sales("jane@gmail.com", true));
        let fit = score_contact(&seed_icp(), &lead(Some(&account), &contact));
        // 25 + 20 + 15 + 10 - 10: the business email's 5 is lost and 10 more are taken.
        assert_eq!(fit.score, 60);
    }

    #[test]
    fn a_competitors_employee_loses_fifty_points_and_never_goes_below_zero() {
        let mut competitor = account();
        competitor.custom = CustomFields::from_json(&json!({"competitor": true}));
        let contact = vp_sales("jane@rival.io", false);
        let fit = score_contact(&seed_icp(), &lead(Some(&competitor), &contact));
        assert_eq!(fit.score, 75 - 50);

        let small_rival = AccountView {
            industry: Some("Retail".into()),
            employees: Some(50),
            country: Some("BR".into()),
            ..competitor
        };
        let intern = ContactView {
            title: Some("Sales Intern".into()),
            ..vp_sales("kid@gmail.com", true)
        };
        let fit = score_contact(&seed_icp(), &lead(Some(&small_rival), &intern));
        assert_eq!(met(&fit), ["Competitor company", "Personal email"]);
        assert_eq!(fit.score, 0, "-50 - 10 clamps to 0");
    }

    #[test]
    fn a_lead_without_an_account_scores_on_contact_criteria_only() {
        let contact = vp_sales("jane@acme.io", false);
        let fit = score_contact(&seed_icp(), &lead(None, &contact));
        assert_eq!(fit.score, 25 + 5);
        assert_eq!(met(&fit), ["Title matches ICP", "Business email"]);

        // Even a negated account criterion needs an account to hold.
        let icp = IcpModel {
            account_criteria: parse_weighted(
                &json!([{"name": "Not retail", "weight": 10, "criteria":
                    {"field": "account.industry", "op": "NOT_IN", "value": ["Retail"]}}]),
                "accountCriteria",
            )
            .unwrap(),
            ..IcpModel::default()
        };
        assert_eq!(score_contact(&icp, &lead(None, &contact)).score, 0);
        let account = account();
        assert_eq!(
            score_contact(&icp, &lead(Some(&account), &contact)).score,
            10
        );
    }

    #[test]
    fn a_contact_without_an_email_earns_no_business_email_points() {
        let account = account();
        let contact = ContactView {
            email: None,
            ..vp_sales("", false)
        };
        let fit = score_contact(&seed_icp(), &lead(Some(&account), &contact));
        assert_eq!(fit.score, 70);
    }

    #[test]
    fn an_account_scores_on_account_criteria_only() {
        let fit = score_account(&seed_icp(), &account());
        assert_eq!(fit.score, 20 + 15 + 10);
        assert_eq!(fit.breakdown.len(), 4);
        assert_eq!(score_account(&seed_icp(), &AccountView::default()).score, 0);
    }

    #[test]
    fn the_breakdown_lists_every_criterion_in_icp_order() {
        let contact = vp_sales("jane@acme.io", false);
        let fit = score_contact(&seed_icp(), &lead(None, &contact));
        let lines: Vec<(&str, i32, bool)> = fit
            .breakdown
            .iter()
            .map(|l| (l.criterion.as_str(), l.weight, l.met))
            .collect();
        assert_eq!(
            lines,
            [
                ("Company size in range", 20, false),
                ("Industry match", 15, false),
                ("Geographic fit", 10, false),
                ("Competitor company", -50, false),
                ("Title matches ICP", 25, true),
                ("Business email", 5, true),
                ("Personal email", -10, false),
            ]
        );
    }

    #[test]
    fn scores_clamp_at_one_hundred() {
        let always = json!({"field": "account.employees", "op": "GTE", "value": 0});
        let account_criteria = parse_weighted(
            &json!([
                {"name": "a", "weight": 100, "criteria": always},
                {"name": "b", "weight": 60, "criteria": always},
            ]),
            "accountCriteria",
        )
        .unwrap();
        let icp = IcpModel {
            account_criteria,
            ..IcpModel::default()
        };
        assert_eq!(score_account(&icp, &account()).score, 100);
    }

    #[test]
    fn the_best_fit_is_the_highest_and_the_first_on_a_tie() {
        let result = |score, name: &str| FitResult {
            score,
            breakdown: vec![FitLine {
                criterion: name.into(),
                weight: score,
                met: true,
                icp: None,
                persona_role: None,
            }],
        };
        let best = best_fit([result(40, "a"), result(70, "b"), result(70, "c")]).unwrap();
        assert_eq!(best, result(70, "b"));
        assert_eq!(best_fit(Vec::new()), None);
    }

    #[test]
    fn the_seed_icp_round_trips_through_json() {
        let icp = seed_icp();
        let json = serde_json::to_value(&icp).unwrap();
        assert_eq!(
            json["account_criteria"][3],
            json!({"name": "Competitor company", "weight": -50, "criteria":
                {"field": "account.custom.competitor", "op": "EQ", "value": true}})
        );
        assert_eq!(
            serde_json::from_value::<IcpModel>(json.clone()).unwrap(),
            icp
        );
        let contact = parse_weighted(&json["contact_criteria"], "contactCriteria").unwrap();
        assert_eq!(contact, icp.contact_criteria);
    }

    #[test]
    fn fit_results_are_stored_as_plain_json() {
        let fit = FitResult {
            score: 25,
            breakdown: vec![FitLine {
                criterion: "Title matches ICP".into(),
                weight: 25,
                met: true,
                icp: None,
                persona_role: None,
            }],
        };
        let json = json!({"score": 25, "breakdown":
            [{"criterion": "Title matches ICP", "weight": 25, "met": true}]});
        assert_eq!(serde_json::to_value(&fit).unwrap(), json);
        assert_eq!(serde_json::from_value::<FitResult>(json).unwrap(), fit);
    }

    fn with_committee(motion: Motion) -> IcpModel {
        IcpModel {
            name: format!("{motion:?}"),
            motion,
            personas: vec![
                Persona {
                    persona: "VP Sales".into(),
                    role: PersonaRole::Triggers,
                },
                Persona {
                    persona: "Procurement".into(),
                    role: PersonaRole::Blocks,
                },
                Persona {
                    persona: "CFO".into(),
                    role: PersonaRole::Influences,
                },
            ],
            ..seed_icp()
        }
    }

    #[test]
    fn a_land_icp_scores_non_customers_and_an_expand_icp_customers() {
        let land = IcpModel {
            name: "New logos".into(),
            ..seed_icp()
        };
        let expand = IcpModel {
            name: "Customers".into(),
            motion: Motion::Expand,
            account_criteria: vec![],
            ..seed_icp()
        };
        let contact = vp_sales("jane@acme.io", false);
        let prospect = account();
        let customer = AccountView {
            lifecycle: Some("CUSTOMER".into()),
            ..account()
        };
        let fit = contact_fit([&land, &expand], &lead(Some(&prospect), &contact)).unwrap();
        assert_eq!(fit.score, 75);
        assert!(fit
            .breakdown
            .iter()
            .all(|l| l.icp.as_deref() == Some("New logos")));
        let fit = contact_fit([&land, &expand], &lead(Some(&customer), &contact)).unwrap();
        // The EXPAND ICP has no company rules: title 25 + business email 5.
        assert_eq!(fit.score, 30);
        assert!(fit
            .breakdown
            .iter()
            .all(|l| l.icp.as_deref() == Some("Customers")));
        // A lead without an account is a new logo; a customer's contact has no LAND fit.
        assert_eq!(motion_of(&lead(None, &contact)), Motion::Land);
        assert_eq!(contact_fit([&land], &lead(Some(&customer), &contact)), None);
        assert_eq!(
            contact_fit([&expand], &lead(Some(&prospect), &contact)),
            None
        );
        // An account's own fit is its company match, whatever the motion.
        assert_eq!(score_account(&land, &customer).score, 45);
    }

    #[test]
    fn triggers_raise_the_fit_and_blocks_lower_it() {
        let icp = with_committee(Motion::Land);
        let account = account();
        let vp = vp_sales("jane@acme.io", false);
        let fit = score_contact(&icp, &lead(Some(&account), &vp));
        assert_eq!(fit.score, 75 + TRIGGERS_POINTS);
        let personas: Vec<_> = fit
            .breakdown
            .iter()
            .filter_map(|l| Some((l.criterion.as_str(), l.persona_role?, l.weight, l.met)))
            .collect();
        assert_eq!(
            personas,
            [
                ("VP Sales", PersonaRole::Triggers, 15, true),
                ("Procurement", PersonaRole::Blocks, -25, false),
            ]
        );
        let json = serde_json::to_value(&fit.breakdown).unwrap();
        assert!(triggers_buying(&json));
        assert_eq!(json[7]["persona_role"], "TRIGGERS");

        let buyer = ContactView {
            title: Some("Director".into()),
            persona: Some("procurement".into()),
            ..vp_sales("bo@acme.io", false)
        };
        let fit = score_contact(&icp, &lead(Some(&account), &buyer));
        // size 20 + industry 15 + geography 10 + business email 5 - 25.
        assert_eq!(fit.score, 25);
        assert!(!triggers_buying(
            &serde_json::to_value(&fit.breakdown).unwrap()
        ));
        // Influencers do not score: the CFO scores like anyone else.
        let cfo = ContactView {
            title: Some("CFO".into()),
            ..vp_sales("cy@acme.io", false)
        };
        assert_eq!(score_contact(&icp, &lead(Some(&account), &cfo)).score, 50);
        assert!(!triggers_buying(
            &json!([{"criterion": "x", "weight": 1, "met": true}])
        ));
    }
}
