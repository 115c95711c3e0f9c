//! Recycling keeps its promises (issue 19, item 7): CHECK_BACK's date is a field of the lead and
//! brings it back to its owner on that date (once, however many instances run the jobs); FUTURE
//! and RE_ENGAGE leads re-enter qualification on new engagement while a CHECK_BACK lead waits;
//! the lead list filters by recycling tag and by tags.

use chrono::Duration;
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{hot_lead, team, Team},
    TestApp,
};

const LEAD: &str = "query($id: ID!) { lead(id: $id) { stage tags recycleTag checkBackOn owner { id } stageHistory { nodes { to reason } } } }";

async fn lead(app: &TestApp, team: &Team, id: &str) -> Value {
    app.gql(Some(&team.owner.access), LEAD, json!({"id": id}))
        .await
        .data("lead")
        .clone()
}

async fn recycle(app: &TestApp, team: &Team, id: &str, tag: &str, until: Option<&str>) -> Value {
    let reply = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!, $tag: RecycleTag!, $until: NaiveDate) { recycleLead(id: $id, tag: $tag, until: $until) { stage recycleTag checkBackOn } }",
            json!({"id": id, "tag": tag, "until": until}),
        )
        .await;
    reply.data("recycleLead").clone()
}

async fn filtered(app: &TestApp, team: &Team, filter: Value) -> Vec<String> {
    let reply = app
        .gql(
            Some(&team.owner.access),
            "query($f: LeadFilter) { leads(filter: $f, first: 50) { edges { node { id } } } }",
            json!({"f": filter}),
        )
        .await;
    let mut ids: Vec<String> = reply.data("leads")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn engage(app: &TestApp, team: &Team, email: &str, key: &str) {
    let events = json!([{"idempotencyKey": key, "type": "demo_request", "contact": {"email": email}, "source": "Website"}]);
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

async fn check_back_triggers(app: &TestApp, team: &Team, lead: &str) -> usize {
    let reply = app
        .gql(
            Some(&team.rep.access),
            "{ triggers(first: 100) { kind lead { id } } }",
            json!({}),
        )
        .await;
    reply
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "CHECK_BACK_DUE" && t["lead"]["id"] == lead)
        .count()
}

#[actix_web::test]
async fn recycled_leads_come_back_as_promised() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let later = hot_lead(&app, &team, "cb@initech.com", "Website").await;
    let future = hot_lead(&app, &team, "fu@globex.com", "Website").await;
    let today = app.state.clock.now().date_naive();
    let on = (today + Duration::days(10)).to_string();

    let recycled = recycle(&app, &team, &later, "CHECK_BACK", Some(&on)).await;
    assert_eq!(
        recycled,
        json!({"stage": "NURTURE", "recycleTag": "CHECK_BACK", "checkBackOn": on})
    );
    let recycled = recycle(&app, &team, &future, "FUTURE", None).await;
    assert_eq!(
        recycled,
        json!({"stage": "NURTURE", "recycleTag": "FUTURE", "checkBackOn": null})
    );

    // The list filters by recycling tag and by tags.
    assert_eq!(
        filtered(&app, &team, json!({"recycleTag": "CHECK_BACK"})).await,
        vec![later.clone()]
    );
    assert_eq!(
        filtered(&app, &team, json!({"tags": ["FUTURE"]})).await,
        vec![future.clone()]
    );
    assert!(
        filtered(&app, &team, json!({"tags": ["FUTURE", "CHECK_BACK"]}))
            .await
            .is_empty()
    );

    // New engagement: the FUTURE lead re-enters qualification, the CHECK_BACK lead waits.
    app.state.clock.advance(Duration::days(1));
    engage(&app, &team, "fu@globex.com", "fu-again").await;
    engage(&app, &team, "cb@initech.com", "cb-again").await;
    assert_eq!(lead(&app, &team, &future).await["stage"], "MQL");
    let waiting = lead(&app, &team, &later).await;
    assert_eq!(waiting["stage"], "NURTURE", "{waiting}");
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert_eq!(lead(&app, &team, &later).await["stage"], "NURTURE");
    assert_eq!(check_back_triggers(&app, &team, &later).await, 0);

    // On its date it returns to its owner, once, with two instances running the jobs.
    app.state.clock.advance(Duration::days(9));
    let (a, b) = tokio::join!(
        accord_api::jobs::run_due(&app.state),
        accord_api::jobs::run_due(&app.state)
    );
    a.unwrap();
    b.unwrap();
    accord_api::jobs::run_due(&app.state).await.unwrap();
    let back = lead(&app, &team, &later).await;
    assert_eq!(back["stage"], "MQL", "{back}");
    assert_eq!(back["owner"]["id"], json!(team.rep.user_id));
    assert_eq!(back["checkBackOn"], Value::Null);
    assert_eq!(back["recycleTag"], Value::Null);
    assert!(!back["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("CHECK_BACK")));
    let reasons: Vec<&Value> = back["stageHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["reason"])
        .collect();
    assert!(
        reasons.iter().any(|r| r
            .as_str()
            .unwrap_or("")
            .contains(&format!("check back on {on}"))),
        "{back}"
    );
    assert_eq!(check_back_triggers(&app, &team, &later).await, 1);
    assert!(filtered(&app, &team, json!({"recycleTag": "CHECK_BACK"}))
        .await
        .is_empty());
}
