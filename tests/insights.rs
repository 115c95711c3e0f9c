//! `icpInsights`: the closed-won analysis, checked against figures derived by hand from a small
//! fixture of closed deals.

use serde_json::{json, Value};

use crate::support::icps::{activate_icp, compare, create_icp, fit, rule, upsert_accounts};
use crate::support::{Session, TestApp};

/// How a fixture deal ends: lost, won (the account stays a CUSTOMER) or won and later churned.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Won,
    Churned,
    Lost,
}

/// Firmographics shared by the fixture's accounts of one industry.
struct Profile {
    industry: &'static str,
    employees: i64,
    annual_revenue: f64,
    region: &'static str,
}

// Each industry sits in one size band, revenue band and region, except that Retail shares
// Software's size band (200-999) and Fintech's revenue band ($1M-$10M), so those two
// dimensions mix industries.
const SOFTWARE: Profile = Profile {
    industry: "Software",
    employees: 500,
    annual_revenue: 20_000_000.0,
    region: "North America",
};
const FINTECH: Profile = Profile {
    industry: "Fintech",
    employees: 100,
    annual_revenue: 5_000_000.0,
    region: "EMEA",
};
const RETAIL: Profile = Profile {
    industry: "Retail",
    employees: 300,
    annual_revenue: 2_000_000.0,
    region: "LATAM",
};

/// One account of the fixture with the one deal it closed.
struct Company {
    domain: &'static str,
    profile: &'static Profile,
    amount: f64,
    outcome: Outcome,
}

const fn company(
    domain: &'static str,
    profile: &'static Profile,
    amount: f64,
    outcome: Outcome,
) -> Company {
    Company {
        domain,
        profile,
        amount,
        outcome,
    }
}

/// The fixture. Against the ICP of [`icp_input`] (Software +30, 200-4,999 employees +20):
/// Software accounts score 30 + 20 = 50 (in the ICP), Retail ones 20 (size only) and Fintech
/// ones 0, so 5 of the 12 deals are in the ICP.
const COMPANIES: [Company; 12] = [
    company("soft1.com", &SOFTWARE, 10_000.0, Outcome::Won),
    company("soft2.com", &SOFTWARE, 20_000.0, Outcome::Churned),
    company("soft3.com", &SOFTWARE, 30_000.0, Outcome::Churned),
    company("soft4.com", &SOFTWARE, 15_000.0, Outcome::Lost),
    company("soft5.com", &SOFTWARE, 25_000.0, Outcome::Lost),
    company("fin1.com", &FINTECH, 40_000.0, Outcome::Won),
    company("fin2.com", &FINTECH, 50_000.0, Outcome::Won),
    company("fin3.com", &FINTECH, 60_000.0, Outcome::Churned),
    company("shop1.com", &RETAIL, 5_000.0, Outcome::Won),
    company("shop2.com", &RETAIL, 6_000.0, Outcome::Lost),
    company("shop3.com", &RETAIL, 7_000.0, Outcome::Lost),
    company("shop4.com", &RETAIL, 8_000.0, Outcome::Lost),
];

fn icp_input() -> Value {
    json!({
        "name": "Mid-size software",
        "motion": "LAND",
        "accountCriteria": [
            rule("Software", 30, compare("account.industry", "IN", json!(["Software"]))),
            rule("200 to 4,999 employees", 20,
                compare("account.employees", "BETWEEN", json!([200, 4999]))),
        ],
    })
}

const INSIGHTS: &str = "
    query($months: Int! = 24, $minDeals: Int! = 3) {
      icpInsights(months: $months, minDeals: $minDeals) {
        months
        overall { ...Stats }
        segments { ...Stats }
        drift { kind dimension segment winRate overallWinRate retainedShare message }
        proposals { dimension description criteria }
      }
    }
    fragment Stats on SegmentInsight {
      dimension segment deals won lost winRate medianDealSize medianCycleDays retainedShare
      inIcpShare
    }";

async fn insights(app: &TestApp, token: &str, variables: Value) -> Value {
    app.gql(Some(token), INSIGHTS, variables)
        .await
        .data("icpInsights")
        .clone()
}

async fn create_opportunity(
    app: &TestApp,
    session: &Session,
    account_id: &Value,
    amount: f64,
) -> Value {
    let reply = app
        .gql(
            Some(&session.access),
            "mutation($input: OpportunityInput!) { createOpportunity(input: $input) { id } }",
            json!({"input": {"name": "New business", "accountId": account_id, "amount": amount}}),
        )
        .await;
    reply.data("createOpportunity")["id"].clone()
}

const CLOSE: &str = "mutation($id: ID!, $won: Boolean!, $reason: String) { closeOpportunity(id: $id, won: $won, reason: $reason) { stage lostReason closedAt } }";

/// Activates the ICP, creates the accounts (scored against it as they are written), closes one
/// deal per account and marks the churned customers; returns the account ids in fixture order.
async fn closed_deals(app: &TestApp, owner: &Session) -> Vec<Value> {
    let icp = create_icp(app, owner, icp_input()).await;
    activate_icp(app, owner, &icp["id"]).await;
    let accounts: Vec<Value> = COMPANIES
        .iter()
        .map(|c| {
            let p = c.profile;
            json!({"domain": c.domain, "name": c.domain, "industry": p.industry,
                   "employees": p.employees, "annualRevenue": p.annual_revenue,
                   "region": p.region})
        })
        .collect();
    let ids = upsert_accounts(app, owner, Value::Array(accounts)).await;
    for (company, id) in COMPANIES.iter().zip(&ids) {
        let opportunity = create_opportunity(app, owner, id, company.amount).await;
        let won = company.outcome != Outcome::Lost;
        let reason = (!won).then_some("Chose a competitor");
        let closed = app
            .gql(
                Some(&owner.access),
                CLOSE,
                json!({"id": opportunity, "won": won, "reason": reason}),
            )
            .await;
        let closed = closed.data("closeOpportunity");
        assert_eq!(
            closed["stage"],
            if won { "CLOSED_WON" } else { "CLOSED_LOST" }
        );
        assert!(closed["closedAt"].is_string());
    }
    // A win made each account a CUSTOMER; some have left since.
    let churned: Vec<Value> = COMPANIES
        .iter()
        .filter(|c| c.outcome == Outcome::Churned)
        .map(|c| json!({"domain": c.domain, "lifecycle": "CHURNED"}))
        .collect();
    upsert_accounts(app, owner, Value::Array(churned)).await;
    ids
}

fn assert_close(found: &Value, expected: f64, what: &str) {
    let value = found
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected {expected}, found {found}"));
    assert!(
        (value - expected).abs() < 1e-9,
        "{what}: expected {expected}, found {value}"
    );
}

/// The figures of one segment, as derived by hand.
struct Figures {
    deals: i64,
    won: i64,
    lost: i64,
    win_rate: f64,
    median_deal_size: f64,
    retained_share: f64,
    in_icp_share: f64,
}

fn assert_figures(found: &Value, expected: Figures) {
    let what = format!("{} {}", found["dimension"], found["segment"]);
    assert_eq!(
        (&found["deals"], &found["won"], &found["lost"]),
        (
            &json!(expected.deals),
            &json!(expected.won),
            &json!(expected.lost)
        ),
        "{what}"
    );
    assert_close(
        &found["winRate"],
        expected.win_rate,
        &format!("{what} winRate"),
    );
    assert_close(
        &found["medianDealSize"],
        expected.median_deal_size,
        &format!("{what} medianDealSize"),
    );
    assert_close(
        &found["retainedShare"],
        expected.retained_share,
        &format!("{what} retainedShare"),
    );
    assert_close(
        &found["inIcpShare"],
        expected.in_icp_share,
        &format!("{what} inIcpShare"),
    );
    // Every deal was created and closed within this test.
    let cycle = found["medianCycleDays"].as_f64().expect("medianCycleDays");
    assert!(
        (0.0..1.0).contains(&cycle),
        "{what} medianCycleDays {cycle}"
    );
}

fn segment<'a>(insights: &'a Value, dimension: &str, name: &str) -> &'a Value {
    insights["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["dimension"] == dimension && s["segment"] == name)
        .unwrap_or_else(|| panic!("no {dimension} segment {name} in {insights}"))
}

/// `(kind, dimension, segment)` of each drift finding, in order.
fn drift(insights: &Value) -> Vec<(String, String, String)> {
    insights["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap().to_owned();
            (text("kind"), text("dimension"), text("segment"))
        })
        .collect()
}

fn finding(kind: &str, dimension: &str, segment: &str) -> (String, String, String) {
    (kind.into(), dimension.into(), segment.into())
}

#[actix_web::test]
async fn icp_insights_match_hand_computed_figures() {
    let app = TestApp::start().await;
    let owner = app.owner("Closed won").await;
    let accounts = closed_deals(&app, &owner).await;

    // The fixture is what it claims: Software accounts are in the ICP (30 + 20 = 50), Retail
    // ones are not (20), and wins made CUSTOMERs.
    assert_eq!(fit(&app, &owner, "account", &accounts[0]).await.0, 50);
    assert_eq!(fit(&app, &owner, "account", &accounts[8]).await.0, 20);
    assert_eq!(fit(&app, &owner, "account", &accounts[5]).await.0, 0);
    let lifecycles = app
        .gql(
            Some(&owner.access),
            "query($won: ID!, $churned: ID!, $lost: ID!) { won: account(id: $won) { lifecycle } churned: account(id: $churned) { lifecycle } lost: account(id: $lost) { lifecycle } }",
            json!({"won": accounts[0], "churned": accounts[1], "lost": accounts[3]}),
        )
        .await;
    assert_eq!(
        lifecycles.body["data"],
        json!({"won": {"lifecycle": "CUSTOMER"}, "churned": {"lifecycle": "CHURNED"},
               "lost": {"lifecycle": "TARGET"}}),
        "{}",
        lifecycles.raw
    );

    // An open deal is not a closed one, and a lost deal needs a reason.
    let open = create_opportunity(&app, &owner, &accounts[0], 999_999.0).await;
    let no_reason = app
        .gql(
            Some(&owner.access),
            CLOSE,
            json!({"id": open, "won": false}),
        )
        .await;
    assert_eq!(no_reason.code(), "BAD_USER_INPUT");
    assert_eq!(no_reason.field(), Some("reason"));

    let found = insights(&app, &owner.access, json!({})).await;
    assert_eq!(found["months"], 24);
    // 12 closed deals, 7 won (3 Software, 3 Fintech, 1 Retail), 5 lost: 7/12.
    // Won amounts 5k 10k 20k 30k 40k 50k 60k: the median is the 4th, 30k.
    // Won accounts still CUSTOMER: soft1, fin1, fin2, shop1 = 4; CHURNED: soft2, soft3,
    // fin3 = 3: 4/7 retained. In the ICP: the 5 Software deals of 12.
    assert_eq!(found["overall"]["dimension"], "OVERALL");
    assert_eq!(found["overall"]["segment"], "All");
    assert_figures(
        &found["overall"],
        Figures {
            deals: 12,
            won: 7,
            lost: 5,
            win_rate: 7.0 / 12.0,
            median_deal_size: 30_000.0,
            retained_share: 4.0 / 7.0,
            in_icp_share: 5.0 / 12.0,
        },
    );

    // Industry segments, most deals first.
    let industries: Vec<&Value> = found["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["dimension"] == "INDUSTRY")
        .map(|s| &s["segment"])
        .collect();
    assert_eq!(
        industries,
        [&json!("Software"), &json!("Retail"), &json!("Fintech")]
    );
    // Software: won 10k 20k 30k, lost 2: 3/5, median 20k; soft1 stayed, soft2 and soft3
    // churned: 1/3; every deal in the ICP.
    assert_figures(
        segment(&found, "INDUSTRY", "Software"),
        Figures {
            deals: 5,
            won: 3,
            lost: 2,
            win_rate: 0.6,
            median_deal_size: 20_000.0,
            retained_share: 1.0 / 3.0,
            in_icp_share: 1.0,
        },
    );
    // Retail: won 5k, lost 3: 1/4, median 5k; shop1 stayed: 1/1; none in the ICP.
    assert_figures(
        segment(&found, "INDUSTRY", "Retail"),
        Figures {
            deals: 4,
            won: 1,
            lost: 3,
            win_rate: 0.25,
            median_deal_size: 5_000.0,
            retained_share: 1.0,
            in_icp_share: 0.0,
        },
    );
    // Fintech: won 40k 50k 60k, lost none: 3/3, median 50k; fin3 churned: 2/3; none in the ICP.
    assert_figures(
        segment(&found, "INDUSTRY", "Fintech"),
        Figures {
            deals: 3,
            won: 3,
            lost: 0,
            win_rate: 1.0,
            median_deal_size: 50_000.0,
            retained_share: 2.0 / 3.0,
            in_icp_share: 0.0,
        },
    );
    // Size band 200-999 mixes Software (500) and Retail (300): 9 deals, won 4 (soft1-3,
    // shop1), median of 5k 10k 20k 30k = 15k; retained soft1 and shop1 of 4 = 1/2;
    // in the ICP 5/9.
    assert_figures(
        segment(&found, "EMPLOYEE_BAND", "200-999"),
        Figures {
            deals: 9,
            won: 4,
            lost: 5,
            win_rate: 4.0 / 9.0,
            median_deal_size: 15_000.0,
            retained_share: 0.5,
            in_icp_share: 5.0 / 9.0,
        },
    );
    // Revenue band $1M-$10M mixes Fintech ($5M) and Retail ($2M): 7 deals, won 4 (fin1-3,
    // shop1), median of 5k 40k 50k 60k = 45k; retained fin1, fin2, shop1 of 4 = 3/4.
    assert_figures(
        segment(&found, "REVENUE_BAND", "$1M-$10M"),
        Figures {
            deals: 7,
            won: 4,
            lost: 3,
            win_rate: 4.0 / 7.0,
            median_deal_size: 45_000.0,
            retained_share: 0.75,
            in_icp_share: 0.0,
        },
    );

    // Drift, with the overall win rate 7/12 ~ 0.583 (half of it ~ 0.292) and every segment at
    // least minDeals = 3 deals:
    // - Software (and its revenue band $10M-$50M and region North America, the same 5 deals)
    //   is in the ICP but kept 1/3 < 60% of its customers: churning inside the ICP.
    // - Fintech (and its size band 50-199 and region EMEA) is outside the ICP and wins 3/3
    //   >= 7/12: winning outside the ICP.
    // - Size band 200-999 is in the ICP (5/9 >= 1/2) and kept 1/2 < 60%: churning.
    // - Retail and LATAM (1/4) and $1M-$10M (4/7 < 7/12) are outside and below average:
    //   nothing to say.
    assert_eq!(
        drift(&found),
        [
            finding("CHURNING_INSIDE_ICP", "INDUSTRY", "Software"),
            finding("WINNING_OUTSIDE_ICP", "INDUSTRY", "Fintech"),
            finding("CHURNING_INSIDE_ICP", "EMPLOYEE_BAND", "200-999"),
            finding("WINNING_OUTSIDE_ICP", "EMPLOYEE_BAND", "50-199"),
            finding("CHURNING_INSIDE_ICP", "REVENUE_BAND", "$10M-$50M"),
            finding("CHURNING_INSIDE_ICP", "REGION", "North America"),
            finding("WINNING_OUTSIDE_ICP", "REGION", "EMEA"),
        ]
    );
    let fintech = &found["drift"][1];
    assert_close(&fintech["winRate"], 1.0, "Fintech drift winRate");
    assert_close(&fintech["overallWinRate"], 7.0 / 12.0, "overallWinRate");
    assert!(
        fintech["message"].as_str().unwrap().contains("Fintech"),
        "{fintech}"
    );

    // One proposal per dimension with a segment winning outside the ICP.
    let proposals: Vec<(&Value, &Value)> = found["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (&p["dimension"], &p["criteria"]))
        .collect();
    assert_eq!(
        proposals,
        [
            (
                &json!("INDUSTRY"),
                &json!({"field": "account.industry", "op": "IN", "value": ["Fintech"]})
            ),
            (
                &json!("EMPLOYEE_BAND"),
                &json!({"field": "account.employees", "op": "BETWEEN", "value": [50, 199]})
            ),
            (
                &json!("REGION"),
                &json!({"field": "account.region", "op": "IN", "value": ["EMEA"]})
            ),
        ]
    );
    // A proposal is criteria the ICP accepts as they are.
    let proposed = json!({"name": "With fintech", "motion": "LAND", "accountCriteria":
        [rule("Fintech", 15, found["proposals"][0]["criteria"].clone())]});
    create_icp(&app, &owner, proposed).await;
}

#[actix_web::test]
async fn min_deals_and_months_choose_what_is_judged() {
    let app = TestApp::start().await;
    let owner = app.owner("Closed won").await;
    closed_deals(&app, &owner).await;

    // Only segments of at least 6 deals are judged: size band 200-999 (9 deals, churning
    // inside the ICP as above) and revenue band $1M-$10M (7 deals, outside the ICP and 4/7 is
    // below 7/12). Nothing wins outside the ICP, so nothing is proposed.
    let strict = insights(&app, &owner.access, json!({"minDeals": 6})).await;
    assert_eq!(
        drift(&strict),
        [finding("CHURNING_INSIDE_ICP", "EMPLOYEE_BAND", "200-999")]
    );
    assert_eq!(strict["proposals"], json!([]));
    assert_eq!(
        strict["segments"].as_array().unwrap().len(),
        // 3 industries + 2 size bands + 2 revenue bands + 3 regions: all still reported.
        10
    );

    // Every deal closed today, so one month holds them all.
    let recent = insights(&app, &owner.access, json!({"months": 1})).await;
    assert_eq!(recent["months"], 1);
    assert_eq!(recent["overall"]["deals"], 12);
}

#[actix_web::test]
async fn insights_are_read_by_viewers_and_metrics_tokens_and_validate_their_arguments() {
    let app = TestApp::start().await;
    let owner = app.owner("Closed won").await;

    let viewer = app.member(&owner, "VIEWER").await;
    let empty = insights(&app, &viewer.access, json!({})).await;
    assert_eq!(empty["overall"]["deals"], 0);
    assert_eq!(empty["overall"]["medianDealSize"], Value::Null);
    assert_eq!(empty["segments"], json!([]));
    assert_eq!(empty["drift"], json!([]));

    let (metrics, _) = app.api_token(&owner, &["metrics:read"]).await;
    assert_eq!(
        insights(&app, &metrics, json!({})).await["overall"]["deals"],
        0
    );
    let (accounts_only, _) = app.api_token(&owner, &["accounts:read"]).await;
    let refused = app.gql(Some(&accounts_only), INSIGHTS, json!({})).await;
    assert_eq!(refused.code(), "FORBIDDEN");

    for (variables, field) in [
        (json!({"months": 0}), "months"),
        (json!({"months": 121}), "months"),
        (json!({"minDeals": 0}), "minDeals"),
    ] {
        let reply = app
            .gql(Some(&owner.access), INSIGHTS, variables.clone())
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{variables}");
        assert_eq!(reply.field(), Some(field), "{variables}");
    }
    // The bounds themselves are accepted.
    for months in [1, 120] {
        let reply = insights(&app, &owner.access, json!({ "months": months })).await;
        assert_eq!(reply["months"], months);
    }
}
