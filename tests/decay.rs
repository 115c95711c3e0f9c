//! Decay by inactivity (7/14/30 days, not cumulative), the 60-day return to nurture with a
//! controllable clock, and back-testing a draft contract against history.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::support::TestApp;

const INGEST: &str = "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { results { status error { message } } } }";

#[actix_web::test]
async fn decay_follows_the_schedule_and_sixty_days_return_the_lead_to_nurture() {
    let app = TestApp::start().await;
    let owner = app.owner("Decay").await;
    let (token, _) = app.api_token(&owner, &["events:write", "leads:read"]).await;
    let now = Utc::now();
    // One `session` (+10) per lead, at a chosen age.
    let ages = [3, 8, 15, 31, 59, 61];
    let events: Vec<_> = ages
        .iter()
        .map(|days| json!({"idempotencyKey": format!("s-{days}"), "type": "session", "occurredAt": (now - Duration::days(*days)).to_rfc3339(), "contact": {"email": format!("d{days}@decay.io")}}))
        .collect();
    app.gql(Some(&token), INGEST, json!({"e": events}))
        .await
        .data("ingestEvents");
    let read = "{ leads(first: 10) { edges { node { email stage scoreBreakdown { behaviour decay engagement } } } } }";
    let leads = app.gql(Some(&token), read, json!({})).await;
    let by_email = |leads: &crate::support::Reply, days: i64| {
        leads.data("leads")["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["email"] == format!("d{days}@decay.io"))
            .unwrap()["node"]
            .clone()
    };
    // Not cumulative: the largest step that applies. 3 days: none; 8: -5; 15: -10; 31+: -20.
    for (days, decay, engagement) in [
        (3, 0, 10),
        (8, -5, 5),
        (15, -10, 0),
        (31, -20, 0),
        (59, -20, 0),
        (61, -20, 0),
    ] {
        let lead = by_email(&leads, days);
        assert_eq!(lead["scoreBreakdown"]["behaviour"], 10, "{days} days");
        assert_eq!(lead["scoreBreakdown"]["decay"], decay, "{days} days");
        assert_eq!(
            lead["scoreBreakdown"]["engagement"], engagement,
            "{days} days: never below 0"
        );
    }

    let moved = accord_api::jobs::nurture::run_once(&app.state, now)
        .await
        .unwrap();
    assert_eq!(moved, 1, "only the lead idle for more than 60 days");
    let leads = app.gql(Some(&token), read, json!({})).await;
    assert_eq!(by_email(&leads, 61)["stage"], "NURTURE");
    assert_eq!(by_email(&leads, 59)["stage"], "LEAD");
    // Two days later (a controllable clock), the 59-day lead follows; running again is a no-op.
    assert_eq!(
        accord_api::jobs::nurture::run_once(&app.state, now + Duration::days(2))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        accord_api::jobs::nurture::run_once(&app.state, now + Duration::days(2))
            .await
            .unwrap(),
        0
    );
    let leads = app.gql(Some(&token), read, json!({})).await;
    assert_eq!(by_email(&leads, 59)["stage"], "NURTURE");
}

#[actix_web::test]
async fn a_draft_contract_is_back_tested_against_history() {
    let app = TestApp::start().await;
    let owner = app.owner("Backtest").await;
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    let events: Vec<_> = (0..3)
        .map(|i| json!({"idempotencyKey": format!("demo-{i}"), "type": "demo_request", "contact": {"email": format!("buyer{i}@bt{i}.io")}}))
        .chain(std::iter::once(json!({"idempotencyKey": "pricing", "type": "pricing_page_visit", "contact": {"email": "browser@bt.io"}})))
        .collect();
    app.gql(Some(&token), INGEST, json!({"e": events}))
        .await
        .data("ingestEvents");
    let contracts = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { id terms } } } }",
            json!({}),
        )
        .await;
    let draft = contracts.data("leadContracts")["edges"][0]["node"].clone();
    let mut terms = draft["terms"].clone();
    terms["acceptance"]["minFit"] = json!(0);
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": draft["id"], "t": terms}),
    )
    .await
    .data("updateLeadContract");
    let backtest = "query($id: ID!) { backtestLeadContract(id: $id) { leadsEvaluated wouldBeMqls actualMqls wonDeals wonDealsCaught wonDealsMissed } }";
    let result = app
        .gql(Some(&owner.access), backtest, json!({"id": draft["id"]}))
        .await;
    // Demo requests (+50) reach the threshold of 50; a pricing visit (+25) does not.
    assert_eq!(
        result.data("backtestLeadContract"),
        &json!({"leadsEvaluated": 4, "wouldBeMqls": 3, "actualMqls": 0, "wonDeals": 0, "wonDealsCaught": 0, "wonDealsMissed": 0})
    );
    terms["scoring"]["mqlThreshold"] = json!(70);
    let stricter = app
        .gql(
            Some(&owner.access),
            "mutation { draftLeadContract { id } }",
            json!({}),
        )
        .await;
    let stricter_id = stricter.data("draftLeadContract")["id"].clone();
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": stricter_id, "t": terms}),
    )
    .await
    .data("updateLeadContract");
    let result = app
        .gql(Some(&owner.access), backtest, json!({"id": stricter_id}))
        .await;
    assert_eq!(result.data("backtestLeadContract")["wouldBeMqls"], 0);
    let bad = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { updateLeadContract(id: $id, terms: {scoring: 1}) { id } }",
            json!({"id": stricter_id}),
        )
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
    assert_eq!(bad.field(), Some("terms"));
}
