//! Working the lead: accept, reject inside the window (and not after), dispute and resolve,
//! qualify, convert, recycle, reassign; and the source rule pausing a source whose rejection
//! rate stayed above 20% for two completed months, and resuming it with a fresh window.

use chrono::{Duration, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team, Team},
    TestApp,
};

async fn stage_of(app: &TestApp, team: &Team, id: &str) -> Value {
    app.gql(
        Some(&team.owner.access),
        "query($id: ID!) { lead(id: $id) { stage tags owner { id } } }",
        json!({"id": id}),
    )
    .await
    .data("lead")
    .clone()
}

#[actix_web::test]
async fn the_owner_accepts_qualifies_and_converts() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let id = hot_lead(&app, &team, "ana@acme.com", "Website").await;
    assert_eq!(stage_of(&app, &team, &id).await["stage"], "MQL");

    let other_rep = app.member(&team.owner, "REP").await;
    let stranger = app
        .gql(
            Some(&other_rep.access),
            "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        stranger.code(),
        "FORBIDDEN",
        "only the owner, their manager or a leader"
    );

    let accepted = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(accepted.data("acceptLead")["stage"], "SAL");
    let twice = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(twice.code(), "BAD_USER_INPUT");
    assert!(
        twice.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SAL"),
        "{}",
        twice.raw
    );

    let qualified = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { qualifyLead(id: $id, bant: {budget: \"$40k approved\", authority: \"VP signs\", need: \"routing chaos\", timing: \"this quarter\"}) { stage stageHistory { nodes { to reason } } } }",
            json!({"id": id}),
        )
        .await;
    let lead = qualified.data("qualifyLead");
    assert_eq!(lead["stage"], "SQL");
    assert!(lead["stageHistory"]["nodes"][2]["reason"]
        .as_str()
        .unwrap()
        .contains("$40k approved"));

    // The lead has no account (personal? no: acme.com is a business domain, so it has one).
    let opp = app
        .gql(Some(&team.rep.access), "mutation($id: ID!) { convertLead(id: $id, input: {name: \"Acme deal\", amount: 40000}) { stage amount source { name } lead { stage } } }", json!({"id": id}))
        .await;
    let opp = opp.data("convertLead");
    assert_eq!(opp["stage"], "DISCOVERY");
    assert_eq!(opp["source"]["name"], "Website");
    assert_eq!(opp["lead"]["stage"], "OPPORTUNITY");
}

#[actix_web::test]
async fn rejections_need_a_reason_inside_the_window_and_can_be_disputed() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let id = hot_lead(&app, &team, "bo@globex.com", "Website").await;
    let reject = "mutation($id: ID!, $r: RejectionReason!, $n: String) { rejectLead(id: $id, reason: $r, note: $n) { stage } }";
    let no_note = app
        .gql(
            Some(&team.rep.access),
            reject,
            json!({"id": id, "r": "OTHER"}),
        )
        .await;
    assert_eq!(no_note.field(), Some("note"));
    let rejected = app
        .gql(
            Some(&team.rep.access),
            reject,
            json!({"id": id, "r": "NO_BUDGET"}),
        )
        .await;
    assert_eq!(rejected.data("rejectLead")["stage"], "NURTURE");

    let listed = app.gql(Some(&team.marketer.access), "{ rejections(filter: {reason: [NO_BUDGET]}) { totalCount edges { node { id reason lead { id } source { name } } } } }", json!({})).await;
    let rejection = listed.data("rejections")["edges"][0]["node"].clone();
    assert_eq!(listed.data("rejections")["totalCount"], 1);
    assert_eq!(rejection["source"]["name"], "Website");

    let dispute = "mutation($id: ID!) { disputeRejection(id: $id, note: \"They booked a budget call yesterday\") { disputedAt } }";
    let by_rep = app
        .gql(
            Some(&team.rep.access),
            dispute,
            json!({"id": rejection["id"]}),
        )
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN", "marketing disputes");
    let disputed = app
        .gql(
            Some(&team.marketer.access),
            dispute,
            json!({"id": rejection["id"]}),
        )
        .await;
    assert!(disputed.data("disputeRejection")["disputedAt"].is_string());
    let cro_inbox = app
        .gql(Some(&team.cro.access), "{ triggers { kind } }", json!({}))
        .await;
    assert!(cro_inbox
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["kind"] == "REJECTION_DISPUTED"));

    let resolved = app
        .gql(
            Some(&team.cmo.access),
            "mutation($id: ID!) { resolveDispute(id: $id, upheld: true) { resolution } }",
            json!({"id": rejection["id"]}),
        )
        .await;
    assert_eq!(resolved.data("resolveDispute")["resolution"], "UPHELD");
    let back = stage_of(&app, &team, &id).await;
    assert_eq!(back["stage"], "MQL");
    assert_eq!(
        back["owner"]["id"],
        json!(team.rep.user_id),
        "the lead returns to its rep"
    );

    // After the 48-hour window, rejection is refused.
    let late = hot_lead(&app, &team, "cy@initech.com", "Website").await;
    let db = app.db();
    let past = (Utc::now() - Duration::hours(49)).to_rfc3339();
    let sql = if app.state.config.is_sqlite() {
        format!(
            "UPDATE contacts SET assigned_at = '{past}' WHERE id = x'{}'",
            late.replace('-', "")
        )
    } else {
        format!("UPDATE contacts SET assigned_at = '{past}' WHERE id = '{late}'")
    };
    db.execute_unprepared(&sql).await.unwrap();
    let closed = app
        .gql(
            Some(&team.rep.access),
            reject,
            json!({"id": late, "r": "BAD_TIMING"}),
        )
        .await;
    assert_eq!(closed.code(), "SLA_WINDOW_CLOSED", "{}", closed.raw);
    assert_eq!(
        stage_of(&app, &team, &late).await["stage"],
        "MQL",
        "nothing changed"
    );
}

#[actix_web::test]
async fn recycling_and_reassigning() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let id = hot_lead(&app, &team, "di@umbrella.com", "Website").await;
    let check_back = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { recycleLead(id: $id, tag: CHECK_BACK) { stage } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(check_back.field(), Some("until"));
    let recycled = app
        .gql(Some(&team.rep.access), "mutation($id: ID!) { recycleLead(id: $id, tag: CHECK_BACK, until: \"2027-03-01\") { stage tags } }", json!({"id": id}))
        .await;
    assert_eq!(
        recycled.data("recycleLead"),
        &json!({"stage": "NURTURE", "tags": ["CHECK_BACK"]})
    );

    // A rep out of office is skipped: with nobody else in the rule, the lead waits unassigned.
    let away = app
        .gql(Some(&team.rep.access), "mutation($id: ID!) { setMemberAvailability(memberId: $id, outOfOffice: true) { outOfOffice } }", json!({"id": team.rep.member_id}))
        .await;
    assert_eq!(away.data("setMemberAvailability")["outOfOffice"], true);
    let waiting = hot_lead(&app, &team, "fy@vandelay.com", "Website").await;
    let lead = app
        .gql(
            Some(&team.owner.access),
            "query($id: ID!) { lead(id: $id) { stage owner { id } routing } }",
            json!({"id": waiting}),
        )
        .await;
    assert_eq!(lead.data("lead")["owner"], Value::Null);
    assert!(lead.data("lead")["routing"]["explanation"]
        .as_str()
        .unwrap()
        .contains("out of office"));
    app.gql(Some(&team.rep.access), "mutation($id: ID!) { setMemberAvailability(memberId: $id, outOfOffice: false) { outOfOffice } }", json!({"id": team.rep.member_id}))
        .await
        .data("setMemberAvailability");

    let other = hot_lead(&app, &team, "ed@hooli.com", "Website").await;
    let second_rep = app.member(&team.owner, "REP").await;
    let by_rep = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!, $u: ID!) { assignLead(id: $id, userId: $u) { owner { id } } }",
            json!({"id": other, "u": second_rep.user_id}),
        )
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
    let moved = app.gql(Some(&team.cro.access), "mutation($id: ID!, $u: ID!) { assignLead(id: $id, userId: $u) { owner { id } routing } }", json!({"id": other, "u": second_rep.user_id})).await;
    assert_eq!(
        moved.data("assignLead")["owner"]["id"],
        json!(second_rep.user_id)
    );
    let inbox = app
        .gql(
            Some(&second_rep.access),
            "{ triggers { kind lead { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(inbox.data("triggers")[0]["kind"], "LEAD_ASSIGNED");
}

#[actix_web::test]
async fn a_source_rejected_above_twenty_percent_two_months_running_is_paused() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    // This month: 10 MQLs from "Cheap list", 3 of them rejected (30%).
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(hot_lead(&app, &team, &format!("lead{i}@cheap{i}.io"), "Cheap list").await);
    }
    let reject = "mutation($id: ID!) { rejectLead(id: $id, reason: WRONG_SEGMENT) { stage } }";
    for id in &ids[..2] {
        app.gql(Some(&team.rep.access), reject, json!({"id": id}))
            .await
            .data("rejectLead");
    }
    // Two completed months with the same figures, written into the history as they would have
    // been recorded (mid-month, so in the contract's time zone too).
    let db = app.db();
    let sqlite = app.state.config.is_sqlite();
    let completed = [
        mid_month_before(Utc::now(), 1),
        mid_month_before(Utc::now(), 2),
    ];
    let ws = team.owner.workspace_id.clone().unwrap();
    let source = app
        .gql(
            Some(&team.owner.access),
            "{ sources { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let cheap = source.data("sources")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "Cheap list")
        .unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let uuid_sql = |id: &str| {
        if sqlite {
            format!("x'{}'", id.replace('-', ""))
        } else {
            format!("'{id}'")
        }
    };
    for month in &completed {
        let month = month.to_rfc3339();
        for _ in 0..10 {
            db.execute_unprepared(&format!(
                "INSERT INTO stage_changes (id, workspace_id, contact_id, from_stage, to_stage, changed_at, source_id) VALUES ({}, {}, {}, 'LEAD', 'MQL', '{month}', {})",
                uuid_sql(&uuid::Uuid::now_v7().to_string()), uuid_sql(&ws), uuid_sql(&ids[9]), uuid_sql(&cheap)
            ))
            .await
            .unwrap();
        }
        for _ in 0..3 {
            db.execute_unprepared(&format!(
                "INSERT INTO rejections (id, workspace_id, contact_id, rejected_by, source_id, reason, rejected_at) VALUES ({}, {}, {}, {}, {}, 'WRONG_SEGMENT', '{month}')",
                uuid_sql(&uuid::Uuid::now_v7().to_string()), uuid_sql(&ws), uuid_sql(&ids[9]), uuid_sql(&team.rep.user_id), uuid_sql(&cheap)
            ))
            .await
            .unwrap();
        }
    }
    // The next rejection judges the two completed months, both over 20%: the source is paused.
    app.gql(Some(&team.rep.access), reject, json!({"id": ids[2]}))
        .await
        .data("rejectLead");
    let health = app.gql(Some(&team.cmo.access), "query($id: ID!) { sourceHealth(sourceId: $id, months: 2) { month mqls rejections rejectionRate } }", json!({"id": cheap})).await;
    let months = health.data("sourceHealth").as_array().unwrap().clone();
    assert_eq!(months[0]["mqls"], 10);
    assert_eq!(months[0]["rejections"], 3);
    assert_eq!(months[1]["rejectionRate"], 0.3);
    let paused = app
        .gql(
            Some(&team.owner.access),
            "query { sources { edges { node { name paused } } } }",
            json!({}),
        )
        .await;
    assert!(paused.data("sources")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"] == json!({"name": "Cheap list", "paused": true})));
    let inbox = app
        .gql(
            Some(&team.cmo.access),
            "{ triggers { kind message } }",
            json!({}),
        )
        .await;
    assert!(
        inbox
            .data("triggers")
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "SOURCE_PAUSED"),
        "{}",
        inbox.raw
    );

    // Its next lead stays LEAD, and says why.
    let next = hot_lead(&app, &team, "next@cheapnext.io", "Cheap list").await;
    let lead = app
        .gql(Some(&team.owner.access), "query($id: ID!) { lead(id: $id) { stage qualification { qualifies criteria { criterion met } } } }", json!({"id": next}))
        .await;
    let lead = lead.data("lead");
    assert_eq!(lead["stage"], "LEAD");
    assert!(lead["qualification"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["criterion"] == "source is not paused" && c["met"] == false));

    let resumed = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!) { resumeSource(id: $id) { paused } }",
            json!({"id": cheap}),
        )
        .await;
    assert_eq!(resumed.data("resumeSource")["paused"], false);
    // The lead it held back is re-evaluated in the background: a HOT MQL, routed to the rep
    // with its clock and trigger, as ingestion would have.
    accord_api::jobs::requalify::run_all(&app.state)
        .await
        .unwrap();
    let held = stage_of(&app, &team, &next).await;
    assert_eq!(held["stage"], "MQL", "{held}");
    assert_eq!(held["owner"]["id"], json!(team.rep.user_id));
    let rep_inbox = app
        .gql(
            Some(&team.rep.access),
            "{ triggers(first: 100) { kind dueAt lead { id } } }",
            json!({}),
        )
        .await;
    assert!(
        rep_inbox
            .data("triggers")
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "HOT_LEAD_ENGAGED"
                && t["lead"]["id"] == next
                && !t["dueAt"].is_null()),
        "{}",
        rep_inbox.raw
    );
    let progress = app
        .gql(
            Some(&team.owner.access),
            "{ leadReevaluation { reason sourceId status } }",
            json!({}),
        )
        .await;
    assert_eq!(
        progress.data("leadReevaluation"),
        &json!({"reason": "SOURCE_RESUMED", "sourceId": cheap, "status": "DONE"})
    );

    // A fresh window: the next rejection does not judge the two months that paused it again.
    app.gql(Some(&team.rep.access), reject, json!({"id": ids[3]}))
        .await
        .data("rejectLead");
    let after = app
        .gql(
            Some(&team.owner.access),
            "query { sources { edges { node { name paused } } } }",
            json!({}),
        )
        .await;
    assert!(after.data("sources")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"] == json!({"name": "Cheap list", "paused": false})));
    let _ = team.marketer;
}

/// Noon UTC on the 15th of the calendar month `back` months before the one `at` falls in, in
/// the contract's time zone (the seed's New York).
fn mid_month_before(at: chrono::DateTime<Utc>, back: u32) -> chrono::DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    let at = at.with_timezone(&chrono_tz::America::New_York);
    let months = at.year() * 12 + at.month0() as i32 - back as i32;
    Utc.with_ymd_and_hms(months / 12, months as u32 % 12 + 1, 15, 12, 0, 0)
        .unwrap()
}

/// The first instant of the month after the one `at` falls in, plus a day.
fn early_next_month(at: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    let (year, month) = if at.month() == 12 {
        (at.year() + 1, 1)
    } else {
        (at.year(), at.month() + 1)
    };
    Utc.with_ymd_and_hms(year, month, 2, 12, 0, 0).unwrap()
}

#[actix_web::test]
async fn the_monthly_source_rule_pauses_a_source_no_single_rejection_tripped() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let reject = "mutation($id: ID!) { rejectLead(id: $id, reason: WRONG_SEGMENT) { stage } }";
    // Two months of "Spray list": 5 MQLs, 2 rejected (40%) each. Each month's rejections come
    // before its fifth MQL, so no rejection ever sees a month worth judging (5 MQLs or more).
    for month in 0..2 {
        if month == 1 {
            let next = early_next_month(app.state.clock.now());
            app.state.clock.advance_to(next);
        }
        for i in 0..5 {
            let id = hot_lead(
                &app,
                &team,
                &format!("m{month}-{i}@spray{month}{i}.io"),
                "Spray list",
            )
            .await;
            if i < 2 {
                app.gql(Some(&team.rep.access), reject, json!({"id": id}))
                    .await
                    .data("rejectLead");
            }
        }
    }
    let paused = || async {
        app.gql(
            Some(&team.owner.access),
            "{ sources { edges { node { name paused } } } }",
            json!({}),
        )
        .await
        .data("sources")["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["name"] == "Spray list")
            .unwrap()["node"]["paused"]
            .clone()
    };
    assert_eq!(paused().await, false, "no rejection paused it");

    // Early next month the monthly run judges the two months that ended: paused, once.
    let next = early_next_month(app.state.clock.now());
    app.state.clock.advance_to(next);
    accord_api::jobs::run_due(&app.state).await.unwrap();
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(paused().await, true);
    let told = app
        .gql(
            Some(&team.cmo.access),
            "{ triggers { kind message } }",
            json!({}),
        )
        .await;
    let pauses: Vec<&Value> = told
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "SOURCE_PAUSED")
        .collect();
    assert_eq!(pauses.len(), 1, "{}", told.raw);
    assert!(pauses[0]["message"]
        .as_str()
        .unwrap()
        .contains("Spray list"));
}

#[actix_web::test]
async fn the_funnel_is_read_from_the_stage_history() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let t0 = app.state.clock.now();
    let ana = hot_lead(&app, &team, "ana@funnel-a.io", "Website").await;
    let ben = hot_lead(&app, &team, "ben@funnel-b.io", "Website").await;
    app.state.clock.advance(Duration::days(1));
    app.gql(
        Some(&team.rep.access),
        "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
        json!({"id": ana}),
    )
    .await
    .data("acceptLead");
    app.state.clock.advance(Duration::hours(12));
    app.gql(
        Some(&team.rep.access),
        "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { stage } }",
        json!({"id": ben}),
    )
    .await
    .data("rejectLead");
    app.state.clock.advance(Duration::hours(36));
    // Now t0 + 3 days. By hand:
    // - MQL: both entered (2); Ana moved on to SAL (further down the path), Ben to NURTURE (not):
    //   conversion 1/2. Their stays ended after 1 day and 1.5 days: lower median 1 day.
    // - SAL: Ana entered (1), still there (current 1) for 2 days: no finished stay, no median.
    // - NURTURE: Ben (1), current 1.
    let reply = app
        .gql(
            Some(&team.cmo.access),
            "query($from: DateTime!, $to: DateTime!) { funnel(range: {from: $from, to: $to}) { stage entered advanced conversion medianDays current currentMedianAgeDays overMedian } }",
            json!({"from": (t0 - Duration::hours(1)).to_rfc3339(), "to": (t0 + Duration::days(4)).to_rfc3339()}),
        )
        .await;
    let stage = |name: &str| {
        reply
            .data("funnel")
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == name)
            .unwrap()
            .clone()
    };
    let mql = stage("MQL");
    assert_eq!(
        (mql["entered"].clone(), mql["advanced"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(mql["conversion"], 0.5);
    assert_eq!(mql["medianDays"], 1.0);
    assert_eq!(mql["current"], 0);
    let sal = stage("SAL");
    assert_eq!(
        (sal["entered"].clone(), sal["current"].clone()),
        (json!(1), json!(1))
    );
    assert!(sal["medianDays"].is_null());
    let age = sal["currentMedianAgeDays"].as_f64().unwrap();
    assert!((age - 2.0).abs() < 0.01, "{age}");
    assert_eq!(stage("NURTURE")["current"], 1);

    let backwards = app
        .gql(
            Some(&team.cmo.access),
            "query($from: DateTime!, $to: DateTime!) { funnel(range: {from: $from, to: $to}) { stage } }",
            json!({"from": t0.to_rfc3339(), "to": (t0 - Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT");
}
