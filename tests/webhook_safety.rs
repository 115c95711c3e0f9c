//! Webhooks cannot be turned against Accord's own network: internal addresses are refused when
//! registered and again when a delivery connects, redirects are not followed, failures are
//! reported by class only; a workspace holds at most 20 webhooks; a receiver that never
//! answers holds up nobody else; a page of deliveries reads its attempts in one query.

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    time::Duration as StdDuration,
};

use entity::{webhook, webhook_attempt, webhook_delivery, DeliveryStatus};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{
    fixtures::{hot_lead, team},
    webhook_receiver::{start_receiver, wait_for, Answer, Shared},
    TestApp,
};

const CREATE: &str = "mutation($u: String!) { createWebhook(input: {url: $u, events: [\"lead.mql\"]}) { webhook { id url } } }";

/// A TCP listener on a loopback port that accepts every connection, never answers, and reports
/// each peer in order (to an async receiver: the test's thread also runs the server).
struct Tarpit {
    port: u16,
    accepted: tokio::sync::mpsc::UnboundedReceiver<SocketAddr>,
}

impl Tarpit {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tell, accepted) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                let peer = stream.peer_addr().unwrap();
                held.push(stream);
                if tell.send(peer).is_err() {
                    return;
                }
            }
        });
        Tarpit { port, accepted }
    }

    async fn next_peer(&mut self) -> SocketAddr {
        tokio::time::timeout(StdDuration::from_secs(20), self.accepted.recv())
            .await
            .expect("a connection reached the listener in time")
            .expect("the listener runs")
    }
}

async fn create(app: &TestApp, access: &str, url: &str) -> Value {
    let reply = app.gql(Some(access), CREATE, json!({"u": url})).await;
    reply.data("createWebhook")["webhook"]["id"].clone()
}

/// Points a webhook straight at `url` in the database, as a row written before these rules
/// (or by an install that allowed private addresses) would be.
async fn point_at(app: &TestApp, webhook_id: &Value, url: String) {
    let id = Uuid::parse_str(webhook_id.as_str().unwrap()).unwrap();
    webhook::Entity::update_many()
        .col_expr(webhook::Column::Url, Expr::value(url))
        .filter(webhook::Column::Id.eq(id))
        .exec(app.db())
        .await
        .unwrap();
}

#[actix_web::test]
async fn internal_addresses_are_refused_at_registration_in_every_spelling() {
    let app = TestApp::start().await;
    assert!(!app.state.config.webhook_allow_private, "off by default");
    let owner = app.owner("Outbound").await;
    let internal = [
        "http://127.0.0.1:6379/",
        "http://localhost:8080/hook",
        "http://LocalHost./",
        "http://api.localhost/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::1]:8080/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
    ];
    for url in internal {
        let reply = app
            .gql(Some(&owner.access), CREATE, json!({"u": url}))
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{url}: {}", reply.raw);
        assert_eq!(reply.field(), Some("input.url"), "{url}");
    }
    let reply = app
        .gql(Some(&owner.access), CREATE, json!({"u": "http://0x7f.1/"}))
        .await;
    assert!(reply.raw.contains("loopback"), "{}", reply.raw);

    // A public one is kept in normal form, and cannot be moved inside by an update either.
    let made = app
        .gql(
            Some(&owner.access),
            CREATE,
            json!({"u": "https://Hooks.Example.com"}),
        )
        .await;
    let hook = made.data("createWebhook")["webhook"].clone();
    assert_eq!(hook["url"], "https://hooks.example.com/");
    let update =
        "mutation($id: ID!, $u: String!) { updateWebhook(id: $id, input: {url: $u}) { url } }";
    for url in internal {
        let reply = app
            .gql(
                Some(&owner.access),
                update,
                json!({"id": hook["id"], "u": url}),
            )
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{url}: {}", reply.raw);
        assert_eq!(reply.field(), Some("input.url"), "{url}");
    }
    let listed = app
        .gql(
            Some(&owner.access),
            "{ webhooks { nodes { url } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        &listed.data("webhooks")["nodes"],
        &json!([{"url": "https://hooks.example.com/"}])
    );
}

#[actix_web::test]
async fn deliveries_never_connect_to_internal_addresses() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = team(&app).await;
    let owner = &team.owner.access;
    let mut listener = Tarpit::start();
    // One webhook by address, one by a name that resolves to this machine.
    let by_address = create(&app, owner, "https://one.hooks.example.com/").await;
    let by_name = create(&app, owner, "https://two.hooks.example.com/").await;
    point_at(
        &app,
        &by_address,
        format!("http://127.0.0.1:{}/ip", listener.port),
    )
    .await;
    point_at(
        &app,
        &by_name,
        format!("http://localhost:{}/name", listener.port),
    )
    .await;

    hot_lead(&app, &team, "pat@blocked-test.io", "Webinar").await;
    for hook in [&by_address, &by_name] {
        let done = wait_for(&app, owner, hook, |d| d[0]["attempts"] == 1).await;
        assert_eq!(done[0]["status"], "PENDING");
        assert_eq!(done[0]["lastError"], "blocked address", "{hook}");
        assert!(done[0]["lastStatusCode"].is_null());
        assert_eq!(done[0]["attemptLog"][0]["error"], "blocked address");
    }
    // No connection reached the listener: the first one it accepts is this test's own.
    let mine = TcpStream::connect(("127.0.0.1", listener.port)).unwrap();
    assert_eq!(listener.next_peer().await, mine.local_addr().unwrap());
}

#[actix_web::test]
async fn redirects_are_not_followed_answers_are_capped_and_failures_named() {
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.webhook_timeout_ms = 3_000;
        config.webhook_allow_private = true;
    })
    .await;
    let team = team(&app).await;
    let owner = &team.owner.access;
    let shared: Shared = Shared::default();
    {
        let mut receiver = shared.lock().unwrap();
        receiver
            .defaults
            .insert("/moved".into(), Answer::Redirect("/landed"));
        receiver.defaults.insert("/endless".into(), Answer::Endless);
    }
    let base = start_receiver(shared.clone());
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let moved = create(&app, owner, &format!("{base}/moved")).await;
    let endless = create(&app, owner, &format!("{base}/endless")).await;
    let refused = create(&app, owner, &format!("http://127.0.0.1:{closed_port}/")).await;

    hot_lead(&app, &team, "pat@classes-test.io", "Webinar").await;
    let moved_now = wait_for(&app, owner, &moved, |d| d[0]["attempts"] == 1).await;
    assert_eq!(moved_now[0]["lastStatusCode"], 302);
    assert_eq!(moved_now[0]["lastError"], "redirect not followed");
    assert_eq!(moved_now[0]["status"], "PENDING");
    // A body that never ends is read no further than the cap: delivered well within the timeout.
    let endless_now = wait_for(&app, owner, &endless, |d| d[0]["attempts"] == 1).await;
    assert_eq!(endless_now[0]["status"], "DELIVERED");
    let latency = endless_now[0]["attemptLog"][0]["latencyMs"]
        .as_i64()
        .unwrap();
    assert!(latency < 3_000, "{latency} ms");
    let refused_now = wait_for(&app, owner, &refused, |d| d[0]["attempts"] == 1).await;
    assert_eq!(refused_now[0]["lastError"], "connection refused");
    assert!(!shared.lock().unwrap().received.contains_key("/landed"));
}

#[actix_web::test]
async fn a_receiver_that_never_answers_holds_up_no_other_workspace() {
    // A 30-second timeout: a sender that waited for its whole batch would hold the other
    // workspace's delivery that long.
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.webhook_timeout_ms = 30_000;
        config.webhook_allow_private = true;
    })
    .await;
    let slow = team(&app).await;
    let fast = team(&app).await;
    let mut tarpit = Tarpit::start();
    let shared: Shared = Shared::default();
    let base = start_receiver(shared.clone());
    let slow_hook = create(
        &app,
        &slow.owner.access,
        &format!("http://127.0.0.1:{}/slow", tarpit.port),
    )
    .await;
    let fast_hook = create(&app, &fast.owner.access, &format!("{base}/fast")).await;

    hot_lead(&app, &slow, "pat@slow-test.io", "Webinar").await;
    // The slow delivery is in flight: its receiver accepted and says nothing.
    tarpit.next_peer().await;
    hot_lead(&app, &fast, "pat@fast-test.io", "Webinar").await;
    let delivered = wait_for(&app, &fast.owner.access, &fast_hook, |d| {
        d[0]["status"] == "DELIVERED"
    })
    .await;
    assert_eq!(delivered[0]["attempts"], 1);
    let held = wait_for(&app, &slow.owner.access, &slow_hook, |_| true).await;
    assert_eq!(held[0]["status"], "PENDING");
    assert_eq!(held[0]["attempts"], 0);
}

#[actix_web::test]
async fn a_workspace_holds_at_most_twenty_webhooks() {
    let app = TestApp::start().await;
    let owner = app.owner("Many hooks").await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(create(&app, &owner.access, &format!("https://h{i}.example.com/")).await);
    }
    let refused = app
        .gql(
            Some(&owner.access),
            CREATE,
            json!({"u": "https://h20.example.com/"}),
        )
        .await;
    assert_eq!(refused.code(), "CONFLICT", "{}", refused.raw);
    assert!(
        refused.raw.contains("at most 20 webhooks"),
        "{}",
        refused.raw
    );
    // Another workspace has its own twenty; deleting one makes room.
    let other = app.owner("Other hooks").await;
    create(&app, &other.access, "https://other.example.com/").await;
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!) { deleteWebhook(id: $id) }",
        json!({"id": ids[0]}),
    )
    .await
    .data("deleteWebhook");
    create(&app, &owner.access, "https://h20.example.com/").await;
}

#[actix_web::test]
async fn a_page_of_deliveries_reads_its_attempts_in_one_query() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let owner = app.owner("Attempt logs").await;
    let hook_id = create(&app, &owner.access, "https://logs.example.com/").await;
    let hook = webhook::Entity::find_by_id(Uuid::parse_str(hook_id.as_str().unwrap()).unwrap())
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    // Thirty delivered deliveries of two attempts each (done, so the sender leaves them).
    let now = app.state.clock.now();
    for i in 0..30 {
        let delivery = webhook_delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(hook.workspace_id),
            webhook_id: Set(hook.id),
            event_id: Set(Uuid::now_v7()),
            event: Set("lead.mql".into()),
            payload: Set(json!({"n": i})),
            status: Set(DeliveryStatus::Delivered),
            attempts: Set(2),
            next_attempt_at: Set(now),
            last_status_code: Set(Some(200)),
            last_error: Set(None),
            created_at: Set(now + chrono::Duration::seconds(i)),
            delivered_at: Set(Some(now)),
        }
        .insert(app.db())
        .await
        .unwrap();
        for (n, code) in [(0, 500), (1, 200)] {
            webhook_attempt::ActiveModel {
                id: Set(Uuid::now_v7()),
                workspace_id: Set(hook.workspace_id),
                delivery_id: Set(delivery.id),
                attempted_at: Set(now + chrono::Duration::seconds(n)),
                status_code: Set(Some(code)),
                latency_ms: Set(5),
                error: Set((code == 500).then(|| "http 500".to_owned())),
            }
            .insert(app.db())
            .await
            .unwrap();
        }
    }
    let page = "query($id: ID!, $n: Int!) { webhookDeliveries(webhookId: $id, first: $n) { nodes { id attemptLog { statusCode error } } } }";
    let mut costs = Vec::new();
    for n in [3, 30] {
        // The fewest of three runs: background work may still be counting.
        let mut fewest = u64::MAX;
        for _ in 0..3 {
            let before = app.state.prometheus.statements();
            let reply = app
                .gql(Some(&owner.access), page, json!({"id": hook_id, "n": n}))
                .await;
            let deliveries = reply.data("webhookDeliveries")["nodes"].as_array().unwrap();
            assert_eq!(deliveries.len(), n);
            for delivery in deliveries {
                assert_eq!(
                    delivery["attemptLog"],
                    json!([{"statusCode": 500, "error": "http 500"}, {"statusCode": 200, "error": null}])
                );
            }
            fewest = fewest.min(app.state.prometheus.statements() - before);
        }
        costs.push(fewest);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 3 and 30 deliveries: {costs:?}"
    );
}
