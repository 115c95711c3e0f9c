//! Real-time delivery (DESIGN §7) end to end: real server processes on one database, a real
//! Redis bus and a real graphql-transport-ws client following `playTriggers`. Triggers are rows
//! first and messages second, so neither a lost publish, a Redis restart, a killed instance nor
//! a drained one loses a trigger or shows it twice. Redis lane only (`ACCORD_TEST_REDIS_URL`).
//!
//! Each stream starts by receiving a trigger the rep already has: the subscription registers on
//! the bus before it replays, so once that arrives the stream is live and later triggers can
//! only come from the bus (or from a resync), never from the initial replay.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{
    fixtures::owner_and_rep,
    people::Remote,
    process::ServerProcess,
    redis::RedisServer,
    ws::{WsClient, WsEvent, TRANSPORT_WS},
    Backend,
};

const PLAY: &str = "subscription($since: ID) { playTriggers(since: $since) { id sequence kind recipientId lead { id } } }";

/// How long a trigger may take to arrive; generous, the machine is small.
const ARRIVE_SECS: u64 = 10;
/// After Redis comes back the subscriber reconnects with backoff (at most 5 s between tries).
const RESYNC_SECS: u64 = 30;
/// How long a stream must stay silent to show nothing else (no duplicate) is coming.
const QUIET_SECS: u64 = 2;

/// A Redis-lane backend, or `None` (with a note) in the SQLite lane.
fn redis_lane(test: &str) -> Option<Backend> {
    let backend = Backend::fresh();
    if backend.redis_url.is_none() {
        eprintln!(
            "delivery::{test}: Redis lane only (set ACCORD_TEST_REDIS_URL); not run in this lane"
        );
        return None;
    }
    Some(backend)
}

/// A workspace's owner and one rep, made over HTTP.
struct Team {
    owner: String,
    rep: String,
    rep_user: String,
}

/// The owner and rep of a new workspace on `server`.
async fn team(server: &ServerProcess, backend: &Backend) -> Team {
    let (owner, rep) = owner_and_rep(&Remote { server, backend }, "Delivery").await;
    Team {
        owner: owner.access,
        rep: rep.access,
        rep_user: rep.user_id,
    }
}

/// The owner creates a lead and assigns it to the rep (one LEAD_ASSIGNED trigger for the rep);
/// returns the lead's id.
async fn assign_new_lead(server: &ServerProcess, team: &Team) -> String {
    let email = format!("lead-{}@example.com", uuid::Uuid::now_v7().simple());
    let created = server
        .gql(
            Some(&team.owner),
            "mutation($email: String!) { upsertContacts(contacts: [{email: $email}]) { status id } }",
            json!({"email": email}),
        )
        .await;
    let created = &created.data("upsertContacts")[0];
    assert_eq!(created["status"], "CREATED", "{created}");
    let lead = created["id"].as_str().unwrap().to_owned();
    let assigned = server
        .gql(
            Some(&team.owner),
            "mutation($id: ID!, $u: ID!) { assignLead(id: $id, userId: $u) { owner { id } } }",
            json!({"id": lead, "u": team.rep_user}),
        )
        .await;
    assert_eq!(
        assigned.data("assignLead")["owner"]["id"],
        json!(team.rep_user)
    );
    lead
}

/// The rep's socket on `server`, following `playTriggers` after `since`.
async fn follow(server: &ServerProcess, team: &Team, since: Option<&str>) -> WsClient {
    let mut ws = WsClient::connect_addr(&server.addr, TRANSPORT_WS).await;
    ws.init(&team.rep).await;
    ws.subscribe_with("play", PLAY, json!({"since": since}))
        .await;
    ws
}

/// One trigger as the rep saw it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    id: String,
    sequence: i64,
    lead: String,
}

/// The next `playTriggers` item: a LEAD_ASSIGNED trigger for the rep.
async fn next_trigger(ws: &mut WsClient, team: &Team, secs: u64) -> Seen {
    let message = match ws.try_recv_within(secs).await {
        Some(WsEvent::Message(message)) => message,
        Some(WsEvent::Closed(code)) => panic!("socket closed with {code:?}"),
        None => panic!("no trigger arrived within {secs} s"),
    };
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], "play", "{message}");
    let trigger = &message["payload"]["data"]["playTriggers"];
    assert_eq!(trigger["kind"], "LEAD_ASSIGNED", "{message}");
    assert_eq!(trigger["recipientId"], json!(team.rep_user), "{message}");
    Seen {
        id: trigger["id"].as_str().expect("trigger id").to_owned(),
        sequence: trigger["sequence"].as_i64().expect("sequence"),
        lead: trigger["lead"]["id"].as_str().expect("lead id").to_owned(),
    }
}

/// Receives exactly the triggers for `leads`, in order, with consecutive sequences starting
/// at `first_sequence`.
async fn expect_triggers(
    ws: &mut WsClient,
    team: &Team,
    first_sequence: i64,
    leads: &[&str],
    secs: u64,
) -> Vec<Seen> {
    let mut seen = Vec::new();
    for (offset, lead) in leads.iter().enumerate() {
        let trigger = next_trigger(ws, team, secs).await;
        assert_eq!(
            (trigger.sequence, trigger.lead.as_str()),
            (first_sequence + offset as i64, *lead),
            "trigger {offset} after sequence {} (got {seen:?} before it)",
            first_sequence - 1
        );
        seen.push(trigger);
    }
    seen
}

/// Nothing more arrives for a while: no duplicate, nothing out of order.
async fn expect_quiet(ws: &mut WsClient) {
    if let Some(event) = ws.try_recv_within(QUIET_SECS).await {
        panic!("expected nothing more, got {event:?}");
    }
}

#[actix_web::test]
async fn a_trigger_made_on_one_instance_reaches_its_rep_on_the_other() {
    let Some(backend) = redis_lane("across_instances") else {
        return;
    };
    let a = ServerProcess::start(&backend).await;
    let b = ServerProcess::start(&backend).await;
    let team = team(&a, &backend).await;
    let first = assign_new_lead(&a, &team).await;

    let mut rep = follow(&b, &team, None).await;
    let replayed = expect_triggers(&mut rep, &team, 1, &[&first], ARRIVE_SECS).await;

    // Live now: this one can only come over Redis from A.
    let second = assign_new_lead(&a, &team).await;
    let live = expect_triggers(&mut rep, &team, 2, &[&second], ARRIVE_SECS).await;
    assert_ne!(replayed[0].id, live[0].id);
    expect_quiet(&mut rep).await;
}

#[actix_web::test]
async fn triggers_made_while_redis_is_down_arrive_on_the_open_socket_after_it_returns() {
    let Some(mut backend) = redis_lane("redis_restarted") else {
        return;
    };
    let mut redis = RedisServer::start_free().await;
    backend.redis_url = Some(redis.url());
    let a = ServerProcess::start(&backend).await;
    let b = ServerProcess::start(&backend).await;
    let team = team(&a, &backend).await;
    let before = assign_new_lead(&a, &team).await;

    let mut rep = follow(&b, &team, None).await;
    let mut other = follow(&b, &team, None).await;
    let seen = expect_triggers(&mut rep, &team, 1, &[&before], ARRIVE_SECS).await;
    assert_eq!(
        expect_triggers(&mut other, &team, 1, &[&before], ARRIVE_SECS).await,
        seen
    );
    // The second client goes away before the outage, remembering what it saw last.
    let last_seen = seen[0].id.clone();
    drop(other);

    redis.stop();
    // The mutation still succeeds: the row commits, the publish fails and is only logged.
    // Nor does it wait out the Redis client's reconnect attempts (about ten seconds each
    // time, which is past an ordinary client's timeout): two requests, well within 5 s.
    let started = Instant::now();
    let during = assign_new_lead(&a, &team).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "a Redis outage stalls requests: create and assign took {took:?}"
    );
    if let Some(event) = rep.try_recv_within(1).await {
        panic!("nothing can be delivered while Redis is down, got {event:?}");
    }

    redis = RedisServer::start(redis.port).await;
    // B's subscriber reconnects and resyncs: the same socket, nobody resubscribes.
    expect_triggers(&mut rep, &team, 2, &[&during], RESYNC_SECS).await;

    // The second client resumes after what it saw: it gets the gap from the database.
    let mut other = follow(&b, &team, Some(&last_seen)).await;
    expect_triggers(&mut other, &team, 2, &[&during], ARRIVE_SECS).await;

    // A's publisher is back too (readiness pings through it), so live delivery resumes.
    a.wait_ready().await;
    let after = assign_new_lead(&a, &team).await;
    expect_triggers(&mut rep, &team, 3, &[&after], ARRIVE_SECS).await;
    expect_triggers(&mut other, &team, 3, &[&after], ARRIVE_SECS).await;
    expect_quiet(&mut rep).await;
    expect_quiet(&mut other).await;
    drop(redis);
}

#[actix_web::test]
async fn a_trigger_committed_by_an_instance_killed_before_publishing_is_resumed_from_the_database()
{
    let Some(mut backend) = redis_lane("sigkill_after_commit") else {
        return;
    };
    let mut redis = RedisServer::start_free().await;
    backend.redis_url = Some(redis.url());
    let a = ServerProcess::start(&backend).await;
    let team = team(&a, &backend).await;
    let first = assign_new_lead(&a, &team).await;
    let mut rep = follow(&a, &team, None).await;
    expect_triggers(&mut rep, &team, 1, &[&first], ARRIVE_SECS).await;
    let second = assign_new_lead(&a, &team).await;
    let seen = expect_triggers(&mut rep, &team, 2, &[&second], ARRIVE_SECS).await;
    let last_seen = seen[0].id.clone();

    // Commit with no bus to publish on, then die without a chance to do anything else.
    redis.stop();
    let lost = assign_new_lead(&a, &team).await;
    a.kill();
    assert_eq!(
        rep.close_code_within(ARRIVE_SECS).await,
        None,
        "a killed process sends no close frame"
    );

    redis = RedisServer::start(redis.port).await;
    let c = ServerProcess::start(&backend).await;
    let mut rep = follow(&c, &team, Some(&last_seen)).await;
    expect_triggers(&mut rep, &team, 3, &[&lost], ARRIVE_SECS).await;
    expect_quiet(&mut rep).await;
    drop(redis);
}

#[actix_web::test]
async fn a_rep_drained_off_one_instance_resumes_on_another_without_gaps_or_repeats() {
    let Some(backend) = redis_lane("sigterm") else {
        return;
    };
    let a = ServerProcess::start(&backend).await;
    let b = ServerProcess::start(&backend).await;
    let team = team(&a, &backend).await;
    let first = assign_new_lead(&a, &team).await;
    let mut rep = follow(&a, &team, None).await;
    let seen = expect_triggers(&mut rep, &team, 1, &[&first], ARRIVE_SECS).await;
    let last_seen = seen[0].id.clone();

    // SIGTERM: the socket is told the server is going away (1001), and the process exits 0.
    let exited = tokio::task::spawn_blocking(move || a.terminate());
    assert_eq!(rep.close_code_within(ARRIVE_SECS).await, Some(1001));
    assert!(exited.await.unwrap(), "A exits cleanly after SIGTERM");

    let meanwhile = [
        assign_new_lead(&b, &team).await,
        assign_new_lead(&b, &team).await,
    ];
    let mut rep = follow(&b, &team, Some(&last_seen)).await;
    expect_triggers(
        &mut rep,
        &team,
        2,
        &[&meanwhile[0], &meanwhile[1]],
        ARRIVE_SECS,
    )
    .await;
    // And the resumed stream is live.
    let later = assign_new_lead(&b, &team).await;
    expect_triggers(&mut rep, &team, 4, &[&later], ARRIVE_SECS).await;
    expect_quiet(&mut rep).await;
}
