//! `assetPerformance`: content that works and the content gap audit, every figure by hand (the
//! definitions: `api/src/domain/metrics/assets.rs`).
//!
//! March 2027, clock frozen, UTC. The catalog: "Pricing one-pager" (DECISION), "Industry
//! report" (AWARENESS), "ROI calculator" (DECISION, never used); nothing for CONSIDERATION or
//! VALIDATION. The play "Hot follow-up" (EVENT demo_request) runs a cadence of two steps: day 0
//! EMAIL with the one-pager, day 2 CALL with no asset.
//! - Mar 1 09:00 Ana (acme.io) requests a demo: a HOT MQL routed to the rep; the play enrolls
//!   her: one cadence task carrying the one-pager, due in March.
//! - Mar 1 09:50 the rep emails her the one-pager for that task (a play's touch); at 10:00 he
//!   logs that she replied (REPLIED, no asset): the reply accelerates her, two stage advances
//!   after the one-pager reached her at 09:50. A reply counts for an asset only when its own
//!   touch says REPLIED: the 09:50 touch is SENT, so the one-pager has 0 replies.
//! - Mar 2 09:00 Ben (beta.io) downloads the industry report (an event carrying it): reached,
//!   nothing follows.
//! - Mar 5 a 20,000 deal at Acme is won: the one-pager touched Ana at Acme before the close.
//! - Apr 2 Cy downloads the industry report: outside March.

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{team, Team},
    TestApp,
};

fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, month, day, hour, minute, 0)
        .unwrap()
}

const MARCH: &str = "{from: \"2027-03-01T00:00:00Z\", to: \"2027-04-01T00:00:00Z\"}";

const REPORT: &str = "from to funnelStage assets { name funnelStage cadenceUses playUses touches engagements leadsReached replies meetings stageAdvances wonDeals wonAmount performs asset { id } } contentGaps { funnelStage assets used }";

async fn owner_does(app: &TestApp, team: &Team, query: &str, vars: Value, field: &str) -> Value {
    let reply = app.gql(Some(&team.owner.access), query, vars).await;
    reply.data(field).clone()
}

async fn ingest(app: &TestApp, team: &Team, events: Value) {
    let reply = app
        .gql(Some(&team.token), INGEST, json!({"e": events}))
        .await;
    for result in reply.data("ingestEvents")["results"].as_array().unwrap() {
        assert_eq!(result["status"], "ACCEPTED", "{}", reply.raw);
    }
}

async fn asset(app: &TestApp, team: &Team, name: &str, kind: &str, stage: &str) -> Value {
    owner_does(
        app,
        team,
        "mutation($n: String!, $k: AssetKind!, $s: FunnelStage!) { createAsset(input: {name: $n, kind: $k, funnelStage: $s}) { id } }",
        json!({"n": name, "k": kind, "s": stage}),
        "createAsset",
    )
    .await["id"]
        .clone()
}

fn person(email: &str, name: &str) -> Value {
    json!({"email": email, "name": name})
}

#[actix_web::test]
async fn assets_are_judged_by_what_followed_and_the_stages_without_one_are_gaps() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let clock = &app.state.clock;
    clock.freeze_at(at(3, 1, 8, 0));
    let one_pager = asset(&app, &team, "Pricing one-pager", "CASE_STUDY", "DECISION").await;
    let report = asset(&app, &team, "Industry report", "WHITEPAPER", "AWARENESS").await;
    asset(&app, &team, "ROI calculator", "ROI_CALCULATOR", "DECISION").await;
    let cadence = owner_does(
        &app,
        &team,
        "mutation($a: ID!) { createCadence(input: {name: \"Fast\", steps: [{dayOffset: 0, channel: EMAIL, theme: NEXT_STEP, assetId: $a}, {dayOffset: 2, channel: CALL, theme: NEXT_STEP}]}) { id } }",
        json!({"a": one_pager}),
        "createCadence",
    )
    .await["id"]
        .clone();
    let play = owner_does(
        &app,
        &team,
        "mutation($c: ID!, $a: ID!) { createPlay(input: {name: \"Hot follow-up\", cadenceId: $c, assetIds: [$a], trigger: {kind: EVENT, eventTypes: [\"demo_request\"]}}) { id } }",
        json!({"c": cadence, "a": one_pager}),
        "createPlay",
    )
    .await["id"]
        .clone();
    owner_does(
        &app,
        &team,
        "mutation($id: ID!) { activatePlay(id: $id) { status } }",
        json!({"id": play}),
        "activatePlay",
    )
    .await;

    clock.freeze_at(at(3, 1, 9, 0));
    ingest(
        &app,
        &team,
        json!([{"idempotencyKey": "ana-demo", "type": "demo_request",
            "contact": person("ana@acme.io", "Ana"), "account": {"domain": "acme.io", "name": "Acme"}}]),
    )
    .await;
    let tasks = app
        .gql(
            Some(&team.rep.access),
            "{ myTasks(first: 10) { edges { node { id step lead { id } } } } }",
            json!({}),
        )
        .await;
    let edges = tasks.data("myTasks")["edges"].as_array().unwrap().clone();
    let first = edges
        .iter()
        .find(|e| e["node"]["step"] == 1)
        .expect("the first step's task");
    let lead = first["node"]["lead"]["id"].clone();
    clock.freeze_at(at(3, 1, 10, 0));
    for (input, field) in [
        (
            json!({"leadId": lead, "channel": "EMAIL", "outcome": "SENT", "assetId": one_pager,
                "taskId": first["node"]["id"], "occurredAt": "2027-03-01T09:50:00Z"}),
            "sent",
        ),
        (
            json!({"leadId": lead, "channel": "EMAIL", "outcome": "REPLIED"}),
            "replied",
        ),
    ] {
        let reply = app
            .gql(
                Some(&team.rep.access),
                "mutation($i: LogTouchInput!) { logTouch(input: $i) { touch { id } } }",
                json!({"i": input}),
            )
            .await;
        assert!(reply.data("logTouch")["touch"]["id"].is_string(), "{field}");
    }

    clock.freeze_at(at(3, 2, 9, 0));
    ingest(
        &app,
        &team,
        json!([{"idempotencyKey": "ben-report", "type": "report_download", "assetId": report,
            "contact": person("ben@beta.io", "Ben"), "account": {"domain": "beta.io", "name": "Beta"}}]),
    )
    .await;

    clock.freeze_at(at(3, 5, 9, 0));
    let acme = owner_does(
        &app,
        &team,
        "{ accounts(filter: {search: \"acme\"}) { edges { node { id } } } }",
        json!({}),
        "accounts",
    )
    .await["edges"][0]["node"]["id"]
        .clone();
    let deal = owner_does(
        &app,
        &team,
        "mutation($a: ID!) { createOpportunity(input: {name: \"Acme\", accountId: $a, amount: 20000}) { id } }",
        json!({"a": acme}),
        "createOpportunity",
    )
    .await["id"]
        .clone();
    owner_does(
        &app,
        &team,
        "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage } }",
        json!({"id": deal}),
        "closeOpportunity",
    )
    .await;

    clock.freeze_at(at(4, 2, 9, 0));
    ingest(
        &app,
        &team,
        json!([{"idempotencyKey": "cy-report", "type": "report_download", "assetId": report,
            "contact": person("cy@gamma.io", "Cy")}]),
    )
    .await;

    let all = owner_does(
        &app,
        &team,
        &format!("{{ assetPerformance(range: {MARCH}) {{ {REPORT} }} }}"),
        json!({}),
        "assetPerformance",
    )
    .await;
    let row = |name: &str, stage: &str, counts: [u64; 9], amount: f64, performs: bool| {
        json!({"name": name, "funnelStage": stage, "cadenceUses": counts[0], "playUses": counts[1],
            "touches": counts[2], "engagements": counts[3], "leadsReached": counts[4],
            "replies": counts[5], "meetings": counts[6], "stageAdvances": counts[7],
            "wonDeals": counts[8], "wonAmount": amount, "performs": performs})
    };
    let rows: Vec<Value> = all["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.as_object_mut().unwrap().remove("asset");
            a
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // 1 cadence task, 1 play touch (SENT), Ana reached at 09:50; after it her reply
            // moves her MQL -> SAL -> SQL at 10:00: 2 advances (her 09:00 MQL came before);
            // the Acme win.
            row(
                "Pricing one-pager",
                "DECISION",
                [1, 1, 1, 0, 1, 0, 0, 2, 1],
                20000.0,
                true
            ),
            // Ben's download in March (Cy's is April's): used, no result.
            row(
                "Industry report",
                "AWARENESS",
                [0, 0, 0, 1, 1, 0, 0, 0, 0],
                0.0,
                false
            ),
            row(
                "ROI calculator",
                "DECISION",
                [0, 0, 0, 0, 0, 0, 0, 0, 0],
                0.0,
                false
            ),
        ],
        "{all}"
    );
    assert_eq!(all["assets"][0]["asset"]["id"], one_pager);
    assert_eq!(
        all["contentGaps"],
        json!([
            {"funnelStage": "AWARENESS", "assets": 1, "used": 1},
            {"funnelStage": "CONSIDERATION", "assets": 0, "used": 0},
            {"funnelStage": "VALIDATION", "assets": 0, "used": 0}
        ])
    );
    assert_eq!(all["from"], "2027-03-01T00:00:00+00:00");

    // One stage: its assets and, if none performs, its gap.
    let decision = owner_does(
        &app,
        &team,
        &format!("{{ assetPerformance(range: {MARCH}, funnelStage: DECISION) {{ {REPORT} }} }}"),
        json!({}),
        "assetPerformance",
    )
    .await;
    let names: Vec<&str> = decision["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Pricing one-pager", "ROI calculator"]);
    assert_eq!(decision["contentGaps"], json!([]));
    let awareness = owner_does(
        &app,
        &team,
        &format!("{{ assetPerformance(range: {MARCH}, funnelStage: AWARENESS) {{ contentGaps {{ funnelStage assets used }} }} }}"),
        json!({}),
        "assetPerformance",
    )
    .await;
    assert_eq!(
        awareness["contentGaps"],
        json!([{"funnelStage": "AWARENESS", "assets": 1, "used": 1}])
    );

    // By default the last 90 days (to now, Apr 2 09:01): Cy's April download counts too.
    clock.freeze_at(at(4, 2, 9, 1));
    let recent = owner_does(
        &app,
        &team,
        "{ assetPerformance { from to assets { name engagements leadsReached } } }",
        json!({}),
        "assetPerformance",
    )
    .await;
    assert_eq!(
        (recent["from"].clone(), recent["to"].clone()),
        (
            json!("2027-01-02T09:01:00+00:00"),
            json!("2027-04-02T09:01:00+00:00")
        )
    );
    let report_row = recent["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Industry report")
        .unwrap()
        .clone();
    assert_eq!(
        report_row,
        json!({"name": "Industry report", "engagements": 2, "leadsReached": 2})
    );

    // A partner app without `metrics:read` may not read it; a backwards range is refused.
    let token = app
        .gql(
            Some(&team.token),
            "{ assetPerformance { from } }",
            json!({}),
        )
        .await;
    assert_eq!(token.code(), "FORBIDDEN");
    let backwards = app
        .gql(
            Some(&team.owner.access),
            "{ assetPerformance(range: {from: \"2027-04-01T00:00:00Z\", to: \"2027-03-01T00:00:00Z\"}) { from } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (backwards.code(), backwards.field()),
        ("BAD_USER_INPUT", Some("range.to"))
    );
}

/// A lead's reach is kept as lines (migration 000031) and worked out from its history while it
/// is due: a touch or event carrying an asset, and every stage change, make the lead due, and
/// the report is the same before and after the job. A lead is reached once, at its first touch
/// or event carrying the asset, and the counts of two ranges add up.
#[actix_web::test]
async fn kept_reach_follows_the_history_and_counts_a_lead_once() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let clock = &app.state.clock;
    clock.freeze_at(at(2, 1, 8, 0));
    let report = asset(&app, &team, "Industry report", "WHITEPAPER", "AWARENESS").await;
    let download = |key: &str, at: DateTime<Utc>| {
        json!([{"idempotencyKey": key, "type": "report_download", "assetId": report,
            "occurredAt": at.to_rfc3339(), "contact": person("ana@acme.io", "Ana"),
            "account": {"domain": "acme.io", "name": "Acme"}}])
    };
    // (engagements, leads reached, stage advances) of the report in a month of 2027.
    let month = |m: u32| {
        let app = &app;
        let team = &team;
        async move {
            let range = format!(
                "{{from: \"{}\", to: \"{}\"}}",
                at(m, 1, 0, 0).to_rfc3339(),
                at(m + 1, 1, 0, 0).to_rfc3339()
            );
            let all = owner_does(
                app,
                team,
                &format!("{{ assetPerformance(range: {range}) {{ assets {{ engagements leadsReached stageAdvances }} }} }}"),
                json!({}),
                "assetPerformance",
            )
            .await;
            let row = &all["assets"][0];
            [
                &row["engagements"],
                &row["leadsReached"],
                &row["stageAdvances"],
            ]
            .map(|n| n.as_u64().unwrap())
        }
    };
    let due = "SELECT COUNT(*) FROM asset_reach_due";
    let lines = "SELECT COUNT(*) FROM asset_reach_lines";

    // Feb 1: Ana downloads the report, her first reach.
    clock.freeze_at(at(2, 1, 9, 0));
    ingest(&app, &team, download("feb", at(2, 1, 9, 0))).await;
    assert_eq!(app.scalar(due).await, 1);
    assert_eq!(month(2).await, [1, 1, 0], "worked out from her history");
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!((app.scalar(due).await, app.scalar(lines).await), (0, 1));
    assert_eq!(month(2).await, [1, 1, 0], "from her line");

    // Mar 3 she requests a demo (LEAD -> MQL, an advance after the reach); Mar 4 she downloads
    // the report again: in March an engagement and an advance, no new lead reached.
    clock.freeze_at(at(3, 3, 9, 0));
    ingest(
        &app,
        &team,
        json!([{"idempotencyKey": "demo", "type": "demo_request",
            "contact": person("ana@acme.io", "Ana")}]),
    )
    .await;
    assert_eq!((app.scalar(due).await, app.scalar(lines).await), (1, 0));
    clock.freeze_at(at(3, 4, 9, 0));
    ingest(&app, &team, download("mar", at(3, 4, 9, 0))).await;
    let (feb, mar) = ([1, 1, 0], [1, 0, 1]);
    assert_eq!((month(2).await, month(3).await), (feb, mar));
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!((app.scalar(due).await, app.scalar(lines).await), (0, 2));
    assert_eq!((month(2).await, month(3).await), (feb, mar));

    // The report reads the kept lines: one changed by hand shows.
    app.db()
        .execute_unprepared(
            "UPDATE asset_reach_lines SET advances = advances + 5 WHERE advances > 0",
        )
        .await
        .unwrap();
    assert_eq!(month(3).await, [1, 0, 6]);

    // A download dated Jan 20 arrives late: she was first reached in January, her lines are
    // worked out again (the hand-made 5 is gone) and February has no lead reached.
    ingest(&app, &team, download("jan", at(1, 20, 9, 0))).await;
    assert_eq!((app.scalar(due).await, app.scalar(lines).await), (1, 0));
    let expected = [[1, 1, 0], [1, 0, 0], [1, 0, 1]];
    assert_eq!([month(1).await, month(2).await, month(3).await], expected);
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!((app.scalar(due).await, app.scalar(lines).await), (0, 2));
    assert_eq!([month(1).await, month(2).await, month(3).await], expected);
}

/// A won deal's assets are kept as lines (migration 000032) and worked out from the history
/// while the deal is due: winning it, changing it, a touch or event dated before its close at
/// its account, and a contact leaving the account make it due, and the report is the same
/// before and after the job. An event after the close changes nothing.
#[actix_web::test]
async fn kept_won_deal_assets_follow_the_history() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let clock = &app.state.clock;
    clock.freeze_at(at(2, 1, 8, 0));
    let one_pager = asset(&app, &team, "Pricing one-pager", "CASE_STUDY", "DECISION").await;
    let report = asset(&app, &team, "Industry report", "WHITEPAPER", "AWARENESS").await;
    let download = |key: &str, email: &str, asset: &Value, at: DateTime<Utc>| {
        json!([{"idempotencyKey": key, "type": "asset_download", "assetId": asset,
            "occurredAt": at.to_rfc3339(), "contact": person(email, "Someone"),
            "account": {"domain": "acme.io", "name": "Acme"}}])
    };
    // Per asset, by name: (won deals, won amount) in February 2027.
    let february = || {
        let app = &app;
        let team = &team;
        async move {
            let range = format!(
                "{{from: \"{}\", to: \"{}\"}}",
                at(2, 1, 0, 0).to_rfc3339(),
                at(3, 1, 0, 0).to_rfc3339()
            );
            let all = owner_does(
                app,
                team,
                &format!("{{ assetPerformance(range: {range}) {{ assets {{ name wonDeals wonAmount }} }} }}"),
                json!({}),
                "assetPerformance",
            )
            .await;
            let row = |name: &str| {
                let row = all["assets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["name"] == name)
                    .unwrap();
                (
                    row["wonDeals"].as_u64().unwrap(),
                    row["wonAmount"].as_f64().unwrap(),
                )
            };
            [row("Pricing one-pager"), row("Industry report")]
        }
    };
    let due = "SELECT COUNT(*) FROM won_deal_assets_due";
    let lines = "SELECT COUNT(*) FROM won_deal_assets";
    let kept = || async { (app.scalar(due).await, app.scalar(lines).await) };

    // Feb 1 Ana downloads the one-pager; Feb 10 a 20,000 deal at Acme is won.
    clock.freeze_at(at(2, 1, 9, 0));
    ingest(
        &app,
        &team,
        download("ana", "ana@acme.io", &one_pager, at(2, 1, 9, 0)),
    )
    .await;
    clock.freeze_at(at(2, 10, 9, 0));
    let acme = owner_does(
        &app,
        &team,
        "{ accounts(filter: {search: \"acme\"}) { edges { node { id } } } }",
        json!({}),
        "accounts",
    )
    .await["edges"][0]["node"]["id"]
        .clone();
    let deal = owner_does(
        &app,
        &team,
        "mutation($a: ID!) { createOpportunity(input: {name: \"Acme\", accountId: $a, amount: 20000}) { id } }",
        json!({"a": acme}),
        "createOpportunity",
    )
    .await["id"]
        .clone();
    assert_eq!(kept().await, (0, 0), "an open deal is not due");
    owner_does(
        &app,
        &team,
        "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage } }",
        json!({"id": deal}),
        "closeOpportunity",
    )
    .await;
    assert_eq!(kept().await, (1, 0), "won: due");
    let one = [(1, 20000.0), (0, 0.0)];
    assert_eq!(february().await, one, "worked out from the history");
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(kept().await, (0, 1));
    assert_eq!(february().await, one, "from its line");

    // The report reads the kept line: one changed by hand shows.
    app.db()
        .execute_unprepared("UPDATE won_deal_assets SET amount = 1")
        .await
        .unwrap();
    assert_eq!(february().await, [(1, 1.0), (0, 0.0)]);

    // Bo's download of the industry report, dated Feb 5, arrives late: before the close, so
    // the deal is due again (the hand-made amount is gone) and both assets touched it.
    clock.freeze_at(at(2, 20, 9, 0));
    ingest(
        &app,
        &team,
        download("bo", "bo@acme.io", &report, at(2, 5, 9, 0)),
    )
    .await;
    assert_eq!(kept().await, (1, 0));
    let both = [(1, 20000.0), (1, 20000.0)];
    assert_eq!(february().await, both);
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!((kept().await, february().await), ((0, 2), both));

    // Cy's download after the close changes nothing.
    ingest(
        &app,
        &team,
        download("cy", "cy@acme.io", &report, at(2, 20, 9, 0)),
    )
    .await;
    assert_eq!(kept().await, (0, 2));

    // The deal's amount changes: due, and the new amount counts.
    owner_does(
        &app,
        &team,
        "mutation($id: ID!) { updateOpportunity(id: $id, input: {amount: 30000}) { amount } }",
        json!({"id": deal}),
        "updateOpportunity",
    )
    .await;
    assert_eq!(kept().await, (1, 0));
    let more = [(1, 30000.0), (1, 30000.0)];
    assert_eq!(february().await, more);
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!((kept().await, february().await), ((0, 2), more));

    // Bo leaves Acme (any writer of contacts is caught): the report no longer touched the deal
    // before its close (Cy's download came after it).
    app.db()
        .execute_unprepared("UPDATE contacts SET account_id = NULL WHERE email = 'bo@acme.io'")
        .await
        .unwrap();
    assert_eq!(kept().await, (1, 0));
    let alone = [(1, 30000.0), (0, 0.0)];
    assert_eq!(february().await, alone);
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!((kept().await, february().await), ((0, 1), alone));
}
