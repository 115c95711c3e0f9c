//! Accounts in market (marketing-qualified accounts) and the buying committee's coverage, played
//! through ingestion with every figure worked by hand (the rules:
//! `api/src/domain/accounts/`). Seed contract: account threshold 100, per-contact cap 50, decay
//! 7 days -5, 14 days -10, 30 days -20.
//!
//! The ICP "Committee" (LAND): Software +40 (account), business email +10 (contact); personas
//! VP Sales TRIGGERS (+15), CFO INFLUENCES, Procurement BLOCKS. Acme (acme.io, Software, US) is
//! owned by the rep: its fit is 40, so fit adds 40 / 2 = 20. Ann is its VP Sales, Ben its CFO,
//! Cy an engineer; nobody is in procurement. The clock starts Monday 1 March 2027, 09:00 UTC.
//!
//! | when   | event                      | Ann      | Ben      | Cy | account score              |
//! |--------|----------------------------|----------|----------|----|----------------------------|
//! | day 0  | Ann demo_request (+50)     | 50       | -        | -  | 20 + 50 = 70               |
//! | day 1  | Ben webinar_attended (+20) | 50       | 20       | -  | 20 + 50 + 20 = 90: covered |
//! | day 2  | Ben case_study (+15)       | 50       | 35       | -  | 20 + 50 + 35 = 105: HOT    |
//! | day 2  | Cy email_open (+2)         | 50       | 35       | 2  | 107, no second trigger     |
//! | day 12 | Cy email_open (+2)         | 50-5=45  | 35-5=30  | 4  | 20+45+30+4 = 99: out       |
//! | day 12 | Ann pricing (+25)          | 75 -> 50 | 30       | 4  | 20+50+30+4 = 104: HOT again|

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{EntityTrait, QuerySelect};
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{seed_team, SeedTeam},
    icps::{activate_icp, compare, create_icp, rule, upsert_accounts, upsert_contacts},
    TestApp,
};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap()
}

/// The committee ICP's input.
pub fn committee_icp() -> Value {
    json!({"name": "Committee", "motion": "LAND",
           "accountCriteria": [rule("Software", 40, compare("account.industry", "EQ", json!("Software")))],
           "contactCriteria": [rule("Business email", 10, compare("contact.personalEmail", "EQ", json!(false)))],
           "personas": [{"persona": "VP Sales", "role": "TRIGGERS"},
                        {"persona": "CFO", "role": "INFLUENCES"},
                        {"persona": "Procurement", "role": "BLOCKS"}]})
}

/// The team, the committee ICP active, Acme owned by the rep with Ann, Ben and Cy; the clock
/// frozen at day 0.
pub async fn acme(app: &TestApp, name: &str) -> (SeedTeam, Value) {
    let team = seed_team(app, name).await;
    app.state.clock.freeze_at(t0());
    let icp = create_icp(app, &team.owner, committee_icp()).await;
    activate_icp(app, &team.owner, &icp["id"]).await;
    let account = upsert_accounts(
        app,
        &team.owner,
        json!([{"domain": "acme.io", "name": "Acme", "industry": "Software", "country": "US",
                "employees": 400, "ownerId": team.rep.user_id}]),
    )
    .await[0]
        .clone();
    let people = [
        ("ann@acme.io", "Ann", "VP Sales"),
        ("ben@acme.io", "Ben", "CFO"),
        ("cy@acme.io", "Cy", "Engineer"),
    ];
    let contacts: Vec<Value> = people
        .iter()
        .map(|(email, name, title)| json!({"email": email, "name": name, "title": title, "accountDomain": "acme.io"}))
        .collect();
    upsert_contacts(app, &team.owner, json!(contacts)).await;
    (team, account)
}

pub async fn event(app: &TestApp, team: &SeedTeam, email: &str, kind: &str) {
    let key = format!("{email}-{kind}-{}", app.state.clock.now().timestamp());
    let events = json!([{"idempotencyKey": key, "type": kind, "contact": {"email": email}}]);
    let reply = app
        .gql(Some(&team.token), INGEST, json!({"e": events}))
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED",
        "{}",
        reply.raw
    );
}

pub async fn lead_id(app: &TestApp, team: &SeedTeam, email: &str) -> Value {
    let reply = app
        .gql(
            Some(&team.owner.access),
            "query($q: String) { leads(filter: {search: $q}) { edges { node { id } } } }",
            json!({"q": email}),
        )
        .await;
    reply.data("leads")["edges"][0]["node"]["id"].clone()
}

const IN_MARKET: &str = "query($f: AccountsInMarketFilter) { accountsInMarket(first: 10, filter: $f) { totalCount edges { node { score inMarketSince scoredAt account { domain } reason { threshold fit fitPoints engagementPoints contacts { leadId name personas engagement points } personas missingPersonas events { eventType count } } } } } }";

async fn in_market(app: &TestApp, team: &SeedTeam, filter: Value) -> Value {
    app.gql(Some(&team.rep.access), IN_MARKET, json!({"f": filter}))
        .await
        .data("accountsInMarket")
        .clone()
}

/// The rep's account triggers, oldest first: (kind, message, lead id).
async fn account_triggers(app: &TestApp, team: &SeedTeam) -> Vec<(String, String, Value)> {
    let reply = app
        .gql(
            Some(&team.rep.access),
            "{ triggers(kinds: [HOT_ACCOUNT, COMMITTEE_COVERED]) { kind message lead { id } } }",
            json!({}),
        )
        .await;
    reply
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_owned(),
                t["message"].as_str().unwrap().to_owned(),
                t["lead"]["id"].clone(),
            )
        })
        .collect()
}

fn stamp(at: DateTime<Utc>) -> Value {
    json!(at.to_rfc3339())
}

#[actix_web::test]
async fn an_account_crosses_once_leaves_by_decay_and_crosses_again() {
    let app = TestApp::start().await;
    let (team, _) = acme(&app, "In market").await;
    let clock = &app.state.clock;
    let (ann, ben) = (
        lead_id(&app, &team, "ann@acme.io").await,
        lead_id(&app, &team, "ben@acme.io").await,
    );

    event(&app, &team, "ann@acme.io", "demo_request").await;
    clock.freeze_at(t0() + Duration::days(1));
    event(&app, &team, "ben@acme.io", "webinar_attended").await;
    // 90: below the threshold, but the committee is covered (VP Sales and CFO engaged).
    assert_eq!(in_market(&app, &team, json!(null)).await["totalCount"], 0);
    let triggers = account_triggers(&app, &team).await;
    assert_eq!(triggers.len(), 1, "{triggers:?}");
    assert_eq!(
        triggers[0],
        (
            "COMMITTEE_COVERED".to_owned(),
            "Acme (acme.io): buying committee covered (VP Sales, CFO engaged); missing: Procurement (BLOCKS)".to_owned(),
            ann.clone()
        )
    );

    let day2 = t0() + Duration::days(2);
    clock.freeze_at(day2);
    event(&app, &team, "ben@acme.io", "case_study_download").await;
    clock.freeze_at(day2 + Duration::hours(1));
    event(&app, &team, "cy@acme.io", "email_open").await;

    let listed = in_market(&app, &team, json!(null)).await;
    assert_eq!(listed["totalCount"], 1, "{listed}");
    let node = &listed["edges"][0]["node"];
    // Scored again by Cy's open: 105 + 2; in market since Ben's case study.
    assert_eq!(node["score"], 107);
    assert_eq!(node["inMarketSince"], stamp(day2));
    assert_eq!(node["scoredAt"], stamp(day2 + Duration::hours(1)));
    assert_eq!(node["account"]["domain"], "acme.io");
    assert_eq!(
        node["reason"],
        json!({"threshold": 100, "fit": 40, "fitPoints": 20, "engagementPoints": 85,
               "contacts": [
                   {"leadId": ann, "name": "Ann", "personas": ["VP Sales"], "engagement": 50, "points": 50},
                   {"leadId": ben, "name": "Ben", "personas": ["CFO"], "engagement": 35, "points": 35}],
               "personas": ["VP Sales", "CFO"], "missingPersonas": ["Procurement"],
               "events": [{"eventType": "case_study_download", "count": 1}]})
    );
    let triggers = account_triggers(&app, &team).await;
    assert_eq!(triggers.len(), 2, "once per crossing: {triggers:?}");
    assert_eq!(
        triggers[1],
        (
            "HOT_ACCOUNT".to_owned(),
            "Acme (acme.io) is in market: account score 105 reached 100; committee personas missing: Procurement (BLOCKS)".to_owned(),
            ann.clone()
        )
    );
    // The owner filter: the rep's accounts, nobody else's.
    let mine = in_market(&app, &team, json!({"ownerId": team.rep.user_id})).await;
    assert_eq!(mine["totalCount"], 1);
    let theirs = in_market(&app, &team, json!({"ownerId": team.cro.user_id})).await;
    assert_eq!(theirs["totalCount"], 0);
    let later = in_market(
        &app,
        &team,
        json!({"since": stamp(day2 + Duration::seconds(1))}),
    )
    .await;
    assert_eq!(later["totalCount"], 0);

    // Ten days on, decay takes Ann and Ben down 5 each: 20 + 45 + 30 + 4 = 99, out of market.
    let day12 = t0() + Duration::days(12);
    clock.freeze_at(day12);
    event(&app, &team, "cy@acme.io", "email_open").await;
    assert_eq!(in_market(&app, &team, json!(null)).await["totalCount"], 0);
    // Out of market, the stored reason goes with it (only a crossing writes one).
    let stored: Vec<Option<Value>> = entity::account_signal::Entity::find()
        .select_only()
        .column(entity::account_signal::Column::Reason)
        .into_tuple()
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(stored, [None]);
    // Ann's pricing visit: 75, capped at 50: 20 + 50 + 30 + 4 = 104, a second crossing.
    clock.freeze_at(day12 + Duration::hours(1));
    event(&app, &team, "ann@acme.io", "pricing_page_visit").await;
    let listed = in_market(&app, &team, json!(null)).await;
    let node = &listed["edges"][0]["node"];
    assert_eq!(node["score"], 104, "{listed}");
    assert_eq!(node["inMarketSince"], stamp(day12 + Duration::hours(1)));
    assert_eq!(
        node["reason"]["events"],
        json!([{"eventType": "pricing_page_visit", "count": 1}])
    );
    assert_eq!(
        node["reason"]["contacts"][2],
        json!({"leadId": lead_id(&app, &team, "cy@acme.io").await, "name": "Cy", "personas": [],
               "engagement": 4, "points": 4})
    );
    let triggers = account_triggers(&app, &team).await;
    let kinds: Vec<&str> = triggers.iter().map(|t| t.0.as_str()).collect();
    // The committee stayed covered (Ann 12 days, Ben 10 days ago): no second COMMITTEE_COVERED.
    assert_eq!(kinds, ["COMMITTEE_COVERED", "HOT_ACCOUNT", "HOT_ACCOUNT"]);
    assert!(triggers[2].1.contains("account score 104 reached 100"));
}

#[actix_web::test]
async fn the_account_threshold_is_a_validated_contract_term() {
    let app = TestApp::start().await;
    let (team, _) = acme(&app, "Account terms").await;
    let contract = app
        .gql(
            Some(&team.owner.access),
            "query { leadContracts(status: ACTIVE) { edges { node { id terms } } } }",
            json!({}),
        )
        .await
        .data("leadContracts")["edges"][0]["node"]
        .clone();
    assert_eq!(
        contract["terms"]["accounts"],
        json!({"threshold": 100, "contactCap": 50})
    );
    let mut terms = contract["terms"].clone();
    terms["accounts"]["threshold"] = json!(0);
    let refused = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
            json!({"id": contract["id"], "t": terms}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT", "{}", refused.raw);
    assert_eq!(refused.field(), Some("terms.accounts.threshold"));

    // A contract whose threshold is 70 makes Acme a hot account on Ann's demo request alone:
    // 20 + 50 = 70.
    terms["accounts"]["threshold"] = json!(70);
    let draft = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
            json!({"id": contract["id"], "t": terms}),
        )
        .await
        .data("updateLeadContract")["id"]
        .clone();
    let cmo = app.member(&team.owner, "MARKETING_LEADER").await;
    for signer in [&cmo, &team.cro] {
        app.gql(
            Some(&signer.access),
            crate::support::documents::SIGN_CONTRACT,
            json!({"id": draft}),
        )
        .await
        .data("signLeadContract");
    }
    event(&app, &team, "ann@acme.io", "demo_request").await;
    let listed = in_market(&app, &team, json!(null)).await;
    assert_eq!(listed["edges"][0]["node"]["score"], 70, "{listed}");
    assert_eq!(listed["edges"][0]["node"]["reason"]["threshold"], 70);
}
