//! The seed scenario of the lead contract, end to end: a VP of Sales at a 400-person software
//! company in the ICP, with a business email, visits the pricing page (+25) and requests a demo
//! (+50, a hand-raiser): a HOT MQL, routed by territory, with a LEAD_ASSIGNED-class trigger whose
//! first-touch due time is 5 minutes in business hours. Plus idempotency under replays, conflicts
//! and concurrent sends.

use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{revenue_team, vp_events},
    Session, TestApp,
};

async fn route_territories(app: &TestApp, owner: &Session, na: &Session, emea: &Session) {
    let create = "mutation($name: String!, $pos: Int!, $countries: JSON!, $rep: ID!) { createRoutingRule(input: {name: $name, position: $pos, criteria: {field: \"account.country\", op: IN, value: $countries}, targets: [{userId: $rep}]}) { id } }";
    app.gql(
        Some(&owner.access),
        create,
        json!({"name": "EMEA", "pos": 1, "countries": ["GB", "DE", "FR"], "rep": emea.user_id}),
    )
    .await
    .data("createRoutingRule");
    app.gql(
        Some(&owner.access),
        create,
        json!({"name": "North America", "pos": 2, "countries": ["US", "CA"], "rep": na.user_id}),
    )
    .await
    .data("createRoutingRule");
}

#[actix_web::test]
async fn a_hand_raiser_in_the_icp_becomes_a_hot_mql_routed_by_territory() {
    let app = TestApp::start().await;
    let owner = app.owner("Seed Scenario").await;
    let na = app.member(&owner, "REP").await;
    let emea = app.member(&owner, "REP").await;
    let (cro, _cmo, token) = revenue_team(&app, &owner).await;
    route_territories(&app, &owner, &na, &emea).await;

    let reply = app
        .gql(Some(&token), INGEST, json!({"e": vp_events("web")}))
        .await;
    let results = reply.data("ingestEvents")["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        results
            .iter()
            .map(|r| r["status"].clone())
            .collect::<Vec<_>>(),
        vec![json!("ACCEPTED"), json!("ACCEPTED")]
    );

    let leads = app
        .gql(
            Some(&cro.access),
            "{ leads { edges { node { id stage mqlKind fitScore owner { id } routing account { domain }
                scoreBreakdown { fit behaviour decay engagement total lines { rule points count } }
                qualification { qualifies kind criteria { criterion met } }
                stageHistory { nodes { from to reason } } } } } }",
            json!({}),
        )
        .await;
    let lead = leads.data("leads")["edges"][0]["node"].clone();
    // fit: title +25, size +20, industry +15, geography +10, business email +5 = 75.
    assert_eq!(lead["fitScore"], 75);
    // behaviour: pricing page +25, demo request +50 = 75; no decay yet.
    assert_eq!(lead["scoreBreakdown"]["behaviour"], 75);
    assert_eq!(lead["scoreBreakdown"]["decay"], 0);
    assert_eq!(lead["scoreBreakdown"]["total"], 150);
    assert_eq!(lead["stage"], "MQL");
    assert_eq!(lead["mqlKind"], "HOT", "a demo request is a hand-raiser");
    assert_eq!(lead["qualification"]["qualifies"], true);
    assert_eq!(
        lead["owner"]["id"],
        json!(na.user_id),
        "routed by territory to North America"
    );
    assert_eq!(lead["routing"]["rule"], "North America");
    assert_eq!(lead["stageHistory"]["nodes"][0]["from"], "LEAD");
    assert_eq!(lead["stageHistory"]["nodes"][0]["to"], "MQL");

    // The rep's trigger: a row with its sequence and a 5-minute first touch in business hours.
    let inbox = app
        .gql(
            Some(&na.access),
            "{ triggers { id sequence kind dueAt createdAt lead { id } } }",
            json!({}),
        )
        .await;
    let triggers = inbox.data("triggers").as_array().unwrap().clone();
    assert_eq!(triggers.len(), 1);
    assert_eq!(triggers[0]["kind"], "HOT_LEAD_ENGAGED");
    assert_eq!(triggers[0]["sequence"], 1);
    assert_eq!(triggers[0]["lead"]["id"], lead["id"]);
    let created: chrono::DateTime<chrono::Utc> =
        triggers[0]["createdAt"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        triggers[0]["dueAt"].as_str().unwrap().parse().unwrap();
    let calendar = accord_api::domain::calendar::BusinessCalendar::default();
    let expected = calendar.add_business_duration(created, chrono::Duration::minutes(5));
    assert!(
        (due - expected).num_seconds().abs() <= 2,
        "due {due}, expected about {expected}"
    );
    assert!(due >= created + chrono::Duration::minutes(5) - chrono::Duration::seconds(2));
    let other_inbox = app
        .gql(Some(&emea.access), "{ triggers { id } }", json!({}))
        .await;
    assert_eq!(other_inbox.data("triggers"), &json!([]));
    let acked = app
        .gql(
            Some(&na.access),
            "mutation($id: ID!) { acknowledgeTrigger(id: $id) { acknowledgedAt } }",
            json!({"id": triggers[0]["id"]}),
        )
        .await;
    assert!(acked.data("acknowledgeTrigger")["acknowledgedAt"].is_string());

    // Replays add nothing; a reused key with another payload is a conflict.
    let replay = app
        .gql(Some(&token), INGEST, json!({"e": vp_events("web")}))
        .await;
    let statuses: Vec<Value> = replay.data("ingestEvents")["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("DUPLICATE"), json!("DUPLICATE")]);
    assert_eq!(
        replay.data("ingestEvents")["results"][0]["eventId"],
        results[0]["eventId"]
    );
    let mut changed = vp_events("web");
    changed[0]["type"] = json!("case_study_download");
    let conflict = app
        .gql(Some(&token), INGEST, json!({"e": [changed[0].clone()]}))
        .await;
    assert_eq!(
        conflict.data("ingestEvents")["results"][0]["error"]["code"],
        "CONFLICT"
    );
    let again = app
        .gql(
            Some(&cro.access),
            "query($id: ID!) { lead(id: $id) { scoreBreakdown { behaviour } } }",
            json!({"id": lead["id"]}),
        )
        .await;
    assert_eq!(
        again.data("lead")["scoreBreakdown"]["behaviour"],
        75,
        "replays never count twice"
    );
    assert_eq!(
        app.gql(Some(&na.access), "{ triggers { id } }", json!({}))
            .await
            .data("triggers")
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn bad_events_are_refused_item_by_item_and_need_the_scope() {
    let app = TestApp::start().await;
    let owner = app.owner("Ingest").await;
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    let events = json!([
        {"idempotencyKey": "ok-1", "type": "session", "contact": {"email": "ana@acme.com"}},
        {"idempotencyKey": "bad-1", "type": "session", "contact": {"name": "No key"}},
        {"idempotencyKey": "bad-2", "type": "Not A Type!", "contact": {"email": "ana@acme.com"}},
        {"idempotencyKey": "bad-3", "type": "session", "occurredAt": "2099-01-01T00:00:00Z", "contact": {"email": "ana@acme.com"}},
        {"idempotencyKey": "bad-4", "type": "session", "contact": {"email": "nope"}},
        {"idempotencyKey": "bad-5", "type": "session", "contact": {"email": "ana@acme.com"}, "account": {"domain": "acme.com", "country": "XX"}},
        {"idempotencyKey": "ok-1", "type": "session", "contact": {"email": "ana@acme.com"}}
    ]);
    let reply = app.gql(Some(&token), INGEST, json!({"e": events})).await;
    let results = reply.data("ingestEvents")["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(results[0]["status"], "ACCEPTED");
    let fields: Vec<Value> = results[1..6]
        .iter()
        .map(|r| r["error"]["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![
            json!("events[1].contact"),
            json!("events[2].type"),
            json!("events[3].occurredAt"),
            json!("events[4].contact.email"),
            json!("events[5].account.country")
        ]
    );
    assert_eq!(
        results[6]["status"], "DUPLICATE",
        "a repeat inside the batch is a duplicate"
    );
    assert_eq!(results[6]["eventId"], results[0]["eventId"]);

    let (reader, _) = app.api_token(&owner, &["leads:read"]).await;
    let refused = app
        .gql(Some(&reader), INGEST, json!({"e": [events[0].clone()]}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let leads = app
        .gql(
            Some(&reader),
            "{ leads { totalCount edges { node { email account { domain } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        leads.data("leads")["totalCount"],
        1,
        "rejected items created nobody"
    );
}

#[actix_web::test]
async fn concurrent_sends_of_the_same_events_record_each_once() {
    let app = TestApp::start().await;
    let owner = app.owner("Race").await;
    let (token, _) = app.api_token(&owner, &["events:write", "leads:read"]).await;
    let events: Vec<Value> = (0..20)
        .map(|i| json!({"idempotencyKey": format!("race-{i}"), "type": "email_open", "contact": {"email": format!("p{i}@race.io")}}))
        .collect();
    let sends = (0..4).map(|_| app.gql(Some(&token), INGEST, json!({"e": events.clone()})));
    let replies = futures_util::future::join_all(sends).await;
    let mut accepted = 0;
    for reply in &replies {
        for result in reply.data("ingestEvents")["results"].as_array().unwrap() {
            match result["status"].as_str().unwrap() {
                "ACCEPTED" => accepted += 1,
                "DUPLICATE" => {}
                other => panic!("unexpected {other}: {result}"),
            }
        }
    }
    assert_eq!(
        accepted, 20,
        "each event accepted exactly once across the racing batches"
    );
    let leads = app
        .gql(
            Some(&token),
            "{ leads(first: 50) { totalCount edges { node { scoreBreakdown { behaviour } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(leads.data("leads")["totalCount"], 20);
    for edge in leads.data("leads")["edges"].as_array().unwrap() {
        assert_eq!(
            edge["node"]["scoreBreakdown"]["behaviour"], 2,
            "email_open +2, once"
        );
    }
}

#[actix_web::test]
async fn concurrent_sends_reusing_a_key_with_another_payload_conflict() {
    let app = TestApp::start().await;
    let owner = app.owner("Conflicts").await;
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    let batch = |kind: &str| json!({"e": [{"idempotencyKey": "same-key", "type": kind, "contact": {"email": "kim@conflict.io"}}]});
    let (first, second) = futures_util::join!(
        app.gql(Some(&token), INGEST, batch("session")),
        app.gql(Some(&token), INGEST, batch("email_open"))
    );
    let mut outcomes: Vec<String> = [first, second]
        .iter()
        .map(|reply| {
            let result = &reply.data("ingestEvents")["results"][0];
            match result["status"].as_str().unwrap() {
                "REJECTED" => result["error"]["code"].as_str().unwrap().to_owned(),
                status => status.to_owned(),
            }
        })
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec!["ACCEPTED", "CONFLICT"],
        "one wins, the other is a conflict"
    );
}
