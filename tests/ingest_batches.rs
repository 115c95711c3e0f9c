//! A batch of events is ingested set-based: its statements do not grow with its size, with
//! scoring, qualification, routing, SLA clocks, triggers, plays and webhooks all exercised.
//! And batches into one workspace run side by side: two concurrent batches naming the same
//! contacts create each contact once and score each event once, within the caps.

use accord_api::{
    services::ingest::{self, EventContactInput, EventInput, IngestStatus},
    telemetry::prometheus::Prometheus,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{documents::INGEST, fixtures::team, TestApp};

/// Two active plays (one on demo requests, one on assigned MQLs) and an active webhook for
/// every event, so a batch's walk writes everything it can.
async fn plays_and_webhook(app: &TestApp, owner: &str) -> Value {
    let cadence = app
        .gql(
            Some(owner),
            "{ cadences { edges { node { id } } } }",
            json!({}),
        )
        .await
        .data("cadences")["edges"][0]["node"]["id"]
        .clone();
    let plays = [
        json!({"name": "Demo follow-up", "cadenceId": cadence, "exclusive": false, "trigger": {"kind": "EVENT", "eventTypes": ["demo_request"]}}),
        json!({"name": "New MQL", "cadenceId": cadence, "exclusive": false, "trigger": {"kind": "MQL_ASSIGNED"}}),
    ];
    for play in plays {
        let id = app
            .gql(
                Some(owner),
                "mutation($input: PlayInput!) { createPlay(input: $input) { id } }",
                json!({"input": play}),
            )
            .await
            .data("createPlay")["id"]
            .clone();
        app.gql(
            Some(owner),
            "mutation($id: ID!) { activatePlay(id: $id) { status } }",
            json!({"id": id}),
        )
        .await
        .data("activatePlay");
    }
    // Nothing listens there: the deliveries are queued, and fail later.
    app.gql(
        Some(owner),
        "mutation { createWebhook(input: {url: \"http://127.0.0.1:9/hook\", events: [\"*\"]}) { webhook { id } } }",
        json!({}),
    )
    .await
    .data("createWebhook")["webhook"]["id"]
        .clone()
}

/// `n` hand-raisers nobody has seen, each at a company of their own, from a source of the
/// batch's own (so every batch creates the same kinds of records).
fn fresh(batch: &str, n: usize) -> Vec<EventInput> {
    (0..n)
        .map(|i| EventInput {
            idempotency_key: format!("{batch}-{i}"),
            event_type: "demo_request".into(),
            occurred_at: None,
            contact: EventContactInput {
                email: Some(format!("buyer{i}@{batch}-{i}.example.com")),
                title: Some("VP Sales".into()),
                ..Default::default()
            },
            account: None,
            source: Some(format!("Source {batch}")),
            source_detail: None,
            campaign_id: None,
            asset_id: None,
            properties: None,
        })
        .collect()
}

#[actix_web::test]
async fn a_batch_costs_the_same_statements_whatever_its_size() {
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.webhook_allow_private = true;
    })
    .await;
    let team = team(&app).await;
    let hook = plays_and_webhook(&app, &team.owner.access).await;
    let workspace: Uuid = team.owner.workspace_id.as_deref().unwrap().parse().unwrap();
    let mut costs = Vec::new();
    for (batch, n) in [("warm", 3), ("small", 20), ("large", 40)] {
        // Only the statements the batch runs itself: not the webhook sender it wakes.
        let (results, statements) =
            Prometheus::counting(ingest::ingest(&app.state, workspace, fresh(batch, n))).await;
        let results = results.expect("the batch is ingested");
        assert!(
            results.iter().all(|r| r.status == IngestStatus::Accepted),
            "{batch}"
        );
        costs.push(statements);
    }
    let leads = app
        .gql(
            Some(&team.owner.access),
            "{ leads(first: 100) { totalCount edges { node { stage owner { id } enrollments { nodes { status } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(leads.data("leads")["totalCount"], 63);
    for edge in leads.data("leads")["edges"].as_array().unwrap() {
        let lead = &edge["node"];
        assert_eq!(lead["stage"], "MQL", "{lead}");
        assert_eq!(lead["owner"]["id"], json!(team.rep.user_id), "{lead}");
        assert_eq!(
            lead["enrollments"]["nodes"].as_array().unwrap().len(),
            2,
            "both plays: {lead}"
        );
    }
    let deliveries = app
        .gql(
            Some(&team.owner.access),
            "query($id: ID!) { webhookDeliveries(webhookId: $id, first: 1) { totalCount } }",
            json!({"id": hook}),
        )
        .await;
    // lead.mql and lead.assigned for each of the 63 leads.
    assert_eq!(deliveries.data("webhookDeliveries")["totalCount"], 126);
    // Printed for the README (run with --nocapture).
    eprintln!("statements of batches of 3, 20 and 40 events: {costs:?}");
    assert_eq!(
        costs[1], costs[2],
        "statements for 20 and 40 events (after a warm-up of 3): {costs:?}"
    );
}

fn sessions(prefix: &str, people: std::ops::Range<usize>) -> Value {
    let events: Vec<Value> = people
        .flat_map(|p| {
            (0..3).map(move |i| json!({"idempotencyKey": format!("{prefix}-{p}-{i}"), "type": "session", "contact": {"email": format!("p{p}@overlap.io")}}))
        })
        .collect();
    json!({"e": events})
}

fn assert_all_accepted(replies: [crate::support::Reply; 2]) {
    for reply in replies {
        for result in reply.data("ingestEvents")["results"].as_array().unwrap() {
            assert_eq!(result["status"], "ACCEPTED", "{result}");
        }
    }
}

/// The workspace's leads, each once (fifteen people), by the number in their email (`p<N>@`).
async fn fifteen_leads(app: &TestApp, token: &str) -> Vec<(usize, Value)> {
    let leads = app
        .gql(
            Some(token),
            "{ leads(first: 50) { totalCount edges { node { email externalId scoreBreakdown { behaviour } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(leads.data("leads")["totalCount"], 15, "each person once");
    leads.data("leads")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| {
            let node = edge["node"].clone();
            let email = node["email"].as_str().unwrap();
            let person = email[1..email.find('@').unwrap()].parse().unwrap();
            (person, node)
        })
        .collect()
}

#[actix_web::test]
async fn concurrent_batches_with_overlapping_contacts_create_each_once_and_score_each_event_once() {
    let app = TestApp::start().await;
    for round in 0..3 {
        let owner = app.owner(&format!("Overlap {round}")).await;
        let (token, _) = app.api_token(&owner, &["events:write", "leads:read"]).await;
        // Ten people exist (an email open each, +2); the batches then name five of them each
        // and five of them both, and five new people each: three sessions (+10, capped at 50)
        // per person per batch.
        let opens: Vec<Value> = (0..10)
            .map(|p| json!({"idempotencyKey": format!("open-{p}"), "type": "email_open", "contact": {"email": format!("p{p}@overlap.io")}}))
            .collect();
        app.gql(Some(&token), INGEST, json!({"e": opens}))
            .await
            .data("ingestEvents");
        let (a, b) = futures_util::join!(
            app.gql(Some(&token), INGEST, sessions("a", 0..10)),
            app.gql(Some(&token), INGEST, sessions("b", 5..15)),
        );
        assert_all_accepted([a, b]);
        for (person, node) in fifteen_leads(&app, &token).await {
            let email = node["email"].as_str().unwrap();
            let expected = match person {
                0..=4 => 2 + 30,
                // Six sessions from the two batches: the cap holds across them.
                5..=9 => 2 + 50,
                _ => 30,
            };
            assert_eq!(
                node["scoreBreakdown"]["behaviour"], expected,
                "{email}, round {round}"
            );
        }
    }
}

/// Three sessions per person naming them by email and by their new external id.
fn identified_sessions(prefix: &str, people: std::ops::Range<usize>) -> Value {
    let events: Vec<Value> = people
        .flat_map(|p| {
            (0..3).map(move |i| json!({"idempotencyKey": format!("{prefix}-{p}-{i}"), "type": "session", "contact": {"email": format!("p{p}@keys.io"), "externalId": format!("crm-{p}")}}))
        })
        .collect();
    json!({"e": events})
}

/// A batch that gives existing people a natural key (an external id) changes their rows' keys
/// while another batch records events that refer to the same people: both are accepted (no
/// deadlock between the contacts' locks and the events' references), each person keeps one row
/// with the id, and every event is scored once.
#[actix_web::test]
async fn concurrent_batches_filling_the_same_contacts_keys_both_land() {
    let app = TestApp::start().await;
    let owner = app.owner("Key fill").await;
    let (token, _) = app.api_token(&owner, &["events:write", "leads:read"]).await;
    let opens: Vec<Value> = (0..15)
        .map(|p| json!({"idempotencyKey": format!("open-{p}"), "type": "email_open", "contact": {"email": format!("p{p}@keys.io")}}))
        .collect();
    app.gql(Some(&token), INGEST, json!({"e": opens}))
        .await
        .data("ingestEvents");
    let (a, b) = futures_util::join!(
        app.gql(Some(&token), INGEST, identified_sessions("a", 0..10)),
        app.gql(Some(&token), INGEST, identified_sessions("b", 5..15)),
    );
    assert_all_accepted([a, b]);
    for (person, node) in fifteen_leads(&app, &token).await {
        let email = node["email"].as_str().unwrap();
        assert_eq!(node["externalId"], format!("crm-{person}"), "{email}");
        let sessions = if (5..10).contains(&person) { 50 } else { 30 };
        assert_eq!(node["scoreBreakdown"]["behaviour"], 2 + sessions, "{email}");
    }
}
