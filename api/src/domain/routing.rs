//! Routing: who gets a lead. The account's owner wins first (a named account always; under the
//! contract's `accountOwnerFirst`, any account that is a customer, has an open deal or an owner:
//! lead-to-account routing); then the first rule whose criteria match, to its rep or its pool (round robin or weighted, skipping reps who are out of
//! office or at capacity); then the unassigned queue (`RouteReason::Fallback`), where the lead
//! waits until a rep is eligible. Only a member whose role takes leads is ever
//! picked: a rep routing knows nothing of (removed from the workspace, say) gets nothing.

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use super::criteria::{Criteria, Facts};

/// A routing rule's published version, ready to evaluate.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    /// The rule, the same for every version of it.
    pub id: Uuid,
    /// The version routing uses, and its number.
    pub version_id: Uuid,
    pub version: i32,
    pub name: String,
    pub criteria: Criteria,
    /// `(rep, weight)`; one entry routes to that rep, several form a pool.
    pub targets: Vec<(Uuid, u32)>,
    pub weighted: bool,
    /// Open leads a rep may hold before this rule skips them.
    pub capacity: Option<u32>,
    /// Leads this rule (every version of it) has assigned so far: the round-robin position.
    pub assigned_count: i64,
}

/// What routing knows of a rep. The default, for someone routing does not know, is ineligible.
#[derive(Debug, Clone, Copy, Default)]
pub struct RepState {
    pub open_leads: u32,
    pub out_of_office: bool,
    /// A member of the workspace whose role takes leads.
    pub takes_leads: bool,
}

/// What ties a lead's account to its owner, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountTie {
    NamedAccount,
    Customer,
    OpenDeal,
    Owned,
}

/// The lead's account as lead-to-account routing sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountMatch {
    pub owner: Uuid,
    pub tie: AccountTie,
}

impl AccountMatch {
    /// Whether the lead's account claims it before the rules: a named account's owner always;
    /// with `account_owner_first` (the contract's term, on by default), the owner of an account
    /// that is a customer, has an open deal or simply has an owner.
    pub fn of(
        owner: Option<Uuid>,
        named: bool,
        customer: bool,
        open_deal: bool,
        account_owner_first: bool,
    ) -> Option<Self> {
        let owner = owner?;
        let tie = if named {
            AccountTie::NamedAccount
        } else if !account_owner_first {
            return None;
        } else if customer {
            AccountTie::Customer
        } else if open_deal {
            AccountTie::OpenDeal
        } else {
            AccountTie::Owned
        };
        Some(AccountMatch { owner, tie })
    }

    fn explanation(&self) -> &'static str {
        match self.tie {
            AccountTie::NamedAccount => "the account is a named account; its owner takes the lead",
            AccountTie::Customer => {
                "lead-to-account: the account is a customer; its owner takes the lead before the rules"
            }
            AccountTie::OpenDeal => {
                "lead-to-account: the account has an open deal; its owner takes the lead before the rules"
            }
            AccountTie::Owned => {
                "lead-to-account: the account has an owner; its owner takes the lead before the rules"
            }
        }
    }
}

/// Why the lead went where it went, kept on the lead (`lead.routing`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "by")]
pub enum RouteReason {
    NamedAccountOwner,
    /// Lead-to-account routing: the account's owner, before the rules.
    AccountOwner {
        tie: AccountTie,
    },
    /// A rule's published version: the rule (the same across versions), the version that
    /// routed the lead and its number.
    Rule {
        rule_id: Uuid,
        rule: String,
        version_id: Uuid,
        version: i32,
    },
    Fallback,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub owner: Option<Uuid>,
    #[serde(flatten)]
    pub reason: RouteReason,
    pub explanation: String,
}

fn eligible(rep: &Uuid, capacity: Option<u32>, reps: &HashMap<Uuid, RepState>) -> bool {
    let state = reps.get(rep).copied().unwrap_or_default();
    state.takes_leads && !state.out_of_office && capacity.is_none_or(|cap| state.open_leads < cap)
}

/// The pool member whose turn it is: round robin by position, or by weight (each rep appears
/// in the cycle as many times as its weight), skipping ineligible reps.
fn pick(rule: &RuleSpec, reps: &HashMap<Uuid, RepState>) -> Option<Uuid> {
    let cycle: Vec<Uuid> = if rule.weighted {
        rule.targets
            .iter()
            .flat_map(|(rep, weight)| std::iter::repeat_n(*rep, *weight as usize))
            .collect()
    } else {
        rule.targets.iter().map(|(rep, _)| *rep).collect()
    };
    if cycle.is_empty() {
        return None;
    }
    let start = rule.assigned_count.rem_euclid(cycle.len() as i64) as usize;
    (0..cycle.len())
        .map(|offset| cycle[(start + offset) % cycle.len()])
        .find(|rep| eligible(rep, rule.capacity, reps))
}

/// Routes a lead. `rules` are in order; the first that matches and has an eligible rep wins.
pub fn route(
    lead: &dyn Facts,
    account: Option<AccountMatch>,
    rules: &[RuleSpec],
    reps: &HashMap<Uuid, RepState>,
) -> Route {
    if let Some(account) = account.filter(|a| eligible(&a.owner, None, reps)) {
        return Route {
            owner: Some(account.owner),
            reason: match account.tie {
                AccountTie::NamedAccount => RouteReason::NamedAccountOwner,
                tie => RouteReason::AccountOwner { tie },
            },
            explanation: account.explanation().into(),
        };
    }
    let mut skipped = Vec::new();
    for rule in rules {
        if !rule.criteria.evaluate(lead) {
            continue;
        }
        match pick(rule, reps) {
            Some(owner) => {
                return Route {
                    owner: Some(owner),
                    reason: RouteReason::Rule {
                        rule_id: rule.id,
                        rule: rule.name.clone(),
                        version_id: rule.version_id,
                        version: rule.version,
                    },
                    explanation: format!(
                        "rule `{}` (version {}) matched: {}",
                        rule.name, rule.version, rule.criteria
                    ),
                }
            }
            None => skipped.push(rule.name.clone()),
        }
    }
    let explanation = if skipped.is_empty() {
        "no routing rule matched; the lead waits in the unassigned queue".to_owned()
    } else {
        format!(
            "rules {} matched but every rep was out of office, at capacity or no longer takes leads; the lead waits in the unassigned queue",
            skipped.join(", ")
        )
    };
    Route {
        owner: None,
        reason: RouteReason::Fallback,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::criteria::{Field, StaticFacts};
    use serde_json::json;

    fn rule(
        name: &str,
        criteria: serde_json::Value,
        targets: &[(Uuid, u32)],
        weighted: bool,
        count: i64,
    ) -> RuleSpec {
        RuleSpec {
            id: Uuid::now_v7(),
            version_id: Uuid::now_v7(),
            version: 1,
            name: name.into(),
            criteria: Criteria::parse(&criteria).unwrap(),
            targets: targets.to_vec(),
            weighted,
            capacity: None,
            assigned_count: count,
        }
    }

    /// Members who take leads, available and with nothing open.
    fn seated(reps: &[Uuid]) -> HashMap<Uuid, RepState> {
        reps.iter()
            .map(|rep| {
                (
                    *rep,
                    RepState {
                        takes_leads: true,
                        ..RepState::default()
                    },
                )
            })
            .collect()
    }

    fn named(owner: Uuid) -> Option<AccountMatch> {
        AccountMatch::of(Some(owner), true, false, false, true)
    }

    #[test]
    fn the_account_owner_comes_before_the_rules_when_the_contract_says_so() {
        let owner = Uuid::now_v7();
        let rep = Uuid::now_v7();
        let rules = vec![rule(
            "US",
            json!({"field": "account.country", "op": "EQ", "value": "US"}),
            &[(rep, 1)],
            false,
            0,
        )];
        let reps = seated(&[owner, rep]);
        for (customer, open_deal, tie) in [
            (true, true, AccountTie::Customer),
            (false, true, AccountTie::OpenDeal),
            (false, false, AccountTie::Owned),
        ] {
            let account = AccountMatch::of(Some(owner), false, customer, open_deal, true);
            let routed = route(&us_lead(), account, &rules, &reps);
            assert_eq!(routed.owner, Some(owner));
            assert_eq!(routed.reason, RouteReason::AccountOwner { tie });
            assert!(routed.explanation.contains("lead-to-account"));
        }
        assert_eq!(AccountMatch::of(None, true, true, true, true), None);
        let off = AccountMatch::of(Some(owner), false, true, true, false);
        assert_eq!(off, None, "accountOwnerFirst off: the rules decide");
        assert_eq!(route(&us_lead(), off, &rules, &reps).owner, Some(rep));
        let away = HashMap::from([(owner, RepState::default()), (rep, reps[&rep])]);
        let account = AccountMatch::of(Some(owner), false, true, false, true);
        assert_eq!(route(&us_lead(), account, &rules, &away).owner, Some(rep));
    }

    fn us_lead() -> StaticFacts {
        StaticFacts::new().with(Field::AccountCountry, "US")
    }

    #[test]
    fn the_named_account_owner_wins_first() {
        let owner = Uuid::now_v7();
        let rep = Uuid::now_v7();
        let rules = vec![rule(
            "US",
            json!({"field": "account.country", "op": "EQ", "value": "US"}),
            &[(rep, 1)],
            false,
            0,
        )];
        let routed = route(&us_lead(), named(owner), &rules, &seated(&[owner, rep]));
        assert_eq!(routed.owner, Some(owner));
        assert_eq!(routed.reason, RouteReason::NamedAccountOwner);
    }

    #[test]
    fn the_first_matching_rule_routes_by_territory() {
        let emea = Uuid::now_v7();
        let na = Uuid::now_v7();
        let rules = vec![
            rule(
                "EMEA",
                json!({"field": "account.country", "op": "IN", "value": ["GB", "DE"]}),
                &[(emea, 1)],
                false,
                0,
            ),
            rule(
                "North America",
                json!({"field": "account.country", "op": "IN", "value": ["US", "CA"]}),
                &[(na, 1)],
                false,
                0,
            ),
        ];
        let routed = route(&us_lead(), None, &rules, &seated(&[emea, na]));
        assert_eq!(routed.owner, Some(na));
        assert!(matches!(
            routed.reason,
            RouteReason::Rule { ref rule, version: 1, .. } if rule == "North America"
        ));
        assert!(routed
            .explanation
            .contains("rule `North America` (version 1) matched"));
    }

    #[test]
    fn pools_rotate_and_skip_the_unavailable() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let all = json!({"field": "account.country", "op": "EXISTS"});
        let picks: Vec<Option<Uuid>> = (0..3)
            .map(|n| {
                route(
                    &us_lead(),
                    None,
                    &[rule(
                        "pool",
                        all.clone(),
                        &[(a, 1), (b, 1), (c, 1)],
                        false,
                        n,
                    )],
                    &seated(&[a, b, c]),
                )
                .owner
            })
            .collect();
        assert_eq!(picks, vec![Some(a), Some(b), Some(c)]);
        let mut reps = seated(&[a, b, c]);
        reps.get_mut(&b).unwrap().out_of_office = true;
        let skip = route(
            &us_lead(),
            None,
            &[rule(
                "pool",
                all.clone(),
                &[(a, 1), (b, 1), (c, 1)],
                false,
                1,
            )],
            &reps,
        );
        assert_eq!(skip.owner, Some(c));
        let mut capped = rule("pool", all, &[(a, 1)], false, 0);
        capped.capacity = Some(2);
        reps.get_mut(&a).unwrap().open_leads = 2;
        let full = route(&us_lead(), None, &[capped], &reps);
        assert_eq!(full.owner, None);
        assert_eq!(full.reason, RouteReason::Fallback);
        assert!(full.explanation.contains("capacity"));
    }

    #[test]
    fn weights_shape_the_cycle() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let all = json!({"field": "account.country", "op": "EXISTS"});
        let picks: Vec<Option<Uuid>> = (0..4)
            .map(|n| {
                route(
                    &us_lead(),
                    None,
                    &[rule("w", all.clone(), &[(a, 3), (b, 1)], true, n)],
                    &seated(&[a, b]),
                )
                .owner
            })
            .collect();
        assert_eq!(picks, vec![Some(a), Some(a), Some(a), Some(b)]);
    }

    #[test]
    fn reps_routing_does_not_know_or_who_take_no_leads_get_nothing() {
        let (gone, marketer, rep) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let all = json!({"field": "account.country", "op": "EXISTS"});
        let mut reps = seated(&[rep]);
        reps.insert(marketer, RepState::default());
        let pool = rule(
            "pool",
            all.clone(),
            &[(gone, 1), (marketer, 1), (rep, 1)],
            false,
            0,
        );
        assert_eq!(route(&us_lead(), None, &[pool], &reps).owner, Some(rep));
        let named = route(&us_lead(), named(gone), &[], &reps);
        assert_eq!(
            named.owner, None,
            "a removed named-account owner gets nothing"
        );
        let alone = rule("alone", all, &[(gone, 1)], false, 0);
        let waits = route(&us_lead(), None, &[alone], &reps);
        assert_eq!(waits.owner, None);
        assert_eq!(waits.reason, RouteReason::Fallback);
    }

    #[test]
    fn nothing_matching_goes_to_the_unassigned_queue() {
        let routed = route(&us_lead(), None, &[], &HashMap::new());
        assert_eq!(routed.owner, None);
        assert!(routed.explanation.contains("unassigned queue"));
    }
}
