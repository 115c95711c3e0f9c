//! `attribution` on the README's worked example, played through the API, every figure derived
//! by hand in the comments (the rules: `api/src/domain/metrics/attribution.rs`).
//!
//! March 2027 (clock frozen, UTC). Sources Webinar (WEBINAR) and Paid Search (PAID_SEARCH);
//! campaigns "Spring webinar" (Webinar) and "Search Q1" (Paid Search).
//! - Ana: Mar 1 09:00 webinar_attended (Spring webinar); Mar 2 09:00 pricing_page_visit
//!   (Search Q1); Mar 3 09:00 demo_request (Spring webinar): a HOT MQL; Mar 4 09:00 the rep's
//!   email (REPLIED); Mar 5 09:00 case_study_download (Search Q1); her 20,000 deal is created
//!   Mar 6 09:00 and won Mar 8 09:00; a session (Spring webinar) on Mar 7, after the deal,
//!   does not count.
//! - Ben: Mar 2 10:00 demo_request (Search Q1), a HOT MQL; his 10,000 deal is created Mar 6
//!   10:00 and stays open.
//! - A 5,000 deal at E Corp created Mar 7 09:00 from no lead.
//! - Spend for March: 3,100 on Spring webinar, 6,200 on Search Q1.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::documents::INGEST;
use crate::support::fixtures::{team, Team};
use crate::support::TestApp;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, day, hour, 0, 0).unwrap()
}

const CREDIT: &str = "opportunities pipeline won revenue spend costPerOpportunity returnOnSpend";

fn report_query(arguments: &str) -> String {
    format!(
        "{{ attribution{arguments} {{ model groupBy from to total {{ {CREDIT} }} groups {{ key name salesTouches credit {{ {CREDIT} }} }} }} }}"
    )
}

const MARCH: &str = "range: {from: \"2027-03-01T00:00:00Z\", to: \"2027-04-01T00:00:00Z\"}";

async fn owner_does(app: &TestApp, team: &Team, query: &str, vars: Value, field: &str) -> Value {
    app.gql(Some(&team.owner.access), query, vars)
        .await
        .data(field)
        .clone()
}

async fn rep_does(app: &TestApp, team: &Team, query: &str, vars: Value, field: &str) -> Value {
    app.gql(Some(&team.rep.access), query, vars)
        .await
        .data(field)
        .clone()
}

async fn event(
    app: &TestApp,
    team: &Team,
    email: &str,
    kind: &str,
    source: &str,
    campaign: &Value,
) {
    let key = format!("{email}-{kind}-{}", app.state.clock.now().timestamp());
    let events = json!([{"idempotencyKey": key, "type": kind,
        "contact": {"email": email, "name": email}, "source": source, "campaignId": campaign}]);
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

async fn lead_id(app: &TestApp, team: &Team, email: &str) -> String {
    let reply = app
        .gql(
            Some(&team.owner.access),
            "query($q: String) { leads(filter: {search: $q}) { edges { node { id } } } }",
            json!({"q": email}),
        )
        .await;
    reply.data("leads")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Plays the month; returns the team, the two campaigns' ids (webinar, search) and the two
/// leads' deals (Ana's, Ben's).
async fn the_month(app: &TestApp) -> (Team, Value, Value, Vec<Value>) {
    let team = team(app).await;
    let clock = &app.state.clock;
    clock.freeze_at(at(1, 8));
    let source = |name: &'static str, kind: &'static str| {
        let team = &team;
        async move {
            owner_does(
                app,
                team,
                "mutation($n: String!, $k: SourceKind!) { createSource(input: {name: $n, kind: $k}) { id } }",
                json!({"n": name, "k": kind}),
                "createSource",
            )
            .await["id"]
                .clone()
        }
    };
    let webinar_source = source("Webinar", "WEBINAR").await;
    let search_source = source("Paid Search", "PAID_SEARCH").await;
    let campaign = |name: &'static str, source: Value| {
        let team = &team;
        async move {
            owner_does(
                app,
                team,
                "mutation($n: String!, $s: ID) { createCampaign(input: {name: $n, sourceId: $s}) { id } }",
                json!({"n": name, "s": source}),
                "createCampaign",
            )
            .await["id"]
                .clone()
        }
    };
    let webinar = campaign("Spring webinar", webinar_source).await;
    let search = campaign("Search Q1", search_source).await;
    for (id, amount) in [(&webinar, 3_100), (&search, 6_200)] {
        owner_does(
            app,
            &team,
            "mutation($c: ID!, $a: Float!) { recordSpend(input: {campaignId: $c, month: \"2027-03\", amount: $a}) { id } }",
            json!({"c": id, "a": amount}),
            "recordSpend",
        )
        .await;
    }
    let e_corp = owner_does(
        app,
        &team,
        "mutation { upsertAccounts(accounts: [{domain: \"e-corp.io\", name: \"E Corp\"}]) { id } }",
        json!({}),
        "upsertAccounts",
    )
    .await[0]["id"]
        .clone();

    let (ana, ben) = ("ana@a-corp.io", "ben@b-corp.io");
    clock.advance_to(at(1, 9));
    event(app, &team, ana, "webinar_attended", "Webinar", &webinar).await;
    clock.advance_to(at(2, 9));
    event(
        app,
        &team,
        ana,
        "pricing_page_visit",
        "Paid Search",
        &search,
    )
    .await;
    clock.advance_to(at(2, 10));
    event(app, &team, ben, "demo_request", "Paid Search", &search).await;
    clock.advance_to(at(3, 9));
    event(app, &team, ana, "demo_request", "Webinar", &webinar).await;
    let (ana_id, ben_id) = (
        lead_id(app, &team, ana).await,
        lead_id(app, &team, ben).await,
    );
    clock.advance_to(at(4, 9));
    rep_does(
        app,
        &team,
        "mutation($l: ID!) { logTouch(input: {leadId: $l, channel: EMAIL, outcome: REPLIED}) { touch { id } } }",
        json!({"l": ana_id}),
        "logTouch",
    )
    .await;
    clock.advance_to(at(4, 10));
    for lead in [&ana_id, &ben_id] {
        let accepted = rep_does(
            app,
            &team,
            "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
            json!({"id": lead}),
            "acceptLead",
        )
        .await;
        assert_eq!(accepted["stage"], "SAL");
    }
    clock.advance_to(at(5, 9));
    event(
        app,
        &team,
        ana,
        "case_study_download",
        "Paid Search",
        &search,
    )
    .await;
    clock.advance_to(at(5, 10));
    for lead in [&ana_id, &ben_id] {
        rep_does(
            app,
            &team,
            "mutation($id: ID!) { qualifyLead(id: $id, bant: {budget: \"yes\", authority: \"VP\", need: \"pipeline\", timing: \"Q2\"}) { stage } }",
            json!({"id": lead}),
            "qualifyLead",
        )
        .await;
    }
    let mut deals = Vec::new();
    for (hour, lead, amount) in [(9, &ana_id, 20_000), (10, &ben_id, 10_000)] {
        clock.advance_to(at(6, hour));
        let deal = rep_does(
            app,
            &team,
            "mutation($id: ID!, $a: Float!) { convertLead(id: $id, input: {name: \"Deal\", amount: $a}) { id } }",
            json!({"id": lead, "a": amount}),
            "convertLead",
        )
        .await;
        deals.push(deal["id"].clone());
    }
    clock.advance_to(at(7, 9));
    owner_does(
        app,
        &team,
        "mutation($a: ID!) { createOpportunity(input: {name: \"E Corp\", accountId: $a, amount: 5000}) { id } }",
        json!({"a": e_corp}),
        "createOpportunity",
    )
    .await;
    clock.advance_to(at(7, 12));
    event(app, &team, ana, "session", "Webinar", &webinar).await;
    clock.advance_to(at(8, 9));
    let won = rep_does(
        app,
        &team,
        "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage } }",
        json!({"id": deals[0]}),
        "closeOpportunity",
    )
    .await;
    assert_eq!(won["stage"], "CLOSED_WON");
    clock.advance_to(at(8, 12));
    (team, webinar, search, deals)
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

/// Asserts a credit (or a group's): opportunities, pipeline, won, revenue, spend, cost per
/// opportunity and return on spend (`None` for null).
fn credit(actual: &Value, expected: [f64; 5], cost: Option<f64>, ros: Option<f64>) {
    let actual = actual.get("credit").unwrap_or(actual);
    let fields = ["opportunities", "pipeline", "won", "revenue", "spend"];
    for (field, want) in fields.iter().zip(expected) {
        close(&actual[field], want);
    }
    for (field, want) in [("costPerOpportunity", cost), ("returnOnSpend", ros)] {
        match want {
            Some(want) => close(&actual[field], want),
            None => assert!(actual[field].is_null(), "{field}: {actual}"),
        }
    }
}

fn by_name<'a>(groups: &'a Value, name: &str) -> &'a Value {
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {groups}"))
}

#[actix_web::test]
async fn w_shaped_and_the_other_models_credit_the_worked_example() {
    let app = TestApp::start().await;
    let (team, webinar, search, _) = the_month(&app).await;
    let cmo = Some(team.cmo.access.as_str());

    let reply = app
        .gql(cmo, &report_query(&format!("({MARCH})")), json!({}))
        .await;
    let report = reply.data("attribution");
    assert_eq!(report["model"], "W_SHAPED");
    assert_eq!(report["groupBy"], "CAMPAIGN");
    // Totals: three deals created in March (20,000 + 10,000 + 5,000), Ana's won; spend 3,100
    // + 6,200 = 9,300; 9,300 / 3 = 3,100 per opportunity; 20,000 / 9,300 back per unit.
    credit(
        &report["total"],
        [3.0, 35_000.0, 1.0, 20_000.0, 9_300.0],
        Some(3_100.0),
        Some(20_000.0 / 9_300.0),
    );
    let groups = &report["groups"];
    let names: Vec<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Unattributed",
            "Sales touches",
            "Spring webinar",
            "Search Q1"
        ]
    );
    // E Corp's deal has no lead: all Unattributed.
    let none = by_name(groups, "Unattributed");
    assert!(none["key"].is_null() && none["salesTouches"] == false);
    credit(none, [1.0, 5_000.0, 0.0, 0.0, 0.0], Some(0.0), None);
    // Ana's five touchpoints up to her deal (Mar 1, 2, 3, 4, 5): first touch Mar 1 (webinar)
    // and MQL touch Mar 3 (webinar, her demo request) 30% each, opportunity-creation touch
    // Mar 5 (search) 30%, the others (Mar 2 search, Mar 4 the rep) 5% each. Ben's one
    // touchpoint holds all three positions: 100% search.
    let sales = by_name(groups, "Sales touches");
    assert!(sales["key"].is_null() && sales["salesTouches"] == true);
    credit(sales, [0.05, 1_000.0, 0.05, 1_000.0, 0.0], Some(0.0), None);
    // Webinar: 60% of 20,000 = 12,000; 3,100 / 0.6 = 5,166.67; 12,000 / 3,100 = 3.87.
    let w = by_name(groups, "Spring webinar");
    assert_eq!(w["key"], webinar);
    credit(
        w,
        [0.6, 12_000.0, 0.6, 12_000.0, 3_100.0],
        Some(3_100.0 / 0.6),
        Some(12_000.0 / 3_100.0),
    );
    // Search: 35% of Ana (7,000) and Ben (10,000): 1.35 opportunities, 17,000; revenue
    // 7,000; 6,200 / 1.35 = 4,592.59; 7,000 / 6,200 = 1.13.
    let s = by_name(groups, "Search Q1");
    assert_eq!(s["key"], search);
    credit(
        s,
        [1.35, 17_000.0, 0.35, 7_000.0, 6_200.0],
        Some(6_200.0 / 1.35),
        Some(7_000.0 / 6_200.0),
    );

    // First touch: Ana's Mar 1 webinar event, Ben's search event.
    let first = app
        .gql(
            cmo,
            &report_query(&format!("(model: FIRST_TOUCH, {MARCH})")),
            json!({}),
        )
        .await;
    let groups = &first.data("attribution")["groups"];
    credit(
        by_name(groups, "Spring webinar"),
        [1.0, 20_000.0, 1.0, 20_000.0, 3_100.0],
        Some(3_100.0),
        Some(20_000.0 / 3_100.0),
    );
    credit(
        by_name(groups, "Search Q1"),
        [1.0, 10_000.0, 0.0, 0.0, 6_200.0],
        Some(6_200.0),
        Some(0.0),
    );
    // Last touch: Ana's last touchpoint before her deal is the Mar 5 search event.
    let last = app
        .gql(
            cmo,
            &report_query(&format!("(model: LAST_TOUCH, {MARCH})")),
            json!({}),
        )
        .await;
    let groups = &last.data("attribution")["groups"];
    credit(
        by_name(groups, "Search Q1"),
        [2.0, 30_000.0, 1.0, 20_000.0, 6_200.0],
        Some(3_100.0),
        Some(20_000.0 / 6_200.0),
    );
    credit(
        by_name(groups, "Spring webinar"),
        [0.0, 0.0, 0.0, 0.0, 3_100.0],
        None,
        Some(0.0),
    );
    // Linear: a fifth of Ana each: webinar 2/5 (8,000), search 2/5 (8,000) + Ben, the rep 1/5.
    let linear = app
        .gql(
            cmo,
            &report_query(&format!("(model: LINEAR, {MARCH})")),
            json!({}),
        )
        .await;
    let groups = &linear.data("attribution")["groups"];
    credit(
        by_name(groups, "Sales touches"),
        [0.2, 4_000.0, 0.2, 4_000.0, 0.0],
        Some(0.0),
        None,
    );
    credit(
        by_name(groups, "Search Q1"),
        [1.4, 18_000.0, 0.4, 8_000.0, 6_200.0],
        Some(6_200.0 / 1.4),
        Some(8_000.0 / 6_200.0),
    );
}

#[actix_web::test]
async fn sources_channels_the_default_range_and_who_may_ask() {
    let app = TestApp::start().await;
    let (team, _, _, _) = the_month(&app).await;
    let cmo = Some(team.cmo.access.as_str());

    // By source the campaigns' events and spend roll up to their sources; by channel to the
    // sources' kinds. Same shares as by campaign.
    let by_source = app
        .gql(
            cmo,
            &report_query(&format!("(groupBy: SOURCE, {MARCH})")),
            json!({}),
        )
        .await;
    let groups = &by_source.data("attribution")["groups"];
    credit(
        by_name(groups, "Webinar"),
        [0.6, 12_000.0, 0.6, 12_000.0, 3_100.0],
        Some(3_100.0 / 0.6),
        Some(12_000.0 / 3_100.0),
    );
    let by_channel = app
        .gql(
            cmo,
            &report_query(&format!("(groupBy: CHANNEL, {MARCH})")),
            json!({}),
        )
        .await;
    let report = by_channel.data("attribution");
    assert_eq!(report["groupBy"], "CHANNEL");
    let keys: Vec<&Value> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["key"])
        .collect();
    assert_eq!(
        keys,
        [
            &Value::Null,
            &Value::Null,
            &json!("PAID_SEARCH"),
            &json!("WEBINAR")
        ]
    );
    credit(
        by_name(&report["groups"], "PAID_SEARCH"),
        [1.35, 17_000.0, 0.35, 7_000.0, 6_200.0],
        Some(6_200.0 / 1.35),
        Some(7_000.0 / 6_200.0),
    );

    // Without arguments: W_SHAPED by CAMPAIGN over the 90 days up to now (Mar 8 12:00). The
    // same deals; March's spend up to now is 7.5 of 31 days: 9,300 x 7.5 / 31 = 2,250, so
    // 750 per opportunity and 20,000 / 2,250 back.
    let default = app.gql(cmo, &report_query(""), json!({})).await;
    let report = default.data("attribution");
    assert_eq!(report["model"], "W_SHAPED");
    assert_eq!(report["groupBy"], "CAMPAIGN");
    let to: DateTime<Utc> = report["to"].as_str().unwrap().parse().unwrap();
    let from: DateTime<Utc> = report["from"].as_str().unwrap().parse().unwrap();
    assert_eq!(to, at(8, 12));
    assert_eq!(from, at(8, 12) - Duration::days(90));
    credit(
        &report["total"],
        [3.0, 35_000.0, 1.0, 20_000.0, 2_250.0],
        Some(750.0),
        Some(20_000.0 / 2_250.0),
    );
    // April: nothing created, won or spent.
    let april = app
        .gql(
            cmo,
            &report_query(
                "(range: {from: \"2027-04-01T00:00:00Z\", to: \"2027-05-01T00:00:00Z\"})",
            ),
            json!({}),
        )
        .await;
    let report = april.data("attribution");
    credit(&report["total"], [0.0; 5], None, None);
    assert_eq!(report["groups"], json!([]));

    // A range that ends before it starts names the field; a viewer reads, a token without
    // `metrics:read` does not.
    let backwards = app
        .gql(
            cmo,
            &report_query(
                "(range: {from: \"2027-04-01T00:00:00Z\", to: \"2027-03-01T00:00:00Z\"})",
            ),
            json!({}),
        )
        .await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT");
    assert_eq!(backwards.field(), Some("range.to"));
    let viewer = app.member(&team.owner, "VIEWER").await;
    let read = app
        .gql(
            Some(&viewer.access),
            &report_query(&format!("({MARCH})")),
            json!({}),
        )
        .await;
    close(&read.data("attribution")["total"]["pipeline"], 35_000.0);
    let refused = app
        .gql(
            Some(&team.token),
            &report_query(&format!("({MARCH})")),
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let (reader, _) = app.api_token(&team.owner, &["metrics:read"]).await;
    let read = app
        .gql(
            Some(&reader),
            &report_query(&format!("({MARCH})")),
            json!({}),
        )
        .await;
    close(&read.data("attribution")["total"]["revenue"], 20_000.0);
}

/// The credit lines the job keeps report what the history does; whatever changes a deal's
/// credit makes it due again and it is credited from its history until the job keeps it anew:
/// an event that arrives late, stamped before the deal was created, and an edit of the deal.
#[actix_web::test]
async fn kept_credit_follows_late_history_and_deal_edits() {
    let app = TestApp::start().await;
    let (team, webinar, search, deals) = the_month(&app).await;
    let cmo = Some(team.cmo.access.as_str());
    let read = || async {
        app.gql(cmo, &report_query(&format!("({MARCH})")), json!({}))
            .await
            .data("attribution")
            .clone()
    };
    let kept_lines = || async {
        let row = app
            .db()
            .query_one_raw(sea_orm::Statement::from_string(
                app.db().get_database_backend(),
                "SELECT COUNT(*) AS n FROM deal_credits",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    let from_history = read().await;
    assert_eq!(kept_lines().await, 0, "the job has not run");
    accord_api::jobs::run_due(&app.state).await.unwrap();
    // Three deals, four models: Ana's lines (3 keys under W_SHAPED and LINEAR, 1 under first and
    // last touch), Ben's (1 each), E Corp's (1 each): 8 + 4 + 4.
    assert_eq!(kept_lines().await, 16);
    assert_eq!(
        read().await,
        from_history,
        "kept lines report what the history does"
    );

    // A webinar event for Ben arrives late, stamped Mar 1 09:00, before his deal (Mar 6 10:00):
    // his touchpoints are now Mar 1 webinar (first touch) and Mar 2 10:00 search (MQL touch and
    // opportunity-creation touch), a third and two thirds. Search: Ana's 0.35 + 2/3 = 1.0167,
    // 7,000 + 6,666.67; webinar: Ana's 0.6 + 1/3 = 0.9333, 12,000 + 3,333.33.
    let late = json!([{"idempotencyKey": "ben-late-webinar", "type": "webinar_attended",
        "occurredAt": at(1, 9), "contact": {"email": "ben@b-corp.io", "name": "Ben"},
        "source": "Webinar", "campaignId": webinar}]);
    let reply = app.gql(Some(&team.token), INGEST, json!({"e": late})).await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED"
    );
    let check = |report: &Value| {
        let groups = &report["groups"];
        let s = by_name(groups, "Search Q1");
        assert_eq!(s["key"], search);
        credit(
            s,
            [
                0.35 + 2.0 / 3.0,
                7_000.0 + 20_000.0 / 3.0,
                0.35,
                7_000.0,
                6_200.0,
            ],
            Some(6_200.0 / (0.35 + 2.0 / 3.0)),
            Some(7_000.0 / 6_200.0),
        );
        let w = by_name(groups, "Spring webinar");
        credit(
            w,
            [
                0.6 + 1.0 / 3.0,
                12_000.0 + 10_000.0 / 3.0,
                0.6,
                12_000.0,
                3_100.0,
            ],
            Some(3_100.0 / (0.6 + 1.0 / 3.0)),
            Some(12_000.0 / 3_100.0),
        );
    };
    check(&read().await);
    assert_eq!(kept_lines().await, 12, "Ben's deal is due again");
    accord_api::jobs::run_due(&app.state).await.unwrap();
    // Ben's lines: two keys under W_SHAPED and LINEAR, one under first and last touch.
    assert_eq!(kept_lines().await, 18);
    check(&read().await);

    // Ben's deal grows to 13,000: his two thirds of search are 8,666.67, his third of the
    // webinar 4,333.33.
    rep_does(
        &app,
        &team,
        "mutation($id: ID!) { updateOpportunity(id: $id, input: {amount: 13000}) { amount } }",
        json!({"id": deals[1]}),
        "updateOpportunity",
    )
    .await;
    let grown = |report: &Value| {
        let groups = &report["groups"];
        close(
            &by_name(groups, "Search Q1")["credit"]["pipeline"],
            7_000.0 + 26_000.0 / 3.0,
        );
        close(
            &by_name(groups, "Spring webinar")["credit"]["pipeline"],
            12_000.0 + 13_000.0 / 3.0,
        );
        close(&report["total"]["pipeline"], 38_000.0);
    };
    grown(&read().await);
    accord_api::jobs::run_due(&app.state).await.unwrap();
    grown(&read().await);
}
