//! Two writers of one record at once: each sees the other's commit instead of overwriting it
//! with the row it read before (a closed deal stays closed, an accepted lead stays accepted).

use accord_api::services::unit_of_work::UnitOfWork;
use futures_util::future::join;
use serde_json::json;

use crate::support::{
    documents::INGEST,
    fixtures::{hot_lead, team},
    TestApp,
};

const RACES: usize = 8;

#[actix_web::test]
async fn an_edit_racing_a_close_never_reopens_the_deal() {
    let app = TestApp::start().await;
    let owner = app.owner("Races").await;
    let account = app
        .gql(
            Some(&owner.access),
            "mutation { upsertAccounts(accounts: [{domain: \"acme.com\"}]) { id } }",
            json!({}),
        )
        .await;
    let account_id = account.data("upsertAccounts")[0]["id"].clone();
    for i in 0..RACES {
        let deal = app
            .gql(
                Some(&owner.access),
                "mutation($a: ID!) { createOpportunity(input: {name: \"Acme\", accountId: $a, amount: 1000}) { id } }",
                json!({"a": account_id}),
            )
            .await
            .data("createOpportunity")["id"]
            .clone();
        let edit = app.gql(
            Some(&owner.access),
            "mutation($id: ID!, $n: String!) { updateOpportunity(id: $id, input: {name: $n, amount: 2000}) { id } }",
            json!({"id": deal, "n": format!("Acme {i}")}),
        );
        let close = app.gql(
            Some(&owner.access),
            "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage } }",
            json!({"id": deal}),
        );
        let (edited, closed) = join(edit, close).await;
        assert!(edited.body["errors"].is_null(), "{}", edited.raw);
        assert_eq!(closed.data("closeOpportunity")["stage"], "CLOSED_WON");
        let all = app
            .gql(
                Some(&owner.access),
                "{ opportunities(first: 100) { edges { node { id stage amount closedAt } } } }",
                json!({}),
            )
            .await;
        let now = all.data("opportunities")["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|edge| &edge["node"])
            .find(|node| node["id"] == deal)
            .expect("the deal is listed");
        assert_eq!(
            now["stage"], "CLOSED_WON",
            "race {i} reopened the deal: {now}"
        );
        assert!(now["closedAt"].is_string(), "race {i}: {now}");
        assert_eq!(now["amount"], 2000.0, "race {i} lost the edit: {now}");
    }
}

#[actix_web::test]
async fn an_event_racing_an_accept_never_reverts_the_stage() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let ingest = INGEST;
    for i in 0..RACES {
        let email = format!("race{i}@acme.com");
        let lead = hot_lead(&app, &team, &email, "Website").await;
        let accept = app.gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { acceptLead(id: $id) { stage } }",
            json!({"id": lead}),
        );
        let events = json!([{"idempotencyKey": format!("visit-{i}"), "type": "pricing_page_visit", "contact": {"email": email}}]);
        let event = app.gql(Some(&team.token), ingest, json!({"e": events}));
        let (accepted, ingested) = join(accept, event).await;
        assert_eq!(
            accepted.data("acceptLead")["stage"],
            "SAL",
            "{}",
            accepted.raw
        );
        assert_eq!(
            ingested.data("ingestEvents")["results"][0]["status"],
            "ACCEPTED"
        );
        let now = app
            .gql(
                Some(&team.owner.access),
                "query($id: ID!) { lead(id: $id) { stage engagementScore } }",
                json!({"id": lead}),
            )
            .await;
        let now = now.data("lead");
        assert_eq!(now["stage"], "SAL", "race {i} reverted the accept: {now}");
        assert_eq!(
            now["engagementScore"], 75,
            "race {i} lost the event's points: {now}"
        );
    }
}

#[actix_web::test]
async fn touches_cannot_predate_the_assignment_or_come_from_the_future() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let lead = hot_lead(&app, &team, "early@acme.com", "Website").await;
    let log = "mutation($id: ID!, $at: DateTime) { logTouch(input: {leadId: $id, channel: CALL, outcome: CONNECTED, occurredAt: $at}) { touch { id } } }";
    let before = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    for at in [before, later] {
        let refused = app
            .gql(Some(&team.rep.access), log, json!({"id": lead, "at": at}))
            .await;
        assert_eq!(refused.code(), "BAD_USER_INPUT", "{}", refused.raw);
        assert_eq!(refused.field(), Some("input.occurredAt"));
    }
    let touches = "query($id: ID!) { lead(id: $id) { touches { totalCount } } }";
    let none = app
        .gql(Some(&team.rep.access), touches, json!({"id": lead}))
        .await;
    assert_eq!(
        none.data("lead")["touches"]["totalCount"],
        0,
        "a refused touch was written"
    );
    let now = app
        .gql(Some(&team.rep.access), log, json!({"id": lead, "at": null}))
        .await;
    assert!(now.body["errors"].is_null(), "{}", now.raw);
}

/// Writers of one process take turns at SQLite's write lock in the order they came: one that
/// waits longer than SQLite's busy timeout (10 s) still gets its turn, where it used to fail
/// with "database is locked" (on Postgres the writers lock rows, and the same holds).
#[actix_web::test]
async fn a_write_waiting_longer_than_the_busy_timeout_still_lands() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let long_write = async {
        let work = UnitOfWork::begin_global(&app.state).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(11)).await;
        work.commit().await.unwrap();
    };
    let events = json!([{"idempotencyKey": "after-the-long-write", "type": "pricing_page_visit", "contact": {"email": "patient@acme.com"}}]);
    let event = async {
        // Queued behind the long write, which has begun by now.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        // A member's session: an API token's use is also recorded, by a write of its own.
        app.gql(Some(&team.owner.access), INGEST, json!({"e": events}))
            .await
    };
    let ((), ingested) = join(long_write, event).await;
    assert_eq!(
        ingested.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED",
        "{}",
        ingested.raw
    );
}
