//! The README works when pasted: against a server holding `accord demo`'s workspace, the
//! five-minute tour's shell block runs as written (with curl and jq) and the trigger it causes
//! reaches the rep's socket, and every ```graphql example in the README runs without an error.

use accord_api::demo::{self, DemoArgs};
use serde_json::{json, Value};

use crate::support::{
    people::demo_access_token,
    ws::{WsClient, TRANSPORT_WS},
    TestApp,
};

const README: &str = include_str!("../README.md");
const TOUR_HEADING: &str = "## A five-minute tour of the demo";

/// The fenced blocks of `language` in `markdown`, in order.
fn blocks<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    let mut found = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("\n```").expect("every fence closes");
        found.push(&body[..end]);
        rest = &body[end + 4..];
    }
    found
}

/// The tour section: from its heading to the next section.
fn tour() -> &'static str {
    let start = README.find(TOUR_HEADING).expect("the README has the tour");
    let section = &README[start + TOUR_HEADING.len()..];
    let end = section.find("\n## ").unwrap_or(section.len());
    &section[..end]
}

/// The tour's shell steps in order, without the `cargo run` block that starts the server.
fn tour_script() -> String {
    blocks(tour(), "sh")
        .into_iter()
        .filter(|block| !block.contains("cargo run"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `NAME=value` assignment the tour makes in its shell block.
fn assigned<'a>(script: &'a str, name: &str) -> &'a str {
    let prefix = format!("{name}=");
    script
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("the tour sets {name}"))
        .trim_matches('\'')
}

async fn demo_server() -> TestApp {
    let app = TestApp::start().await;
    // The tour's people and companies come from the seed alone; fewer leads keep the test
    // quick, and 90 days give deals time to close (the waterfall example needs win rates).
    let args = DemoArgs {
        seed: 7,
        days: 90,
        leads_per_day: 4,
    };
    let report = demo::run(&app.state, &args).await.expect("the demo builds");
    assert!(report.created);
    assert!(
        report.counts.mqls > 0 && report.counts.opportunities > 0,
        "{}",
        report.counts
    );
    app
}

#[actix_web::test]
async fn the_tour_runs_as_written_and_the_trigger_reaches_the_rep() {
    let app = demo_server().await;
    let section = tour();
    let script = tour_script();
    assert!(
        script.contains("ingestEvents"),
        "the tour ingests an event with curl"
    );
    let rep_email = assigned(&script, "REP_EMAIL");

    // The rep listens first, as the tour's WebSocket step does.
    let rep_token = demo_access_token(&app, rep_email).await;
    let subscription = blocks(section, "graphql")
        .into_iter()
        .find(|b| b.contains("playTriggers"))
        .expect("the tour subscribes to playTriggers");
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&rep_token).await;
    // No wait: without `since` the subscription replays the rep's triggers from the database
    // before it streams new ones, so the tour's trigger arrives whenever it subscribes.
    ws.subscribe_with("1", subscription, json!({})).await;

    let script = script.replace("http://127.0.0.1:8080", &app.url(""));
    let output = tokio::process::Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(&script)
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the tour failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !stdout.contains("\"errors\""),
        "the tour hit an error: {stdout}"
    );
    assert!(
        stdout.contains("\"ACCEPTED\""),
        "the event was taken: {stdout}"
    );

    // The socket replays the rep's earlier triggers first (no `since`), then the new one.
    let trigger = loop {
        let next = ws.message().await;
        assert_eq!(next["type"], "next", "{next}");
        let trigger = next["payload"]["data"]["playTriggers"].clone();
        if trigger["message"]
            .as_str()
            .is_some_and(|m| m.contains("Jamie Rivera"))
        {
            break trigger;
        }
    };
    assert_eq!(trigger["kind"], "HOT_LEAD_ENGAGED", "{trigger}");
    let lead = trigger["lead"]["id"].clone();
    assert!(lead.is_string(), "{trigger}");
    // The hot play took the lead on; its steps fall due on the contract's business hours.
    let enrolled = app
        .gql(
            Some(&rep_token),
            "query($id: ID!) { lead(id: $id) { enrollments { nodes { status play { name } } } } }",
            json!({ "id": lead }),
        )
        .await;
    let enrollments = &enrolled.data("lead")["enrollments"]["nodes"];
    assert_eq!(
        enrollments[0]["play"]["name"], "Hot hand-raiser",
        "{enrollments}"
    );
    assert_eq!(enrollments[0]["status"], "ACTIVE", "{enrollments}");
}

#[actix_web::test]
async fn every_graphql_example_in_the_readme_runs_on_the_demo() {
    let app = demo_server().await;
    let owner_email = assigned(&tour_script(), "EMAIL").to_owned();
    let token = demo_access_token(&app, &owner_email).await;
    let examples = blocks(README, "graphql");
    assert!(examples.len() >= 4, "the README has GraphQL examples");
    for example in examples {
        assert!(
            !example.contains("!)"),
            "README examples run as pasted, without required variables: {example}"
        );
        if example.trim_start().starts_with("subscription") {
            let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
            ws.init(&token).await;
            ws.subscribe_with("1", example, json!({})).await;
            ws.send(json!({"type": "ping"})).await;
            let answer = ws.message().await;
            assert_eq!(answer["type"], "pong", "{example}: {answer}");
            continue;
        }
        let reply = app.gql(Some(&token), example, json!({})).await;
        let body: &Value = &reply.body;
        assert!(body.get("errors").is_none(), "{example}: {body}");
        assert!(body["data"].is_object(), "{example}: {body}");
    }
}
