//! Decay by inactivity (7/14/30 days, not cumulative), the 60-day return to nurture with a
//! controllable clock, and back-testing a draft contract against history.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::support::{documents::INGEST, TestApp};

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

#[actix_web::test]
async fn a_back_test_replays_its_range_a_page_at_a_time() {
    let app = TestApp::start().await;
    let owner = app.owner("Backtest range").await;
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    let now = Utc::now();
    let old = now - Duration::days(200);
    // Two pricing visits (+25 each) qualify at the second; one does not. Three old leads, and
    // five recent ones with two or three events each, so small pages split a lead's events.
    let mut events = Vec::new();
    for (lead, visits, at) in [
        ("old-a", 2, old),
        ("old-b", 2, old),
        ("old-c", 1, old),
        ("new-a", 2, now),
        ("new-b", 3, now),
        ("new-c", 1, now),
        ("new-d", 2, now),
        ("new-e", 1, now),
    ] {
        for visit in 0..visits {
            events.push(json!({
                "idempotencyKey": format!("{lead}-{visit}"),
                "type": "pricing_page_visit",
                "occurredAt": (at - Duration::minutes(10 - visit)).to_rfc3339(),
                "contact": {"email": format!("{lead}@range.io")},
            }));
        }
    }
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
    let backtest = "query($id: ID!, $r: RangeInput) { backtestLeadContract(id: $id, range: $r) { from to leadsEvaluated wouldBeMqls } }";
    let ask = |range: serde_json::Value| {
        app.gql(
            Some(&owner.access),
            backtest,
            json!({"id": draft["id"], "r": range}),
        )
    };

    // By default the last 90 days: the recent leads only.
    let recent = ask(json!(null)).await;
    let recent = recent.data("backtestLeadContract");
    assert_eq!(recent["leadsEvaluated"], 5, "{recent}");
    assert_eq!(recent["wouldBeMqls"], 3, "{recent}");
    // A range around the old events: the old leads only.
    let range = json!({"from": (old - Duration::days(1)).to_rfc3339(), "to": (old + Duration::days(1)).to_rfc3339()});
    let then = ask(range).await;
    let then = then.data("backtestLeadContract");
    assert_eq!(then["leadsEvaluated"], 3, "{then}");
    assert_eq!(then["wouldBeMqls"], 2, "{then}");

    // Bounded: at most 366 days, and `to` after `from`.
    let too_long =
        ask(json!({"from": (now - Duration::days(367)).to_rfc3339(), "to": now.to_rfc3339()}))
            .await;
    assert_eq!(too_long.code(), "BAD_USER_INPUT", "{}", too_long.raw);
    assert_eq!(too_long.field(), Some("range"));
    let backwards = ask(json!({"from": now.to_rfc3339(), "to": old.to_rfc3339()})).await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT", "{}", backwards.raw);
    assert_eq!(backwards.field(), Some("range.to"));

    // Pages of any size give the same answer as one page.
    let terms: accord_api::domain::contract::Terms = serde_json::from_value(terms).unwrap();
    let workspace_id: uuid::Uuid = owner.workspace_id.as_deref().unwrap().parse().unwrap();
    let all_year = accord_api::domain::metrics::Range {
        from: now - Duration::days(365),
        to: now + Duration::minutes(5),
    };
    let whole = accord_api::services::backtest::run_paged(
        &app.state,
        workspace_id,
        &terms,
        all_year,
        1_000,
    )
    .await
    .unwrap();
    assert_eq!((whole.leads_evaluated, whole.would_be_mqls), (8, 5));
    for page in [1, 2, 3, 5] {
        let paged = accord_api::services::backtest::run_paged(
            &app.state,
            workspace_id,
            &terms,
            all_year,
            page,
        )
        .await
        .unwrap();
        assert_eq!(paged, whole, "pages of {page}");
    }
}
