//! Ingestion throughput: batches of 1,000 events through `ingestEvents`, with identity
//! resolution, the score ledger, qualification and routing included.
//!
//!     cargo bench --bench ingest                                              # Postgres
//!     ACCORD_BENCH_DATABASE_URL='sqlite:///tmp/accord-bench.db?mode=rwc' cargo bench --bench ingest
//!
//! Variables: ACCORD_BENCH_BATCHES (40), ACCORD_BENCH_CONCURRENCY (2), ACCORD_BENCH_CONTACTS
//! (20000: the pool events are spread over, so most events find an existing lead).

// Shared by several benchmarks; each uses part of it.
#[allow(dead_code)]
mod support;

use std::time::{Duration, Instant};

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
                "contact": {"email": format!("person{person}@company{}.example.com", person / 10), "title": "VP Sales"},
                "source": "Website",
            })
        })
        .collect();
    json!({"query": "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { results { status } } }", "variables": {"e": events}})
}

#[actix_web::main]
async fn main() {
    let batches: usize = env_or("ACCORD_BENCH_BATCHES", 40);
    let concurrency: usize = env_or("ACCORD_BENCH_CONCURRENCY", 2);
    let contacts: u64 = env_or("ACCORD_BENCH_CONTACTS", 20_000);
    let config = support::bench_config("bench_ingest");
    let backend = if config.database_url.starts_with("sqlite") {
        "SQLite"
    } else {
        "Postgres"
    };
    let (_state, addr) = support::start(config).await;
    let (owner, _) = support::owner_session(addr, "owner@ingest.bench").await;
    let created = support::gql(addr, Some(&owner), "mutation { createApiToken(input: {name: \"bench\", scopes: [\"events:write\"]}) { token } }", json!({})).await;
    let token = created["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let run = uuid::Uuid::now_v7().simple().to_string();
    let mut rng = support::generate::Rng::new(7);
    let bodies: Vec<Value> = (0..batches)
        .map(|n| batch(&run, n, contacts, &mut rng))
        .collect();

    let started = Instant::now();
    let mut latencies = Vec::new();
    for chunk in bodies.chunks(concurrency) {
        let sends = chunk.iter().map(|body| {
            let token = token.clone();
            let body = body.to_string();
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
        });
        latencies.extend(futures_util::future::join_all(sends).await);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let events = batches * 1000;
    println!(
        "{backend}: {events} events in {batches} batches of 1,000 ({concurrency} at a time): {:.0} events/s; batch p50 {:.0} ms, max {:.0} ms",
        events as f64 / elapsed.as_secs_f64(),
        latencies[latencies.len() / 2].as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
}
