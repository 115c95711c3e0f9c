//! No lead waits unseen (issue 19, item 4): an MQL no rep can take (all out of office, at
//! capacity, or nobody in its pool) waits in `unassignedLeads`, revops and the sales managers
//! get one UNROUTABLE_LEAD trigger for it, and it is routed as soon as a rep becomes eligible
//! (back from out of office, capacity freed, a rule edited); its first-touch clock starts then.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{hot_lead, team, Team},
    Session, TestApp,
};

const QUEUE: &str = "query($first: Int, $after: String) { unassignedLeads(first: $first, after: $after) { edges { cursor node { id waitingSince } } pageInfo { hasNextPage } } }";

const LEAD: &str =
    "query($id: ID!) { lead(id: $id) { stage owner { id } assignedAt waitingSince routing } }";

async fn queue(app: &TestApp, who: &Session) -> Vec<String> {
    let reply = app
        .gql(Some(&who.access), QUEUE, json!({"first": 50}))
        .await;
    reply.data("unassignedLeads")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn lead(app: &TestApp, team: &Team, id: &str) -> Value {
    app.gql(Some(&team.owner.access), LEAD, json!({"id": id}))
        .await
        .data("lead")
        .clone()
}

/// `who`'s triggers of `kind` about `lead`, open ones only when asked.
async fn triggers(app: &TestApp, who: &Session, kind: &str, lead: &str, open: bool) -> Vec<Value> {
    let reply = app
        .gql(
            Some(&who.access),
            "query($k: [TriggerKind!], $o: Boolean) { triggers(first: 100, kinds: $k, open: $o) { kind dueAt acknowledgedAt message lead { id } } }",
            json!({"k": [kind], "o": if open { Some(true) } else { None }}),
        )
        .await;
    reply
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["lead"]["id"] == lead)
        .cloned()
        .collect()
}

async fn availability(app: &TestApp, who: &Session, out_of_office: bool) {
    let reply = app
        .gql(
            Some(&who.access),
            "mutation($id: ID!, $o: Boolean!) { setMemberAvailability(memberId: $id, outOfOffice: $o) { outOfOffice } }",
            json!({"id": who.member_id, "o": out_of_office}),
        )
        .await;
    assert_eq!(
        reply.data("setMemberAvailability")["outOfOffice"],
        out_of_office
    );
}

/// The team's one rule ("Everyone") redefined: its pool and capacity.
async fn edit_rule(app: &TestApp, team: &Team, targets: &[&str], capacity: Option<i32>) {
    let rules = app
        .gql(
            Some(&team.owner.access),
            "{ routingRules(first: 10) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = rules.data("routingRules")["edges"][0]["node"]["id"].clone();
    let targets: Vec<Value> = targets.iter().map(|u| json!({"userId": u})).collect();
    let reply = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!, $t: [RoutingTargetInput!]!, $c: Int) { updateRoutingRule(id: $id, input: {name: \"Everyone\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: $t, capacity: $c}) { id } }",
            json!({"id": id, "t": targets, "c": capacity}),
        )
        .await;
    // Editing a published rule makes a draft; publishing it is what changes routing.
    let draft = reply.data("updateRoutingRule")["id"].clone();
    app.gql(
        Some(&team.owner.access),
        "mutation($id: ID!) { publishRoutingRule(id: $id) { id } }",
        json!({"id": draft}),
    )
    .await
    .data("publishRoutingRule");
}

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

#[actix_web::test]
async fn an_mql_nobody_can_take_waits_in_the_queue_until_its_rep_is_back() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let revops = app.member(&team.owner, "REVOPS").await;
    let manager = app.member(&team.owner, "SALES_MANAGER").await;

    // Every rep of the pool is out of office: the MQLs wait, unowned.
    availability(&app, &team.rep, true).await;
    let first = hot_lead(&app, &team, "wait@initech.com", "Website").await;
    let second = hot_lead(&app, &team, "also@globex.com", "Website").await;
    let waiting = lead(&app, &team, &first).await;
    assert_eq!(waiting["stage"], "MQL");
    assert_eq!(waiting["owner"], Value::Null);
    assert!(waiting["waitingSince"].is_string(), "{waiting}");

    // The queue, longest waiting first, paged; a rep may read it like any lead list.
    assert_eq!(
        queue(&app, &team.rep).await,
        vec![first.clone(), second.clone()]
    );
    let page = app
        .gql(Some(&team.marketer.access), QUEUE, json!({"first": 1}))
        .await;
    let page = page.data("unassignedLeads");
    assert_eq!(page["edges"][0]["node"]["id"], json!(first));
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["edges"][0]["cursor"].clone();
    let next = app
        .gql(
            Some(&team.marketer.access),
            QUEUE,
            json!({"first": 1, "after": cursor}),
        )
        .await;
    assert_eq!(
        next.data("unassignedLeads")["edges"][0]["node"]["id"],
        json!(second)
    );

    // Revops and the sales manager hear of each, once, however often the lead engages again.
    let events = json!([{"idempotencyKey": "wait-again", "type": "pricing_page_visit", "contact": {"email": "wait@initech.com"}, "source": "Website"}]);
    let again = app
        .gql(Some(&team.token), INGEST, json!({"e": events}))
        .await;
    assert_eq!(
        again.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED"
    );
    for who in [&revops, &manager] {
        let told = triggers(&app, who, "UNROUTABLE_LEAD", &first, true).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0]["message"]
            .as_str()
            .unwrap()
            .contains("out of office"));
        assert_eq!(
            triggers(&app, who, "UNROUTABLE_LEAD", &second, true)
                .await
                .len(),
            1
        );
    }
    for who in [&team.rep, &team.owner, &team.cro] {
        assert!(triggers(&app, who, "UNROUTABLE_LEAD", &first, false)
            .await
            .is_empty());
    }

    // A week later the rep is back: both are routed to them, the clocks start now.
    app.state.clock.advance(Duration::days(7));
    availability(&app, &team.rep, false).await;
    assert!(queue(&app, &team.rep).await.is_empty());
    for id in [&first, &second] {
        let routed = lead(&app, &team, id).await;
        assert_eq!(routed["owner"]["id"], json!(team.rep.user_id), "{routed}");
        assert_eq!(routed["waitingSince"], Value::Null);
        assert_eq!(routed["routing"]["by"], "rule");
        let assigned = at(&routed["assignedAt"]);
        assert!(assigned >= at(&waiting["waitingSince"]) + Duration::days(7));
        let told = triggers(&app, &team.rep, "HOT_LEAD_ENGAGED", id, false).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(
            at(&told[0]["dueAt"]) > assigned,
            "the first touch is due after the assignment, not after the qualification"
        );
        for who in [&revops, &manager] {
            assert!(triggers(&app, who, "UNROUTABLE_LEAD", id, true)
                .await
                .is_empty());
            let closed = triggers(&app, who, "UNROUTABLE_LEAD", id, false).await;
            assert!(closed[0]["acknowledgedAt"].is_string());
        }
    }
    // No SLA ran while it waited: nothing is breached.
    accord_api::jobs::run_due(&app.state).await.unwrap();
    assert!(triggers(&app, &team.rep, "SLA_BREACHED", &first, false)
        .await
        .is_empty());
}

#[actix_web::test]
async fn capacity_freed_by_a_rejection_or_a_recycle_routes_the_waiting_mql() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    edit_rule(&app, &team, &[&team.rep.user_id], Some(1)).await;
    let held = hot_lead(&app, &team, "held@initech.com", "Website").await;
    assert_eq!(
        lead(&app, &team, &held).await["owner"]["id"],
        json!(team.rep.user_id)
    );
    let waits = hot_lead(&app, &team, "waits@globex.com", "Website").await;
    let waiting = lead(&app, &team, &waits).await;
    assert_eq!(waiting["owner"], Value::Null, "at capacity: {waiting}");
    assert!(waiting["routing"]["explanation"]
        .as_str()
        .unwrap()
        .contains("capacity"));
    assert_eq!(queue(&app, &team.owner).await, vec![waits.clone()]);

    // The rep rejects the lead they hold: the waiting one takes its place.
    let rejected = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { rejectLead(id: $id, reason: WRONG_SEGMENT) { stage } }",
            json!({"id": held}),
        )
        .await;
    rejected.data("rejectLead");
    assert_eq!(
        lead(&app, &team, &waits).await["owner"]["id"],
        json!(team.rep.user_id)
    );
    assert!(queue(&app, &team.owner).await.is_empty());

    // Full again: the next waits until the rep closes (recycles) the one they hold.
    let third = hot_lead(&app, &team, "third@hooli.com", "Website").await;
    assert_eq!(queue(&app, &team.owner).await, vec![third.clone()]);
    let recycled = app
        .gql(
            Some(&team.rep.access),
            "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { stage } }",
            json!({"id": waits}),
        )
        .await;
    assert_eq!(recycled.data("recycleLead")["stage"], "NURTURE");
    assert_eq!(
        lead(&app, &team, &third).await["owner"]["id"],
        json!(team.rep.user_id)
    );
    assert!(queue(&app, &team.owner).await.is_empty());
}

#[actix_web::test]
async fn an_empty_pool_waits_until_the_rule_names_a_rep() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let revops = app.member(&team.owner, "REVOPS").await;
    // The rule's pool holds only a marketer, whose role takes no leads.
    edit_rule(&app, &team, &[&team.marketer.user_id], None).await;
    let id = hot_lead(&app, &team, "pool@initech.com", "Website").await;
    assert_eq!(queue(&app, &revops).await, vec![id.clone()]);
    assert_eq!(
        triggers(&app, &revops, "UNROUTABLE_LEAD", &id, true)
            .await
            .len(),
        1
    );

    // Two more wait; one is assigned by hand, the other recycled: both leave the queue and
    // their UNROUTABLE_LEAD triggers close.
    let by_hand = hot_lead(&app, &team, "hand@globex.com", "Website").await;
    let dropped = hot_lead(&app, &team, "drop@hooli.com", "Website").await;
    assert_eq!(
        queue(&app, &revops).await,
        vec![id.clone(), by_hand.clone(), dropped.clone()]
    );
    let assigned = app
        .gql(
            Some(&team.cro.access),
            "mutation($id: ID!, $u: ID!) { assignLead(id: $id, userId: $u) { owner { id } waitingSince } }",
            json!({"id": by_hand, "u": team.rep.user_id}),
        )
        .await;
    assert_eq!(
        assigned.data("assignLead"),
        &json!({"owner": {"id": team.rep.user_id}, "waitingSince": null})
    );
    let recycled = app
        .gql(
            Some(&team.cro.access),
            "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { stage waitingSince } }",
            json!({"id": dropped}),
        )
        .await;
    assert_eq!(
        recycled.data("recycleLead"),
        &json!({"stage": "NURTURE", "waitingSince": null})
    );
    assert_eq!(queue(&app, &revops).await, vec![id.clone()]);
    for gone in [&by_hand, &dropped] {
        assert!(triggers(&app, &revops, "UNROUTABLE_LEAD", gone, true)
            .await
            .is_empty());
        assert_eq!(
            triggers(&app, &revops, "UNROUTABLE_LEAD", gone, false)
                .await
                .len(),
            1
        );
    }

    edit_rule(
        &app,
        &team,
        &[&team.marketer.user_id, &team.rep.user_id],
        None,
    )
    .await;
    let routed = lead(&app, &team, &id).await;
    assert_eq!(routed["owner"]["id"], json!(team.rep.user_id), "{routed}");
    assert!(queue(&app, &revops).await.is_empty());
    assert!(triggers(&app, &revops, "UNROUTABLE_LEAD", &id, true)
        .await
        .is_empty());
    assert_eq!(
        triggers(&app, &team.rep, "HOT_LEAD_ENGAGED", &id, false)
            .await
            .len(),
        1
    );
}
