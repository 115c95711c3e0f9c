//! Fit scoring: how well an account, or a contact at it, matches the active ICP (0-100).
//!
//! An ICP is two lists of named, weighted criteria. A score is the sum of the weights of the
//! criteria met, clamped to 0-100, and always comes with its breakdown: both teams must be
//! able to see why a lead scored what it did, not just the number.

mod parse;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::criteria::Criteria;
use super::views::{AccountView, LeadView};

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

/// The weighted criteria of one ICP version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IcpModel {
    /// Tested against the account alone, so an account scores the same for all its contacts.
    pub account_criteria: Vec<WeightedCriterion>,
    /// Tested against the whole lead (contact, account, scores).
    pub contact_criteria: Vec<WeightedCriterion>,
}

/// One criterion of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitLine {
    pub criterion: String,
    pub weight: i32,
    pub met: bool,
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
        icp.account_criteria
            .iter()
            .map(|c| (c, c.criteria.evaluate(account))),
    )
}

/// A contact's fit: the account criteria on its account, then the contact criteria.
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
    tally(account.chain(contact))
}

fn tally<'a>(results: impl Iterator<Item = (&'a WeightedCriterion, bool)>) -> FitResult {
    let breakdown: Vec<FitLine> = results
        .map(|(c, met)| FitLine {
            criterion: c.name.clone(),
            weight: c.weight,
            met,
        })
        .collect();
    // At most 2 x 50 criteria of weight at most 100: the sum cannot overflow an i32.
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
            contact_criteria: vec![],
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
            contact_criteria: vec![],
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
            }],
        };
        let json = json!({"score": 25, "breakdown":
            [{"criterion": "Title matches ICP", "weight": 25, "met": true}]});
        assert_eq!(serde_json::to_value(&fit).unwrap(), json);
        assert_eq!(serde_json::from_value::<FitResult>(json).unwrap(), fit);
    }
}
