//! The lead intel package on triggers (over the socket and in the inbox) and `Lead.timeline`,
//! every figure by hand (the rules: `api/src/domain/intel`).
//!
//! Clock frozen on Monday 2027-03-01, UTC. The seed contract without an ICP (fit 0; an MQL at
//! 50 points). The catalog holds "Pricing one-pager" (CASE_STUDY, DECISION); the play "Hot
//! follow-up" (EVENT demo_request, asset the one-pager) is active.
//! - 09:00 Ana attends a webinar (+20); 09:10 she downloads a case study (+15): score 35, no MQL.
//! - 09:20 she requests a demo (+50): score 20 + 15 + 50 = 85, a HOT MQL routed to the rep, whose
//!   LEAD_ASSIGNED trigger carries the intel composed in memory by the batch: last events
//!   demo_request (+50), case_study_download (+15), webinar_attended (+20); fit 0, no fit line;
//!   the play the demo request fires, "Hot follow-up", and its one-pager.
//! - 09:30 the rep emails her (SENT).
//! - 09:40 the owner takes her (assignLead): his LEAD_ASSIGNED is composed outside ingestion,
//!   from the rows: the same events and score, and the play she runs.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{team, Team},
    ws::{WsClient, TRANSPORT_WS},
    TestApp,
};

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, hour, minute, 0).unwrap()
}

const INTEL: &str = "intel { whyNow lastEvents { type occurredAt points } fitTop { criterion weight } score fitScore suggestedPlay { id name } suggestedAsset { id name kind funnelStage url } }";

const TIMELINE: &str = "query($id: ID!, $first: Int, $after: String) { lead(id: $id) { timeline(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id kind at description eventType points fromStage toStage channel outcome trigger { kind } } } } } }";

async fn owner_does(app: &TestApp, team: &Team, query: &str, vars: Value, field: &str) -> Value {
    let reply = app.gql(Some(&team.owner.access), query, vars).await;
    reply.data(field).clone()
}

async fn ingest(app: &TestApp, team: &Team, key: &str, kind: &str) {
    let events = json!([{"idempotencyKey": key, "type": kind,
        "contact": {"email": "ana@acme.io", "name": "Ana"}, "source": "Website"}]);
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

/// The one-pager and the active play; returns their ids.
async fn catalog(app: &TestApp, team: &Team) -> (Value, Value) {
    let asset = owner_does(
        app,
        team,
        "mutation { createAsset(input: {name: \"Pricing one-pager\", kind: CASE_STUDY, funnelStage: DECISION, url: \"https://acme.test/one-pager\"}) { id } }",
        json!({}),
        "createAsset",
    )
    .await["id"]
        .clone();
    let cadence = owner_does(
        app,
        team,
        "mutation($a: ID!) { createCadence(input: {name: \"Fast\", steps: [{dayOffset: 0, channel: EMAIL, theme: NEXT_STEP, assetId: $a}]}) { id } }",
        json!({"a": asset}),
        "createCadence",
    )
    .await["id"]
        .clone();
    let play = owner_does(
        app,
        team,
        "mutation($c: ID!, $a: ID!) { createPlay(input: {name: \"Hot follow-up\", cadenceId: $c, assetIds: [$a], trigger: {kind: EVENT, eventTypes: [\"demo_request\"]}}) { id } }",
        json!({"c": cadence, "a": asset}),
        "createPlay",
    )
    .await["id"]
        .clone();
    owner_does(
        app,
        team,
        "mutation($id: ID!) { activatePlay(id: $id) { status } }",
        json!({"id": play}),
        "activatePlay",
    )
    .await;
    (asset, play)
}

fn expected_intel(head: &str, play: &Value, asset: &Value) -> Value {
    json!({
        "whyNow": format!("{head}: demo_request (+50) at 2027-03-01 09:20 UTC; score 85, fit 0."),
        "lastEvents": [
            {"type": "demo_request", "occurredAt": "2027-03-01T09:20:00+00:00", "points": 50},
            {"type": "case_study_download", "occurredAt": "2027-03-01T09:10:00+00:00", "points": 15},
            {"type": "webinar_attended", "occurredAt": "2027-03-01T09:00:00+00:00", "points": 20}
        ],
        "fitTop": [],
        "score": 85,
        "fitScore": 0,
        "suggestedPlay": {"id": play, "name": "Hot follow-up"},
        "suggestedAsset": {"id": asset, "name": "Pricing one-pager", "kind": "CASE_STUDY",
            "funnelStage": "DECISION", "url": "https://acme.test/one-pager"}
    })
}

/// Times as the API prints them, whatever the offset spelling.
fn normalised(mut intel: Value) -> Value {
    if let Some(events) = intel["lastEvents"].as_array_mut() {
        for e in events {
            let t: DateTime<Utc> = e["occurredAt"].as_str().unwrap().parse().unwrap();
            e["occurredAt"] = json!(t.to_rfc3339());
        }
    }
    intel
}

#[actix_web::test]
async fn every_trigger_about_a_lead_carries_its_intel_and_the_timeline_merges_its_history() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let clock = &app.state.clock;
    clock.freeze_at(at(9, 0));
    let (asset, play) = catalog(&app, &team).await;

    let mut socket = WsClient::connect(&app, TRANSPORT_WS).await;
    socket.init(&team.rep.access).await;
    socket
        .subscribe(
            "t",
            &format!("subscription {{ playTriggers {{ kind lead {{ id }} {INTEL} }} }}"),
        )
        .await;

    ingest(&app, &team, "ana-1", "webinar_attended").await;
    clock.freeze_at(at(9, 10));
    ingest(&app, &team, "ana-2", "case_study_download").await;
    clock.freeze_at(at(9, 20));
    ingest(&app, &team, "ana-3", "demo_request").await;

    // Over the socket: the rep acts without another query.
    let message = socket.message().await;
    assert_eq!(message["type"], "next", "{message}");
    let pushed = &message["payload"]["data"]["playTriggers"];
    assert_eq!(pushed["kind"], "HOT_LEAD_ENGAGED");
    let lead = pushed["lead"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        normalised(pushed["intel"].clone()),
        normalised(expected_intel("Hot lead, act now", &play, &asset))
    );

    clock.freeze_at(at(9, 30));
    let touch = app
        .gql(
            Some(&team.rep.access),
            "mutation($l: ID!) { logTouch(input: {leadId: $l, channel: EMAIL, outcome: SENT, note: \"sent the one-pager\"}) { touch { id } } }",
            json!({"l": lead}),
        )
        .await;
    touch.data("logTouch");

    clock.freeze_at(at(9, 40));
    owner_does(
        &app,
        &team,
        "mutation($l: ID!, $u: ID!) { assignLead(id: $l, userId: $u) { id } }",
        json!({"l": lead, "u": team.owner.user_id}),
        "assignLead",
    )
    .await;
    // Composed from the rows (no batch in memory): the same facts, and the play she runs.
    let inbox = owner_does(
        &app,
        &team,
        &format!("{{ triggers(kinds: [LEAD_ASSIGNED]) {{ kind createdAt {INTEL} }} }}"),
        json!({}),
        "triggers",
    )
    .await;
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
    assert_eq!(
        normalised(inbox[0]["intel"].clone()),
        normalised(expected_intel("New lead assigned to you", &play, &asset))
    );

    // The timeline, newest first; one moment in the order EVENT, SCORE_ENTRY, STAGE_CHANGE,
    // TRIGGER, TOUCH.
    let all = app
        .gql(
            Some(&team.owner.access),
            TIMELINE,
            json!({"id": lead, "first": 50}),
        )
        .await;
    let edges = all.data("lead")["timeline"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let seen: Vec<(String, String, String)> = edges
        .iter()
        .map(|e| {
            let n = &e["node"];
            let t: DateTime<Utc> = n["at"].as_str().unwrap().parse().unwrap();
            (
                t.format("%H:%M").to_string(),
                n["kind"].as_str().unwrap().to_owned(),
                n["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |t: &str, k: &str, d: &str| (t.to_owned(), k.to_owned(), d.to_owned());
    assert_eq!(
        seen,
        vec![
            row("09:40", "TRIGGER", "LEAD_ASSIGNED: Ana was assigned to you"),
            row("09:30", "TOUCH", "EMAIL touch, SENT: sent the one-pager"),
            row("09:20", "EVENT", "Event demo_request"),
            row("09:20", "SCORE_ENTRY", "+50 behaviour points for demo_request"),
            row(
                "09:20",
                "STAGE_CHANGE",
                "LEAD to MQL: score 85 + fit 0 reached the MQL threshold of 50"
            ),
            row(
                "09:20",
                "TRIGGER",
                "HOT_LEAD_ENGAGED: HOT lead (hand-raiser) assigned to you: Ana; first touch due by 2027-03-01T14:05:00+00:00"
            ),
            row("09:10", "EVENT", "Event case_study_download"),
            row("09:10", "SCORE_ENTRY", "+15 behaviour points for case_study_download"),
            row("09:00", "EVENT", "Event webinar_attended"),
            row("09:00", "SCORE_ENTRY", "+20 behaviour points for webinar_attended"),
        ],
        "{}",
        all.raw
    );
    assert_eq!(
        all.data("lead")["timeline"]["pageInfo"]["hasNextPage"],
        false
    );
    let node = |i: usize| &edges[i]["node"];
    assert_eq!(node(3)["points"], 50);
    assert_eq!(node(2)["eventType"], "demo_request");
    assert_eq!(
        (node(4)["fromStage"].clone(), node(4)["toStage"].clone()),
        (json!("LEAD"), json!("MQL"))
    );
    assert_eq!(
        (node(1)["channel"].clone(), node(1)["outcome"].clone()),
        (json!("EMAIL"), json!("SENT"))
    );
    assert_eq!(node(0)["trigger"]["kind"], "LEAD_ASSIGNED");

    // Pages of four walk the same list, each item once.
    let mut walked = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let page = app
            .gql(
                Some(&team.owner.access),
                TIMELINE,
                json!({"id": lead, "first": 4, "after": after}),
            )
            .await;
        let timeline = &page.data("lead")["timeline"];
        walked.extend(
            timeline["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone()),
        );
        pages += 1;
        if timeline["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = timeline["pageInfo"]["endCursor"].clone();
    }
    let ids: Vec<Value> = edges.iter().map(|e| e["node"]["id"].clone()).collect();
    assert_eq!((walked, pages), (ids, 3));

    let bad = app
        .gql(
            Some(&team.owner.access),
            TIMELINE,
            json!({"id": lead, "first": 4, "after": "not-a-cursor"}),
        )
        .await;
    assert_eq!((bad.code(), bad.field()), ("BAD_USER_INPUT", Some("after")));
}
