//! `marketCoverage` on a small market, every count derived by hand (the rules:
//! `api/src/domain/metrics/coverage.rs`).
//!
//! The working-leads team (the contract's minimum fit is 0, so ICP-fit means a fit above 0)
//! activates an ICP worth 30 for a Software account and -50 for an intern. Clock frozen at
//! 2027-03-01 15:00 UTC.
//! - a1.io: Software, US, SMB, owned by the rep. Ann (demo request now: MQL; accepted: SAL;
//!   qualified: SQL), Bob (no event), Ivy the intern (fit 30 - 50: 0, not a suspect).
//! - a2.io: Software, GB, SMB, an open 1,000 deal. Cat: one pricing page visit 100 days ago
//!   (an inquiry, but the account is not engaged in the last 90 days).
//! - a3.io: Software, BR, MID_MARKET, a CUSTOMER. No contacts.
//! - a4.io: Retail, US, SMB: fit 0. Dan: a demo request now (an MQL outside the market).
//! - a5.io: Software, no country, no segment. Eve: a demo request now (MQL).

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::documents::INGEST;
use crate::support::fixtures::{team, Team};
use crate::support::icps::{
    activate_icp, compare, create_icp, fit, rule, upsert_accounts, upsert_contacts,
};
use crate::support::TestApp;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 15, 0, 0).unwrap()
}

const COUNTS: &str = "accounts icpFit engaged owned inPipeline customers";

fn coverage_query(arguments: &str) -> String {
    format!(
        "{{ marketCoverage{arguments} {{ groupBy minFit engagedSince total {{ {COUNTS} }} groups {{ key name counts {{ {COUNTS} }} }} waterfall {{ addressableMarket suspects inquiries mqls sals sqls customers }} }} }}"
    )
}

async fn event(app: &TestApp, team: &Team, email: &str, kind: &str, at: DateTime<Utc>) {
    let events = json!([{"idempotencyKey": format!("{email}-{kind}"), "type": kind,
        "occurredAt": at.to_rfc3339(), "contact": {"email": email, "name": email}}]);
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

async fn lead_id(app: &TestApp, team: &Team, email: &str) -> Value {
    let reply = app
        .gql(
            Some(&team.owner.access),
            "query($q: String) { leads(filter: {search: $q}) { edges { node { id } } } }",
            json!({"q": email}),
        )
        .await;
    reply.data("leads")["edges"][0]["node"]["id"].clone()
}

async fn the_market(app: &TestApp) -> Team {
    let team = team(app).await;
    app.state.clock.freeze_at(now());
    let icp = create_icp(
        app,
        &team.owner,
        json!({
            "name": "Software",
            "motion": "LAND",
            "accountCriteria": [rule("Software", 30, compare("account.industry", "IN", json!(["Software"])))],
            "contactCriteria": [rule("Intern", -50, compare("contact.title", "MATCHES", json!(["intern"])))],
        }),
    )
    .await;
    activate_icp(app, &team.owner, &icp["id"]).await;
    let accounts = upsert_accounts(
        app,
        &team.owner,
        json!([
            {"domain": "a1.io", "industry": "Software", "country": "US", "segment": "SMB", "ownerId": team.rep.user_id},
            {"domain": "a2.io", "industry": "Software", "country": "gb", "segment": "SMB"},
            {"domain": "a3.io", "industry": "Software", "country": "BR", "segment": "MID_MARKET", "lifecycle": "CUSTOMER"},
            {"domain": "a4.io", "industry": "Retail", "country": "US", "segment": "SMB"},
            {"domain": "a5.io", "industry": "Software"},
        ]),
    )
    .await;
    for (id, expected) in accounts.iter().zip([30, 30, 30, 0, 30]) {
        assert_eq!(fit(app, &team.owner, "account", id).await.0, expected);
    }
    let contacts = upsert_contacts(
        app,
        &team.owner,
        json!([
            {"email": "bob@a1.io", "name": "Bob", "accountDomain": "a1.io"},
            {"email": "ivy@a1.io", "name": "Ivy", "title": "Intern", "accountDomain": "a1.io"},
        ]),
    )
    .await;
    assert_eq!(fit(app, &team.owner, "lead", &contacts[0]).await.0, 30);
    assert_eq!(fit(app, &team.owner, "lead", &contacts[1]).await.0, 0);
    event(app, &team, "ann@a1.io", "demo_request", now()).await;
    event(
        app,
        &team,
        "cat@a2.io",
        "pricing_page_visit",
        now() - Duration::days(100),
    )
    .await;
    event(app, &team, "dan@a4.io", "demo_request", now()).await;
    event(app, &team, "eve@a5.io", "demo_request", now()).await;
    let ann = lead_id(app, &team, "ann@a1.io").await;
    assert_eq!(fit(app, &team.owner, "lead", &ann).await.0, 30);
    for (mutation, field) in [
        ("mutation($id: ID!) { acceptLead(id: $id) { stage } }", "acceptLead"),
        (
            "mutation($id: ID!) { qualifyLead(id: $id, bant: {budget: \"yes\", authority: \"VP\", need: \"pipeline\", timing: \"Q2\"}) { stage } }",
            "qualifyLead",
        ),
    ] {
        app.gql(Some(&team.rep.access), mutation, json!({"id": ann}))
            .await
            .data(field);
    }
    app.gql(
        Some(&team.owner.access),
        "mutation($a: ID!) { createOpportunity(input: {name: \"A2\", accountId: $a, amount: 1000}) { id } }",
        json!({"a": accounts[1]}),
    )
    .await
    .data("createOpportunity");
    team
}

/// Asserts counts: accounts, ICP-fit, engaged, owned, in pipeline, customers.
fn counts(actual: &Value, expected: [u64; 6]) {
    let fields = [
        "accounts",
        "icpFit",
        "engaged",
        "owned",
        "inPipeline",
        "customers",
    ];
    let got: Vec<u64> = fields
        .iter()
        .map(|f| {
            actual[f]
                .as_u64()
                .unwrap_or_else(|| panic!("{f}: {actual}"))
        })
        .collect();
    assert_eq!(got, expected, "{actual}");
}

fn groups(report: &Value) -> Vec<(Value, Value)> {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].clone(), g["counts"].clone()))
        .collect()
}

#[actix_web::test]
async fn coverage_by_segment_region_and_industry_and_the_waterfall() {
    let app = TestApp::start().await;
    let team = the_market(&app).await;
    let cmo = Some(team.cmo.access.as_str());

    // By segment (the default). ICP-fit: a1, a2, a3, a5 (a4 is Retail). Engaged: a1 (Ann)
    // and a5 (Eve); a2's only event is 100 days old. Owned: a1. In pipeline: a2. Customer: a3.
    let reply = app.gql(cmo, &coverage_query(""), json!({})).await;
    let report = reply.data("marketCoverage");
    assert_eq!(report["groupBy"], "SEGMENT");
    assert_eq!(report["minFit"], 0);
    let since: DateTime<Utc> = report["engagedSince"].as_str().unwrap().parse().unwrap();
    assert_eq!(since, now() - Duration::days(90));
    counts(&report["total"], [5, 4, 2, 1, 1, 1]);
    let by_segment = groups(report);
    assert_eq!(
        by_segment
            .iter()
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>(),
        [Value::Null, json!("MID_MARKET"), json!("SMB")]
    );
    assert_eq!(report["groups"][0]["name"], "Unattributed");
    // No segment: a5. MID_MARKET: a3. SMB: a1, a2, a4 (a4 not fit).
    counts(&by_segment[0].1, [1, 1, 1, 0, 0, 0]);
    counts(&by_segment[1].1, [1, 1, 0, 0, 0, 1]);
    counts(&by_segment[2].1, [3, 2, 1, 1, 1, 0]);
    // Seed 003's waterfall: 4 ICP-fit accounts; suspects Ann, Bob (a1), Cat (a2), Eve (a5)
    // (Ivy's fit is 0, Dan's account is not fit); inquiries Ann, Cat, Eve; MQLs Ann, Eve; SAL
    // and SQL Ann; 1 customer account (a3).
    assert_eq!(
        report["waterfall"],
        json!({"addressableMarket": 4, "suspects": 4, "inquiries": 3, "mqls": 2, "sals": 1, "sqls": 1, "customers": 1})
    );

    // By region, from the country: US -> NORTH_AMERICA (a1, a4), gb -> EMEA (a2), BR -> LATAM
    // (a3); a5 has none.
    let reply = app
        .gql(cmo, &coverage_query("(groupBy: REGION)"), json!({}))
        .await;
    let report = reply.data("marketCoverage");
    let by_region = groups(report);
    assert_eq!(
        by_region.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        [
            Value::Null,
            json!("EMEA"),
            json!("LATAM"),
            json!("NORTH_AMERICA")
        ]
    );
    counts(&by_region[0].1, [1, 1, 1, 0, 0, 0]);
    counts(&by_region[1].1, [1, 1, 0, 0, 1, 0]);
    counts(&by_region[2].1, [1, 1, 0, 0, 0, 1]);
    counts(&by_region[3].1, [2, 1, 1, 1, 0, 0]);
    counts(&report["total"], [5, 4, 2, 1, 1, 1]);

    // By industry: Retail (a4, not fit), Software (the other four).
    let reply = app
        .gql(cmo, &coverage_query("(groupBy: INDUSTRY)"), json!({}))
        .await;
    let by_industry = groups(reply.data("marketCoverage"));
    assert_eq!(by_industry[0].0, "Retail");
    counts(&by_industry[0].1, [1, 0, 0, 0, 0, 0]);
    assert_eq!(by_industry[1].0, "Software");
    counts(&by_industry[1].1, [4, 4, 2, 1, 1, 1]);

    // A token without `metrics:read` may not ask; one with it may.
    let refused = app
        .gql(Some(&team.token), &coverage_query(""), json!({}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let (reader, _) = app.api_token(&team.owner, &["metrics:read"]).await;
    let read = app.gql(Some(&reader), &coverage_query(""), json!({})).await;
    counts(&read.data("marketCoverage")["total"], [5, 4, 2, 1, 1, 1]);
}

#[actix_web::test]
async fn without_an_active_icp_nothing_is_addressable() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    app.state.clock.freeze_at(now());
    upsert_accounts(
        &app,
        &team.owner,
        json!([{"domain": "a1.io", "industry": "Software", "country": "US", "segment": "SMB"}]),
    )
    .await;
    event(&app, &team, "ann@a1.io", "demo_request", now()).await;
    let reply = app
        .gql(
            Some(&team.cmo.access),
            &coverage_query("(groupBy: REGION)"),
            json!({}),
        )
        .await;
    let report = reply.data("marketCoverage");
    // The account is known (fit 0): counted, but not ICP-fit, so nothing below it is.
    counts(&report["total"], [1, 0, 0, 0, 0, 0]);
    assert_eq!(report["groups"][0]["key"], "NORTH_AMERICA");
    assert_eq!(
        report["waterfall"],
        json!({"addressableMarket": 0, "suspects": 0, "inquiries": 0, "mqls": 0, "sals": 0, "sqls": 0, "customers": 0})
    );
}

/// The whole report, as a value to compare.
async fn report(app: &TestApp, team: &Team) -> Value {
    app.gql(Some(&team.cmo.access), &coverage_query(""), json!({}))
        .await
        .data("marketCoverage")
        .clone()
}

#[actix_web::test]
async fn a_lead_counts_where_its_history_went_and_the_facts_recount_from_the_history() {
    let app = TestApp::start().await;
    let team = the_market(&app).await;
    // Ann (SQL) goes back to nurture: her history still reached SQL, so every step counts her.
    let ann = lead_id(&app, &team, "ann@a1.io").await;
    let recycled = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { stage } }",
            json!({"id": ann}),
        )
        .await;
    assert_eq!(recycled.data("recycleLead")["stage"], "NURTURE");
    let kept = report(&app, &team).await;
    assert_eq!(
        kept["waterfall"],
        json!({"addressableMarket": 4, "suspects": 4, "inquiries": 3, "mqls": 2, "sals": 1, "sqls": 1, "customers": 1})
    );
    counts(&kept["total"], [5, 4, 2, 1, 1, 1]);

    // The facts the report counts from are kept as the history is written; wiped, the report
    // loses what the people did, and recounting them from the history (what migration 000026
    // and `rollups::rebuild` do) gives the same report as keeping them did.
    let db = app.db();
    for sql in [
        "UPDATE contacts SET last_event_at = NULL, funnel_reach = 0",
        "UPDATE accounts SET last_event_at = NULL",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    let wiped = report(&app, &team).await;
    assert_eq!(
        wiped["waterfall"],
        json!({"addressableMarket": 4, "suspects": 4, "inquiries": 0, "mqls": 0, "sals": 0, "sqls": 0, "customers": 1})
    );
    counts(&wiped["total"], [5, 4, 0, 1, 1, 1]);
    accord_api::services::metrics::rollups::rebuild(&app.state)
        .await
        .unwrap();
    assert_eq!(report(&app, &team).await, kept);
}

const DUE: &str = "SELECT COUNT(*) FROM accounts WHERE suspects_fit IS NULL";

/// Whether the account of `domain` waits to be counted again.
async fn due(app: &TestApp, domain: &str) -> bool {
    let sql =
        format!("SELECT COUNT(*) FROM accounts WHERE domain = '{domain}' AND suspects_fit IS NULL");
    app.scalar(&sql).await == 1
}

/// The waterfall reads each account's kept suspects (migration 000030) and counts an account
/// from its contacts while its count is due: every write that changes a contact's part (its
/// first event, its fit, its account) and a new minimum fit in the contract make it due, and
/// the job counts it again. Each step's figures against `the_market`'s: 4 suspects (Ann, Bob,
/// Cat, Eve), 3 inquiries (Ann, Cat, Eve), 2 MQLs (Ann, Eve).
#[actix_web::test]
async fn kept_suspects_follow_contact_writes_and_the_contract() {
    let app = TestApp::start().await;
    let team = the_market(&app).await;
    let waterfall = |suspects: u64, inquiries: u64, mqls: u64| json!({"addressableMarket": 4, "suspects": suspects, "inquiries": inquiries, "mqls": mqls, "sals": 1, "sqls": 1, "customers": 1});
    let from_contacts = report(&app, &team).await;
    assert_eq!(from_contacts["waterfall"], waterfall(4, 3, 2));
    assert_eq!(app.scalar(DUE).await, 5, "no account counted yet");
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(app.scalar(DUE).await, 0);
    // Kept: Ann, Bob at a1; Cat at a2; Eve at a5 (Dan's and Ivy's fit is 0).
    let kept = "SELECT SUM(suspects) FROM accounts";
    assert_eq!(app.scalar(kept).await, 4);
    assert_eq!(report(&app, &team).await, from_contacts);

    // The report reads the kept counts: one changed by hand shows.
    app.db()
        .execute_unprepared("UPDATE accounts SET suspects = suspects + 10 WHERE domain = 'a1.io'")
        .await
        .unwrap();
    assert_eq!(report(&app, &team).await["waterfall"], waterfall(14, 3, 2));

    // Bob's first event: a1 is due and counted from its contacts, so the hand-made 10 is gone,
    // and Bob is an inquiry (and, at fit 30 with a pricing page visit now, an MQL).
    event(&app, &team, "bob@a1.io", "pricing_page_visit", now()).await;
    let bob = lead_id(&app, &team, "bob@a1.io").await;
    let stage = app
        .gql(
            Some(&team.owner.access),
            "query($id: ID!) { lead(id: $id) { stage } }",
            json!({"id": bob}),
        )
        .await;
    assert_eq!(stage.data("lead")["stage"], "MQL");
    assert!(due(&app, "a1.io").await);
    assert!(!due(&app, "a2.io").await);
    assert_eq!(report(&app, &team).await["waterfall"], waterfall(4, 4, 3));

    // Ivy is no longer an intern: her fit is 30, a fifth suspect, before the job runs.
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert!(!due(&app, "a1.io").await);
    upsert_contacts(
        &app,
        &team.owner,
        json!([{"email": "ivy@a1.io", "name": "Ivy", "title": "Engineer", "accountDomain": "a1.io"}]),
    )
    .await;
    assert!(due(&app, "a1.io").await);
    assert_eq!(report(&app, &team).await["waterfall"], waterfall(5, 4, 3));

    // Bob moves to a2: both accounts are due, and the totals stay.
    accord_api::jobs::run_due(&app.state).await.unwrap();
    upsert_contacts(
        &app,
        &team.owner,
        json!([{"email": "bob@a1.io", "name": "Bob", "accountDomain": "a2.io"}]),
    )
    .await;
    assert!(due(&app, "a1.io").await && due(&app, "a2.io").await);
    assert!(!due(&app, "a5.io").await);
    assert_eq!(report(&app, &team).await["waterfall"], waterfall(5, 4, 3));
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(report(&app, &team).await["waterfall"], waterfall(5, 4, 3));

    // A contract with another minimum fit: every account counted at the old one is due (the
    // hand-made 10 on Eve's account goes with it), and the job counts them at the new one.
    app.db()
        .execute_unprepared(
            "UPDATE accounts SET suspects = suspects + 10, suspect_inquiries = suspect_inquiries + 10, \
             suspect_mqls = suspect_mqls + 10 WHERE domain = 'a5.io'",
        )
        .await
        .unwrap();
    assert_eq!(
        report(&app, &team).await["waterfall"],
        waterfall(15, 14, 13)
    );
    let draft = app
        .gql(
            Some(&team.owner.access),
            "mutation { draftLeadContract { id terms } }",
            json!({}),
        )
        .await
        .data("draftLeadContract")
        .clone();
    let mut terms = draft["terms"].clone();
    terms["acceptance"]["minFit"] = json!(30);
    app.gql(
        Some(&team.owner.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": draft["id"], "t": terms}),
    )
    .await
    .data("updateLeadContract");
    for signer in [&team.cmo, &team.cro] {
        app.gql(
            Some(&signer.access),
            crate::support::documents::SIGN_CONTRACT,
            json!({"id": draft["id"]}),
        )
        .await
        .data("signLeadContract");
    }
    assert_eq!(app.scalar(DUE).await, 5);
    // Every suspect's fit is 30, so the minimum of 30 keeps them all.
    let at_thirty = report(&app, &team).await;
    assert_eq!(at_thirty["minFit"], 30);
    assert_eq!(at_thirty["waterfall"], waterfall(5, 4, 3));
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE suspects_fit = 30")
            .await,
        5
    );
    assert_eq!(report(&app, &team).await, at_thirty);
}
