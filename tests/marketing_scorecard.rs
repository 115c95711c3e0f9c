//! Marketing's scorecard: the contract's commitments measured for a month in the contract's
//! time zone (the seed calendar's America/New_York), beside sales' SLA clocks, every figure
//! counted by hand.
//!
//! The contract commits marketing to 3 MQLs a month, an ICP share of 0.5 and a contact
//! completeness of 0.75. The ICP's account criteria: industry Software (30) and 200-5,000
//! employees (20), so an account is in the ICP from a fit of 25 (half of 50). Accounts:
//! b-corp.io (Software, 300: 50), c-corp.io (Software, 50: 30), d-corp.io (Retail, 300: 20).
//! A play starts on `webinar_attended`.
//!
//! - 2027-03-01 04:00 UTC (still 28 February in New York): Eve (b-corp) requests a demo: a
//!   February MQL, whose clocks fall due in March (business hours start Monday 09:00).
//! - T0 = 2027-03-01 15:00 UTC (10:00 in New York): demo requests from Ben (b-corp), Cy
//!   (c-corp), Dee (d-corp), all with a name and a title, and Fay (fay@gmail.com: personal, no
//!   account, no title). Four March MQLs: in the ICP Ben and Cy (2 / 4 = 0.5, met); complete
//!   Ben, Cy and Dee (3 / 4 = 0.75, met); 4 >= 3 delivered (met).
//! - Each March MQL's owner got a LEAD_ASSIGNED trigger whose intel lists the demo request:
//!   4 / 4 MQLs with intel (met). T0 + 1 min Ben attends a webinar: the play enrolls him (a
//!   PLAY_STEP_DUE trigger follows; he already counted).
//! - T0 + 3 min the rep touches Ben: the only first touch inside its 5 minutes. T0 + 1 day the
//!   rep accepts Ben and rejects Cy: two status updates in time.
//! - Sales in March: five first-touch clocks due (Eve, Ben, Cy, Dee, Fay), one met; five
//!   status-update clocks due (48 business hours later), two met: 3 / 10 together.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::support::documents::{INGEST, SIGN_CONTRACT};
use crate::support::fixtures::{team, Team};
use crate::support::icps::{activate_icp, compare, create_icp, rule, upsert_accounts};
use crate::support::TestApp;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 15, 0, 0).unwrap()
}

const SCORECARD: &str = "query($m: String) { marketingScorecard(month: $m) { month from to timeZone complete marketing { ...line } sales { ...line } } } fragment line on ScorecardLineView { commitment target actual met count of }";

fn close(actual: &Value, expected: f64) {
    let value = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!(
        (value - expected).abs() < 1e-9,
        "expected {expected}, got {value}"
    );
}

/// A new version of the active contract with these commitments, signed by both leaders.
async fn commit(app: &TestApp, team: &Team, commitments: Value) {
    let owner = team.owner.access.as_str();
    let active = app
        .gql(Some(owner), "{ leadContract { id terms } }", json!({}))
        .await
        .data("leadContract")
        .clone();
    let draft = app
        .gql(
            Some(owner),
            "mutation($id: ID!) { draftLeadContract(fromId: $id) { id } }",
            json!({"id": active["id"]}),
        )
        .await
        .data("draftLeadContract")["id"]
        .clone();
    let mut terms = active["terms"].clone();
    terms["commitments"] = commitments;
    app.gql(
        Some(owner),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": draft, "t": terms}),
    )
    .await
    .data("updateLeadContract");
    for signer in [&team.cmo, &team.cro] {
        app.gql(Some(&signer.access), SIGN_CONTRACT, json!({"id": draft}))
            .await
            .data("signLeadContract");
    }
}

async fn ingest(app: &TestApp, team: &Team, key: &str, kind: &str, contact: Value) {
    let reply = app
        .gql(
            Some(&team.token),
            INGEST,
            json!({"e": [{"idempotencyKey": key, "type": kind, "contact": contact, "source": "Webinar"}]}),
        )
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED",
        "{}",
        reply.raw
    );
}

async fn lead_id(app: &TestApp, team: &Team, email: &str) -> String {
    app.gql(
        Some(&team.owner.access),
        "query($q: String) { leads(filter: {search: $q}) { edges { node { id } } } }",
        json!({"q": email}),
    )
    .await
    .data("leads")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn the_month(app: &TestApp) -> Team {
    let team = team(app).await;
    commit(
        app,
        &team,
        json!({"mqlsPerMonth": 3, "icpShare": 0.5, "contactCompleteness": 0.75}),
    )
    .await;
    let icp = create_icp(
        app,
        &team.owner,
        json!({"name": "Software", "motion": "LAND", "accountCriteria": [
            rule("Software", 30, compare("account.industry", "EQ", json!("Software"))),
            rule("Size", 20, compare("account.employees", "BETWEEN", json!([200, 5000]))),
        ], "contactCriteria": []}),
    )
    .await;
    activate_icp(app, &team.owner, &icp["id"]).await;
    // After the activation, so their fit is scored as they are written.
    upsert_accounts(
        app,
        &team.owner,
        json!([
            {"domain": "b-corp.io", "name": "B Corp", "industry": "Software", "employees": 300},
            {"domain": "c-corp.io", "name": "C Corp", "industry": "Software", "employees": 50},
            {"domain": "d-corp.io", "name": "D Corp", "industry": "Retail", "employees": 300},
        ]),
    )
    .await;
    let owner = team.owner.access.as_str();
    let cadence = app
        .gql(
            Some(owner),
            "{ cadences { edges { node { id } } } }",
            json!({}),
        )
        .await
        .data("cadences")["edges"][0]["node"]["id"]
        .clone();
    let play = app
        .gql(
            Some(owner),
            "mutation($c: ID!) { createPlay(input: {name: \"Webinar follow-up\", cadenceId: $c, trigger: {kind: EVENT, eventTypes: [\"webinar_attended\"]}}) { id } }",
            json!({"c": cadence}),
        )
        .await
        .data("createPlay")["id"]
        .clone();
    app.gql(
        Some(owner),
        "mutation($id: ID!) { activatePlay(id: $id) { status } }",
        json!({"id": play}),
    )
    .await
    .data("activatePlay");

    let clock = &app.state.clock;
    clock.freeze_at(t0() - Duration::hours(11));
    let person = |email: &str, title: Option<&str>| json!({"email": email, "name": email.split('@').next(), "title": title});
    ingest(
        app,
        &team,
        "eve",
        "demo_request",
        person("eve@b-corp.io", Some("CFO")),
    )
    .await;
    clock.advance_to(t0());
    for (email, title) in [
        ("ben@b-corp.io", Some("VP Sales")),
        ("cy@c-corp.io", Some("Head of Sales")),
        ("dee@d-corp.io", Some("COO")),
        ("fay@gmail.com", None),
    ] {
        ingest(app, &team, email, "demo_request", person(email, title)).await;
    }
    clock.advance_to(t0() + Duration::minutes(1));
    ingest(
        app,
        &team,
        "ben-webinar",
        "webinar_attended",
        person("ben@b-corp.io", Some("VP Sales")),
    )
    .await;
    clock.advance_to(t0() + Duration::minutes(2));
    accord_api::jobs::run_due(&app.state)
        .await
        .expect("jobs run");
    clock.advance_to(t0() + Duration::minutes(3));
    let ben = lead_id(app, &team, "ben@b-corp.io").await;
    let cy = lead_id(app, &team, "cy@c-corp.io").await;
    let rep = team.rep.access.as_str();
    app.gql(
        Some(rep),
        "mutation($l: ID!) { logTouch(input: {leadId: $l, channel: CALL, outcome: CONNECTED}) { touch { id } } }",
        json!({"l": ben}),
    )
    .await
    .data("logTouch");
    clock.advance_to(t0() + Duration::days(1));
    app.gql(
        Some(rep),
        "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
        json!({"id": ben}),
    )
    .await
    .data("acceptLead");
    app.gql(
        Some(rep),
        "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { stage } }",
        json!({"id": cy}),
    )
    .await
    .data("rejectLead");
    team
}

/// (commitment, met, count, of) of each line.
fn lines(side: &Value) -> Vec<(String, Value, i64, i64)> {
    side.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["commitment"].as_str().unwrap().to_owned(),
                l["met"].clone(),
                l["count"].as_i64().unwrap(),
                l["of"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn line(name: &str, met: Value, count: i64, of: i64) -> (String, Value, i64, i64) {
    (name.to_owned(), met, count, of)
}

#[actix_web::test]
async fn the_scorecard_measures_both_sides_of_the_contract() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = the_month(&app).await;
    // 22:00 on 31 March in New York: the default month is still March, not over yet.
    app.state
        .clock
        .advance_to(Utc.with_ymd_and_hms(2027, 4, 1, 2, 0, 0).unwrap());
    let reply = app.gql(Some(&team.cmo.access), SCORECARD, json!({})).await;
    let card = reply.data("marketingScorecard");
    assert_eq!(card["month"], "2027-03");
    assert_eq!(card["timeZone"], "America/New_York");
    assert_eq!(card["complete"], false);
    // New York midnights: EST on 1 March, EDT on 1 April.
    let instant = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        instant(&card["from"]),
        Utc.with_ymd_and_hms(2027, 3, 1, 5, 0, 0).unwrap()
    );
    assert_eq!(
        instant(&card["to"]),
        Utc.with_ymd_and_hms(2027, 4, 1, 4, 0, 0).unwrap()
    );
    assert_eq!(
        lines(&card["marketing"]),
        vec![
            line("MQL_VOLUME", json!(true), 4, 4),
            line("ICP_SHARE", json!(true), 2, 4),
            line("CONTACT_COMPLETENESS", json!(true), 3, 4),
            line("MQLS_WITH_INTEL", json!(true), 4, 4),
        ]
    );
    let marketing = &card["marketing"];
    close(&marketing[0]["target"], 3.0);
    close(&marketing[0]["actual"], 4.0);
    close(&marketing[1]["target"], 0.5);
    close(&marketing[1]["actual"], 0.5);
    close(&marketing[2]["target"], 0.75);
    close(&marketing[2]["actual"], 0.75);
    close(&marketing[3]["target"], 1.0);
    close(&marketing[3]["actual"], 1.0);
    assert_eq!(
        lines(&card["sales"]),
        vec![
            line("SLA_COMPLIANCE", json!(false), 3, 10),
            line("FIRST_TOUCH_SLA", json!(false), 1, 5),
            line("STATUS_UPDATE_SLA", json!(false), 2, 5),
        ]
    );
    close(&card["sales"][0]["actual"], 0.3);

    // Any day names its month; February holds Eve only, and no clock fell due in it.
    let same = app
        .gql(
            Some(&team.cmo.access),
            SCORECARD,
            json!({"m": "2027-03-15"}),
        )
        .await;
    assert_eq!(
        same.data("marketingScorecard")["marketing"],
        card["marketing"]
    );
    let february = app
        .gql(Some(&team.cmo.access), SCORECARD, json!({"m": "2027-02"}))
        .await;
    let february = february.data("marketingScorecard");
    assert_eq!(february["complete"], true);
    assert_eq!(
        lines(&february["marketing"])[..3],
        [
            line("MQL_VOLUME", json!(false), 1, 1),
            line("ICP_SHARE", json!(true), 1, 1),
            line("CONTACT_COMPLETENESS", json!(true), 1, 1),
        ]
    );
    for sales in february["sales"].as_array().unwrap() {
        assert!(
            sales["actual"].is_null() && sales["met"].is_null(),
            "{sales}"
        );
        assert_eq!(sales["of"], 0);
    }
}

#[actix_web::test]
async fn a_month_that_is_no_month_is_refused() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    for bad in ["2027-13", "March", "2027-02-30"] {
        let reply = app
            .gql(Some(&team.cmo.access), SCORECARD, json!({"m": bad}))
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{bad}");
        assert_eq!(reply.field(), Some("month"), "{bad}");
    }
    let reply = app.gql(Some(&team.token), SCORECARD, json!({})).await;
    assert_eq!(reply.code(), "FORBIDDEN");
}
