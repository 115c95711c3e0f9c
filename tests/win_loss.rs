//! Win/loss and the review's lost deals on six deals, every figure counted by hand.
//!
//! The clock is frozen at T0 = Monday 2027-03-01 15:00 UTC. Accounts: a-corp.io (SMB),
//! b-corp.io (MID_MARKET), c-corp.io (ENTERPRISE). Ben (b-corp.io) requests a demo at T0 (an
//! engagement event on b-corp before any close); Cy (c-corp.io) at T0 + 2 days. All deals are
//! created at T0, owned by the rep except D3 (the sales leader's):
//!
//! | deal | account | amount | competitor | closed | outcome, reason |
//! |---|---|---|---|---|---|
//! | D1 | a-corp | 10,000 | - | T0 + 10 d | won |
//! | D2 | b-corp | 20,000 | Rivalsoft | T0 + 4 d | lost, "Went with a competitor" |
//! | D3 | c-corp | 50,000 | Rivalsoft | T0 + 30 d | won |
//! | D4 | a-corp | 5,000 | - | T0 + 3 d | lost, "No budget" |
//! | D5 | b-corp | 8,000 | - | open | |
//! | D6 | c-corp | 7,000 | - | T0 + 1 d | lost, "No decision" |
//!
//! `winLoss` over [T0 + 2 d, T0 + 40 d) holds D1-D4 (D6 closed before it, D5 is open).

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::support::fixtures::{hot_lead, team, Team};
use crate::support::TestApp;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 15, 0, 0).unwrap()
}

fn close(actual: &Value, expected: f64) {
    let value = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!(
        (value - expected).abs() < 1e-6,
        "expected {expected}, got {value}"
    );
}

const CREATE: &str =
    "mutation($input: OpportunityInput!) { createOpportunity(input: $input) { id competitor } }";
const CLOSE: &str = "mutation($id: ID!, $won: Boolean!, $r: String, $c: String) { closeOpportunity(id: $id, won: $won, reason: $r, competitor: $c) { stage lostReason competitor } }";

const WIN_LOSS: &str = "query($r: RangeInput, $g: WinLossGroup) { winLoss(range: $r, groupBy: $g) { from to groupBy total { ...line } groups { key name metrics { ...line } } } } fragment line on WinLossLineView { won lost wonAmount lostAmount winRate averageCycleDays averageWonCycleDays averageLostCycleDays topLostReasons { reason count share } }";

struct Deals {
    team: Team,
}

async fn the_deals(app: &TestApp) -> Deals {
    let team = team(app).await;
    app.state.clock.freeze_at(t0());
    let owner = team.owner.access.as_str();
    let accounts = app
        .gql(
            Some(owner),
            "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { id } }",
            json!({"a": [
                {"domain": "a-corp.io", "name": "A Corp", "segment": "SMB"},
                {"domain": "b-corp.io", "name": "B Corp", "segment": "MID_MARKET"},
                {"domain": "c-corp.io", "name": "C Corp", "segment": "ENTERPRISE"},
            ]}),
        )
        .await;
    let ids: Vec<Value> = accounts
        .data("upsertAccounts")
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    hot_lead(app, &team, "ben@b-corp.io", "Webinar").await;
    let plan = [
        (0, 10_000, None, team.rep.user_id.as_str()),
        (1, 20_000, Some("Rivalsoft"), team.rep.user_id.as_str()),
        (2, 50_000, Some("Rivalsoft"), team.cro.user_id.as_str()),
        (0, 5_000, None, team.rep.user_id.as_str()),
        (1, 8_000, None, team.rep.user_id.as_str()),
        (2, 7_000, None, team.rep.user_id.as_str()),
    ];
    let mut deals = Vec::new();
    for (n, (account, amount, competitor, owner_id)) in plan.into_iter().enumerate() {
        let made = app
            .gql(
                Some(owner),
                CREATE,
                json!({"input": {"name": format!("D{}", n + 1), "accountId": ids[account],
                                 "amount": amount, "competitor": competitor, "ownerId": owner_id}}),
            )
            .await;
        assert_eq!(
            made.data("createOpportunity")["competitor"],
            json!(competitor)
        );
        deals.push(made.data("createOpportunity")["id"].clone());
    }
    // (deal, days after T0, won, reason), in time order.
    let closes = [
        (5, 1, false, "No decision"),
        (3, 3, false, "No budget"),
        (1, 4, false, "Went with a competitor"),
        (0, 10, true, ""),
        (2, 30, true, ""),
    ];
    for (deal, days, won, reason) in closes {
        if days == 3 {
            app.state.clock.advance_to(t0() + Duration::days(2));
            hot_lead(app, &team, "cy@c-corp.io", "Webinar").await;
        }
        app.state.clock.advance_to(t0() + Duration::days(days));
        let reason = (!won).then_some(reason);
        let closed = app
            .gql(
                Some(owner),
                CLOSE,
                json!({"id": deals[deal], "won": won, "r": reason}),
            )
            .await;
        let stage = if won { "CLOSED_WON" } else { "CLOSED_LOST" };
        assert_eq!(closed.data("closeOpportunity")["stage"], stage);
    }
    app.state.clock.advance_to(t0() + Duration::days(40));
    Deals { team }
}

fn range() -> Value {
    json!({"from": (t0() + Duration::days(2)).to_rfc3339(), "to": (t0() + Duration::days(40)).to_rfc3339()})
}

async fn report(app: &TestApp, deals: &Deals, group: &str) -> Value {
    app.gql(
        Some(&deals.team.cmo.access),
        WIN_LOSS,
        json!({"r": range(), "g": group}),
    )
    .await
    .data("winLoss")
    .clone()
}

/// (key, won, lost) of each group, in order.
fn groups(report: &Value) -> Vec<(Value, i64, i64)> {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let m = &g["metrics"];
            (
                g["key"].clone(),
                m["won"].as_i64().unwrap(),
                m["lost"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn win_loss_counts_the_deals_closed_in_the_range() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let deals = the_deals(&app).await;

    let by_reason = report(&app, &deals, "REASON").await;
    let total = &by_reason["total"];
    // D1 and D3 won (60,000), D2 and D4 lost (25,000): a win rate of 1/2.
    assert_eq!((&total["won"], &total["lost"]), (&json!(2), &json!(2)));
    close(&total["wonAmount"], 60_000.0);
    close(&total["lostAmount"], 25_000.0);
    close(&total["winRate"], 0.5);
    // Cycles 10, 4, 30 and 3 days: 47 / 4; won (10 + 30) / 2; lost (4 + 3) / 2.
    close(&total["averageCycleDays"], 11.75);
    close(&total["averageWonCycleDays"], 20.0);
    close(&total["averageLostCycleDays"], 3.5);
    // One each: the tie by reason.
    assert_eq!(
        total["topLostReasons"],
        json!([
            {"reason": "No budget", "count": 1, "share": 0.5},
            {"reason": "Went with a competitor", "count": 1, "share": 0.5}
        ])
    );
    // By reason the groups hold the lost deals: the larger first.
    assert_eq!(
        groups(&by_reason),
        vec![
            (json!("Went with a competitor"), 0, 1),
            (json!("No budget"), 0, 1)
        ]
    );
    assert_eq!(by_reason["groups"][0]["name"], "Went with a competitor");
    close(&by_reason["groups"][0]["metrics"]["winRate"], 0.0);
    close(
        &by_reason["groups"][1]["metrics"]["averageLostCycleDays"],
        3.0,
    );

    // Rivalsoft: D2 lost and D3 won (70,000, cycles 4 and 30); none: D1 and D4 (15,000).
    let by_competitor = report(&app, &deals, "COMPETITOR").await;
    assert_eq!(
        groups(&by_competitor),
        vec![(json!("Rivalsoft"), 1, 1), (Value::Null, 1, 1)]
    );
    close(
        &by_competitor["groups"][0]["metrics"]["averageCycleDays"],
        17.0,
    );
    close(
        &by_competitor["groups"][1]["metrics"]["averageCycleDays"],
        6.5,
    );
    assert_eq!(by_competitor["groups"][1]["name"], "Unattributed");

    // SMB: D1 and D4; then one deal each, the larger first: ENTERPRISE (D3), MID_MARKET (D2).
    let by_segment = report(&app, &deals, "SEGMENT").await;
    assert_eq!(
        groups(&by_segment),
        vec![
            (json!("SMB"), 1, 1),
            (json!("ENTERPRISE"), 1, 0),
            (json!("MID_MARKET"), 0, 1)
        ]
    );

    // The rep: D1 won, D2 and D4 lost (1/3); the sales leader: D3.
    let by_owner = report(&app, &deals, "OWNER").await;
    let rep = json!(deals.team.rep.user_id);
    let cro = json!(deals.team.cro.user_id);
    assert_eq!(groups(&by_owner), vec![(rep, 1, 2), (cro, 1, 0)]);
    close(&by_owner["groups"][0]["metrics"]["winRate"], 1.0 / 3.0);

    // No deal has a source.
    let by_source = report(&app, &deals, "SOURCE").await;
    assert_eq!(groups(&by_source), vec![(Value::Null, 2, 2)]);

    // No range: the last 90 days, D6 included; REASON by default.
    let default = app
        .gql(Some(&deals.team.cmo.access), WIN_LOSS, json!({}))
        .await;
    let default = default.data("winLoss");
    assert_eq!(default["groupBy"], "REASON");
    assert_eq!(
        (&default["total"]["won"], &default["total"]["lost"]),
        (&json!(2), &json!(3))
    );
    let from: DateTime<Utc> = default["from"].as_str().unwrap().parse().unwrap();
    assert_eq!(from, t0() + Duration::days(40) - Duration::days(90));
}

#[actix_web::test]
async fn the_review_lists_last_weeks_lost_deals_and_marketings_share() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let deals = the_deals(&app).await;
    // The review held in the week of 2027-03-08 looks back on 03-01 to 03-08: D6, D4 and D2
    // were lost in it (32,000). Only D2's account (b-corp) had an event before the close: Ben's
    // demo request at T0. Cy's request came a day after D6 closed; a-corp has no contact.
    let reply = app
        .gql(
            Some(&deals.team.cmo.access),
            "{ revenueReview(weekOf: \"2027-03-08\") { agenda { lostDeals { lost amount marketingTouched marketingTouchedShare topReasons { reason count } deals { name amount reason competitor marketingTouched closedAt } } } } }",
            json!({}),
        )
        .await;
    let lost = &reply.data("revenueReview")["agenda"]["lostDeals"];
    assert_eq!(lost["lost"], 3);
    close(&lost["amount"], 32_000.0);
    assert_eq!(lost["marketingTouched"], 1);
    close(&lost["marketingTouchedShare"], 1.0 / 3.0);
    assert_eq!(
        lost["topReasons"],
        json!([
            {"reason": "No budget", "count": 1},
            {"reason": "No decision", "count": 1},
            {"reason": "Went with a competitor", "count": 1}
        ])
    );
    let listed: Vec<(&str, bool, &Value)> = lost["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap(),
                d["marketingTouched"].as_bool().unwrap(),
                &d["competitor"],
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("D2", true, &json!("Rivalsoft")),
            ("D6", false, &Value::Null),
            ("D4", false, &Value::Null)
        ]
    );
    // The week after: D3 and D1 were won later, nothing else was lost.
    let next = app
        .gql(
            Some(&deals.team.cmo.access),
            "{ revenueReview(weekOf: \"2027-03-15\") { agenda { lostDeals { lost marketingTouchedShare deals { name } } } } }",
            json!({}),
        )
        .await;
    let next = &next.data("revenueReview")["agenda"]["lostDeals"];
    assert_eq!(next["lost"], 0);
    assert!(next["marketingTouchedShare"].is_null());
}

#[actix_web::test]
async fn bad_win_loss_requests_and_competitors_are_refused() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let cmo = team.cmo.access.as_str();
    let backwards = json!({"from": "2027-03-08T00:00:00Z", "to": "2027-03-01T00:00:00Z"});
    let reply = app
        .gql(Some(cmo), WIN_LOSS, json!({"r": backwards, "g": "SEGMENT"}))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert_eq!(reply.field(), Some("range.to"));
    let reply = app.gql(Some(cmo), WIN_LOSS, json!({"g": "REGION"})).await;
    assert!(reply.raw.contains("errors"), "{}", reply.raw);
    // An API token without `metrics:read` reads no metrics.
    let reply = app.gql(Some(&team.token), WIN_LOSS, json!({})).await;
    assert_eq!(reply.code(), "FORBIDDEN");

    // A competitor longer than 200 characters: refused, nothing written.
    let owner = team.owner.access.as_str();
    let account = app
        .gql(
            Some(owner),
            "mutation { upsertAccounts(accounts: [{domain: \"z-corp.io\", name: \"Z\"}]) { id } }",
            json!({}),
        )
        .await
        .data("upsertAccounts")[0]["id"]
        .clone();
    let long = "x".repeat(201);
    let reply = app
        .gql(
            Some(owner),
            CREATE,
            json!({"input": {"name": "Z", "accountId": account, "amount": 1, "competitor": long}}),
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert_eq!(reply.field(), Some("input.competitor"));
    let deals = app
        .gql(Some(owner), "{ opportunities { totalCount } }", json!({}))
        .await;
    assert_eq!(deals.data("opportunities")["totalCount"], 0);
    let made = app
        .gql(
            Some(owner),
            CREATE,
            json!({"input": {"name": "Z", "accountId": account, "amount": 1, "competitor": "  Rivalsoft  "}}),
        )
        .await;
    let made = made.data("createOpportunity");
    assert_eq!(made["competitor"], "Rivalsoft");
    let reply = app
        .gql(
            Some(owner),
            CLOSE,
            json!({"id": made["id"], "won": false, "r": "Lost", "c": long}),
        )
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert_eq!(reply.field(), Some("competitor"));
    let open = app
        .gql(
            Some(owner),
            "{ opportunities(filter: {status: OPEN}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(open.data("opportunities")["totalCount"], 1);
    // upsertOpportunities names the item's field; a blank competitor clears it.
    let upserted = app
        .gql(
            Some(owner),
            "mutation($o: [OpportunityUpsertInput!]!) { upsertOpportunities(opportunities: $o) { status error { field } } }",
            json!({"o": [
                {"externalId": "x-1", "name": "X", "accountDomain": "z-corp.io", "amount": 5, "competitor": long},
                {"externalId": "x-2", "name": "Y", "accountDomain": "z-corp.io", "amount": 5, "competitor": " Incumbent "}
            ]}),
        )
        .await;
    let results = upserted.data("upsertOpportunities");
    assert_eq!(results[0]["status"], "REJECTED");
    assert_eq!(results[0]["error"]["field"], "opportunities[0].competitor");
    assert_eq!(results[1]["status"], "CREATED");
    let listed = app
        .gql(
            Some(owner),
            "{ opportunities(orderBy: {field: CREATED_AT}) { edges { node { externalId competitor } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data("opportunities")["edges"],
        json!([
            {"node": {"externalId": null, "competitor": "Rivalsoft"}},
            {"node": {"externalId": "x-2", "competitor": "Incumbent"}}
        ])
    );
}

#[actix_web::test]
async fn the_demo_loses_deals_to_a_competitor() {
    use accord_api::demo::{self, DemoArgs};
    let app = TestApp::start().await;
    let args = DemoArgs {
        seed: 7,
        days: 90,
        leads_per_day: 4,
    };
    let report = demo::run(&app.state, &args).await.expect("the demo builds");
    assert!(report.counts.lost >= 2, "{}", report.counts);
    let token = crate::support::people::demo_access_token(&app, &report.email).await;
    let reply = app
        .gql(
            Some(&token),
            "{ winLoss(range: {from: \"2000-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\"}, groupBy: COMPETITOR) { total { lost } groups { key metrics { lost } } } }",
            json!({}),
        )
        .await;
    let win_loss = reply.data("winLoss");
    // Lost deals take turns: to Rivalsoft, for no budget, to Rivalsoft (the i-th loss, from 0,
    // is for no budget when i % 3 == 1).
    assert_eq!(win_loss["total"]["lost"], report.counts.lost);
    let rivalsoft = win_loss["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "Rivalsoft")
        .unwrap_or_else(|| panic!("{win_loss}"));
    let lost = i64::from(report.counts.lost);
    assert_eq!(rivalsoft["metrics"]["lost"], lost - (lost + 1) / 3);
}
