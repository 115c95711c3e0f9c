//! Ingestion throughput: batches of 1,000 events through `ingestEvents`, with identity
//! resolution, the score ledger, qualification, routing, SLA clocks, triggers, plays and
//! webhooks included: the workspace has an active contract, two routing rules, two active plays
//! and a webhook to a local sink ([`support::workspace`]). Prints events/s, statements per batch
//! and batch p50/p99; the first run against a database creates the contacts, later runs are
//! the steady state.
//!
//!     cargo bench --bench ingest                                              # Postgres
//!     ACCORD_BENCH_DATABASE_URL='sqlite:///tmp/accord-bench.db?mode=rwc' cargo bench --bench ingest
//!
//! Variables: ACCORD_BENCH_BATCHES (40), ACCORD_BENCH_CONCURRENCY (2), ACCORD_BENCH_CONTACTS
//! (20000: the pool events are spread over, so most events find an existing lead),
//! ACCORD_BENCH_TAP (set: one more batch alone, its statements listed by shape).

// Shared by several benchmarks; each uses part of it.
#[allow(dead_code)]
mod support;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};

const TYPES: &[&str] = &[
    "session",
    "email_open",
    "email_open",
    "session",
    "pricing_page_visit",
    "case_study_download",
    "webinar_attended",
    "demo_request",
];

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn batch(run: &str, number: usize, contacts: u64, rng: &mut support::generate::Rng) -> Value {
    let events: Vec<Value> = (0..1000)
        .map(|i| {
            let person = rng.below(contacts);
            json!({
                "idempotencyKey": format!("{run}-{number}-{i}"),
                "type": rng.pick(TYPES),
                "contact": {"email": format!("person{person}@company{}.example.com", person / 10), "title": if person.is_multiple_of(2) { "VP Sales" } else { "Head of Marketing" }},
                "source": "Website",
            })
        })
        .collect();
    json!({"query": "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { results { status } } }", "variables": {"e": events}})
}

/// The SQL of a tapped statement with its values cut off, to count statements by shape.
fn shape(sql: &str) -> String {
    let cut = sql
        .find(['\'', '$'])
        .or_else(|| sql.find(" VALUES"))
        .unwrap_or(sql.len());
    sql[..cut.min(110)].to_owned()
}

#[actix_web::main]
async fn main() {
    let batches: usize = env_or("ACCORD_BENCH_BATCHES", 40);
    let concurrency: usize = env_or("ACCORD_BENCH_CONCURRENCY", 2);
    let contacts: u64 = env_or("ACCORD_BENCH_CONTACTS", 20_000);
    let mut config = support::bench_config("bench_ingest");
    // The webhook's receiver is a sink on loopback.
    config.webhook_allow_private = true;
    let backend = if config.database_url.starts_with("sqlite") {
        "SQLite"
    } else {
        "Postgres"
    };
    let (state, addr) = support::start(config).await;
    let (owner, workspace) = support::owner_session(addr, "owner@ingest-honest.bench").await;
    let token = support::workspace::honest(&state, addr, &owner, &workspace).await;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let mut rng = support::generate::Rng::new(7);
    let bodies: Vec<Value> = (0..batches)
        .map(|n| batch(&run, n, contacts, &mut rng))
        .collect();
    let send = |body: String| {
        let token = token.clone();
        async move {
            let sent = Instant::now();
            let mut response = awc::Client::builder()
                .timeout(Duration::from_secs(120))
                .finish()
                .post(format!("http://{addr}/graphql"))
                .insert_header(("content-type", "application/json"))
                .insert_header(("authorization", format!("Bearer {token}")))
                .send_body(body)
                .await
                .expect("request");
            let bytes = response.body().limit(64 * 1024 * 1024).await.expect("body");
            let reply: Value = serde_json::from_slice(&bytes).expect("json");
            assert!(reply.get("errors").is_none(), "{reply}");
            sent.elapsed()
        }
    };

    support::settle_postgres(state.store.db()).await;
    let statements_before = state.prometheus.statements();
    let started = Instant::now();
    let mut latencies = Vec::new();
    // `concurrency` batches in flight all the time, as partner apps send: the next batch starts
    // when any one finishes, not when its whole group has.
    let mut in_flight =
        futures_util::stream::iter(bodies.iter().map(|body| send(body.to_string())))
            .buffer_unordered(concurrency);
    while let Some(latency) = in_flight.next().await {
        latencies.push(latency);
    }
    let elapsed = started.elapsed();
    // Background work the batches woke (webhook deliveries, due steps) is counted too.
    let statements = state.prometheus.statements() - statements_before;
    latencies.sort();
    let at = |p: f64| {
        latencies[((latencies.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
    };
    let events = batches * 1000;
    println!(
        "{backend}: {events} events in {batches} batches of 1,000 ({concurrency} at a time): {:.0} events/s; {:.0} statements per batch; batch p50 {:.0} ms, p99 {:.0} ms",
        events as f64 / elapsed.as_secs_f64(),
        statements as f64 / batches as f64,
        at(0.5),
        at(0.99),
    );
    if std::env::var("ACCORD_BENCH_TAP").is_ok() {
        // One more batch alone, its statements counted by shape.
        let body = batch(&run, batches, contacts, &mut rng).to_string();
        state.prometheus.tap_statements();
        send(body).await;
        let mut by_shape = std::collections::BTreeMap::<String, usize>::new();
        for sql in state.prometheus.untap() {
            *by_shape.entry(shape(&sql)).or_default() += 1;
        }
        let mut shapes: Vec<_> = by_shape.into_iter().collect();
        shapes.sort_by_key(|s| std::cmp::Reverse(s.1));
        let total: usize = shapes.iter().map(|s| s.1).sum();
        println!("one batch alone: {total} statements");
        for (sql, count) in shapes.iter().take(40) {
            println!("{count:6}  {sql}");
        }
    }
}
