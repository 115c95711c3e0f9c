//! Trigger delivery across instances: two `accord` server processes share one Postgres and one
//! Redis; 1,000 reps hold a `playTriggers` subscription on instance B; events that make HOT MQLs
//! are ingested on instance A, one at a time, round-robin routed over the reps. Measured: the
//! time from `ingestEvents` returning to the rep receiving the trigger (p50, p99), and the
//! resident memory of instance B holding 10,000 open subscriptions.
//!
//!     cargo bench --bench triggers
//!
//! Variables: ACCORD_BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
//! ACCORD_BENCH_REDIS_URL (redis://127.0.0.1:6379), ACCORD_BENCH_REPS (1000),
//! ACCORD_BENCH_EVENTS (2000), ACCORD_BENCH_SUBSCRIPTIONS (10000), ACCORD_BENCH_PROFILE_B (a
//! command instance B runs under, e.g. `valgrind --tool=massif --massif-out-file=/tmp/b.massif`). Each run uses a fresh schema
//! and drops it at the end.

// Shared by several benchmarks; each uses part of it.
#[allow(dead_code)]
mod support;

use std::{
    net::{SocketAddr, TcpListener},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use accord_api::{auth::session, services::routing::Target, state::AppState, store::Tenant};
use awc::ws::{Frame, Message};
use chrono::Utc;
use entity::{lead_contract, refresh_token, routing_rule, user, ContractStatus};
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use uuid::Uuid;

const SUBSCRIBE: &str = "subscription { playTriggers { sequence kind lead { id } } }";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server {
    addr: SocketAddr,
    child: Child,
}

impl Server {
    /// `wrapper`: a command line the binary runs under (a profiler), split on spaces.
    async fn start(config: &accord_api::config::Config, wrapper: Option<&str>) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut words = wrapper.unwrap_or_default().split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(env!("CARGO_BIN_EXE_accord"));
                command
            }
            None => Command::new(env!("CARGO_BIN_EXE_accord")),
        };
        let child = command
            .arg("serve")
            .env("ACCORD_BIND", addr.to_string())
            .env("DATABASE_URL", &config.database_url)
            .env(
                "ACCORD_DATABASE_SCHEMA",
                config.database_schema.as_deref().unwrap(),
            )
            .env("REDIS_URL", config.redis_url.as_deref().unwrap())
            .env("JWT_SECRET", config.jwt_secret.as_deref().unwrap())
            .env("ACCORD_RATE_LIMIT_BUDGET", (u64::MAX / 2).to_string())
            .env("ACCORD_DB_MAX_CONNECTIONS", "16")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the accord binary starts");
        // Owned from here on, so a failed start still kills the process (see `Drop`).
        let server = Server { addr, child };
        let client = awc::Client::new();
        for _ in 0..300 {
            if let Ok(response) = client.get(format!("http://{addr}/readyz")).send().await {
                if response.status().is_success() {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server on {addr} did not become ready");
    }

    /// Resident memory (VmRSS) in MiB, from /proc.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kib / 1024.0
    }
}

impl Drop for Server {
    /// SIGTERM first, so a profiler the server runs under writes its report; SIGKILL after 60 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..600 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Accepts any MQL (no ICP needed) and activates the contract; routes round-robin over `reps`.
async fn fixture(state: &AppState, workspace_id: Uuid, reps: &[Uuid]) {
    let tenant = Tenant::new(state.store.db(), workspace_id);
    let draft = tenant
        .select::<lead_contract::Entity>()
        .one(state.store.db())
        .await
        .unwrap()
        .expect("a new workspace has a draft contract");
    let mut terms = draft.terms.clone();
    terms["acceptance"]["minFit"] = json!(0);
    let mut active = draft.into_active_model();
    active.terms = Set(terms);
    active.status = Set(ContractStatus::Active);
    active.activated_at = Set(Some(Utc::now()));
    active.update(state.store.db()).await.unwrap();
    let targets: Vec<Target> = reps
        .iter()
        .map(|id| Target {
            user_id: *id,
            weight: 1,
        })
        .collect();
    let rule_id = Uuid::now_v7();
    routing_rule::Entity::insert(routing_rule::ActiveModel {
        id: Set(rule_id),
        workspace_id: Set(workspace_id),
        family_id: Set(rule_id),
        version: Set(1),
        status: Set(entity::RoutingRuleStatus::Published),
        published_at: Set(Some(Utc::now())),
        name: Set("Every rep".into()),
        position: Set(1),
        criteria: Set(json!({"field": "lead.stage", "op": "EXISTS"})),
        targets: Set(serde_json::to_value(targets).unwrap()),
        strategy: Set("ROUND_ROBIN".into()),
        capacity: Set(None),
        assigned_count: Set(0),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    })
    .exec(state.store.db())
    .await
    .unwrap();
}

/// One rep's socket: subscribes, then reports every assignment trigger with its arrival time.
async fn follow(addr: SocketAddr, token: String, report: Option<mpsc::UnboundedSender<Instant>>) {
    let (_, mut socket) = awc::Client::new()
        .ws(format!("ws://{addr}/graphql/ws"))
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .expect("websocket connects");
    let send = |v: Value| Message::Text(v.to_string().into());
    socket
        .send(send(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}})))
        .await
        .unwrap();
    socket
        .send(send(
            json!({"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE}}),
        ))
        .await
        .unwrap();
    while let Some(frame) = socket.next().await {
        match frame {
            Ok(Frame::Text(bytes)) => {
                let arrived = Instant::now();
                let message: Value = serde_json::from_slice(&bytes).unwrap();
                if message["type"] == "next" {
                    let kind = &message["payload"]["data"]["playTriggers"]["kind"];
                    if kind == "HOT_LEAD_ENGAGED" || kind == "LEAD_ASSIGNED" {
                        if let Some(report) = &report {
                            let _ = report.send(arrived);
                        }
                    }
                }
            }
            Ok(Frame::Ping(bytes)) => {
                let _ = socket.send(Message::Pong(bytes)).await;
            }
            Ok(Frame::Close(_)) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[actix_web::main]
async fn main() {
    let reps: usize = env_or("ACCORD_BENCH_REPS", 1000);
    let events: usize = env_or("ACCORD_BENCH_EVENTS", 2000);
    let subscriptions: usize = env_or("ACCORD_BENCH_SUBSCRIPTIONS", 10_000);
    let schema = format!("bench_triggers_{}", Uuid::now_v7().simple());
    let mut config = support::bench_config(&schema);
    if config.redis_url.is_none() {
        config.redis_url = Some("redis://127.0.0.1:6379".into());
    }
    assert!(
        !config.database_url.starts_with("sqlite"),
        "two instances share Postgres: set ACCORD_BENCH_DATABASE_URL to a Postgres URL"
    );
    // The bench's own state: migrations, the fixture and the reps' sessions.
    let state = AppState::build(config.clone()).await.expect("state builds");
    let a = Server::start(&config, None).await;
    let profiler = std::env::var("ACCORD_BENCH_PROFILE_B").ok();
    let b = Server::start(&config, profiler.as_deref()).await;
    let (_, workspace) = support::owner_session(a.addr, "owner@bench-triggers.example.com").await;
    let workspace_id: Uuid = workspace.parse().unwrap();
    let (rep_ids, _) = support::generate::ensure_team(&state.store, workspace_id, reps).await;
    fixture(&state, workspace_id, &rep_ids).await;
    let mut tokens = Vec::with_capacity(rep_ids.len());
    for id in &rep_ids {
        let rep = user::Entity::find_by_id(*id)
            .one(state.store.db())
            .await
            .unwrap()
            .unwrap();
        // A session is a live refresh-token family; open one for the rep without a password.
        let family_id = Uuid::now_v7();
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            family_id: Set(family_id),
            user_id: Set(rep.id),
            workspace_id: Set(Some(workspace_id)),
            token_hash: Set(format!("bench-{family_id}")),
            created_at: Set(Utc::now()),
            expires_at: Set(Utc::now() + chrono::Duration::days(1)),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(state.store.db())
        .await
        .expect("a session family");
        let issued = session::issue(&state, rep, Some(workspace_id), family_id)
            .await
            .expect("session");
        tokens.push(issued.access_token);
    }
    let (token, _) = support::owner_session(a.addr, "owner@bench-triggers.example.com").await;
    let partner = support::gql(
        a.addr,
        Some(&token),
        "mutation { createApiToken(input: {name: \"bench\", scopes: [\"events:write\"]}) { token } }",
        json!({}),
    )
    .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let idle_mib = b.rss_mib();
    let (report, mut arrivals) = mpsc::unbounded_channel();
    for token in &tokens {
        actix_web::rt::spawn(follow(b.addr, token.clone(), Some(report.clone())));
    }
    // Let every socket finish its handshake and subscription.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let mut latencies = Vec::with_capacity(events);
    let mut early = 0;
    for i in 0..events {
        let body = json!({
            "query": "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { results { status } } }",
            "variables": {"e": [{"idempotencyKey": format!("t-{i}"), "type": "demo_request",
                "contact": {"email": format!("buyer{i}@company{i}.example.com")}}]}
        });
        let mut response = client
            .post(format!("http://{}/graphql", a.addr))
            .insert_header(("content-type", "application/json"))
            .insert_header(("authorization", format!("Bearer {partner}")))
            .send_body(body.to_string())
            .await
            .expect("ingest");
        let answer: Value = serde_json::from_slice(&response.body().await.unwrap()).unwrap();
        let returned = Instant::now();
        assert_eq!(
            answer["data"]["ingestEvents"]["results"][0]["status"], "ACCEPTED",
            "{answer}"
        );
        let arrived = tokio::time::timeout(Duration::from_secs(10), arrivals.recv())
            .await
            .expect("the trigger arrives")
            .unwrap();
        if arrived < returned {
            early += 1;
        }
        latencies.push(arrived.saturating_duration_since(returned));
    }
    latencies.sort();
    let with_reps_mib = b.rss_mib();

    // Memory: instance B holding `subscriptions` open sockets, one subscription each.
    for i in reps..subscriptions {
        actix_web::rt::spawn(follow(b.addr, tokens[i % tokens.len()].clone(), None));
        if i % 500 == 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let full_mib = b.rss_mib();

    println!(
        "Trigger delivery across two instances (Postgres + Redis), {reps} reps subscribed on B:"
    );
    println!(
        "  {events} HOT MQLs ingested on A one at a time; ingestEvents returned -> rep received: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({early} arrived before the HTTP answer was read: counted as 0)",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
    println!(
        "  instance B resident memory: {idle_mib:.0} MiB idle, {with_reps_mib:.0} MiB with {reps} subscriptions, {full_mib:.0} MiB with {subscriptions} ({:.1} KiB per subscription)",
        (full_mib - idle_mib) * 1024.0 / subscriptions as f64
    );
    drop(a);
    drop(b);
    state
        .store
        .db()
        .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .expect("drop the bench schema");
    std::process::exit(0);
}
