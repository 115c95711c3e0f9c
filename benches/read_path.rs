//! The dashboard read path: a page of 50 leads with their account and owner, on Postgres with
//! 100,000 contacts, in requests per second; then the same SQL statements replayed by pgbench
//! at the same concurrency, for the ratio the README's performance targets ask for (at least 40%).
//!
//!     cargo bench --bench read_path
//!
//! Variables: ACCORD_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
//! ACCORD_BENCH_CONTACTS (100000), ACCORD_BENCH_SECONDS (10), ACCORD_BENCH_CONCURRENCY (16);
//! ACCORD_BENCH_PREPARE_ONLY=1 fills the workspace (with the deals and the scored, staged leads
//! of `support/extras.rs` that the other dashboard lists read) and stops before measuring:
//! `benches/peer/postgraphile.sh` does that, then serves the same schema with `accord serve`.

// Shared by several benchmarks; each uses part of it.
#[allow(dead_code)]
mod support;

use std::{process::Command, time::Duration};

use serde_json::json;

const PAGE: &str = "query { leads(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id email title fitScore stage account { id name domain industry } owner { id name email } } } } }";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[actix_web::main]
async fn main() {
    let contacts: u64 = env_or("ACCORD_BENCH_CONTACTS", 100_000);
    let seconds: u64 = env_or("ACCORD_BENCH_SECONDS", 10);
    let concurrency: usize = env_or("ACCORD_BENCH_CONCURRENCY", 16);
    let config = support::bench_config("bench_read_path");
    let database_url = config.database_url.clone();
    let schema = config.database_schema.clone();
    let (state, addr) = support::start(config).await;
    let (token, workspace) = support::owner_session(addr, "owner@read-path.bench").await;
    let workspace_id = uuid::Uuid::parse_str(&workspace).unwrap();
    let (reps, sources) = support::generate::ensure_team(&state.store, workspace_id, 20).await;
    let made =
        support::generate::ensure_contacts(&state.store, workspace_id, contacts, &reps, &sources)
            .await;
    let deals = support::extras::ensure(&state.store, workspace_id).await;
    support::generate::analyze(&state.store).await;
    if std::env::var("ACCORD_BENCH_PREPARE_ONLY").is_ok_and(|v| v == "1") {
        println!("workspace {workspace} with {made} contacts and {deals} deals, ready");
        return;
    }
    println!("workspace with {made} contacts; {concurrency} clients for {seconds} s");

    let body = json!({ "query": PAGE });
    support::load::run(
        addr,
        &token,
        body.clone(),
        concurrency,
        Duration::from_secs(2),
    )
    .await;
    state.prometheus.tap_statements();
    support::gql(addr, Some(&token), PAGE, json!({})).await;
    let statements = state.prometheus.untap();
    let result = support::load::run(
        addr,
        &token,
        body,
        concurrency,
        Duration::from_secs(seconds),
    )
    .await;
    println!(
        "graphql: {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms, {} statements per request",
        result.per_second(),
        result.percentile(0.5).as_secs_f64() * 1000.0,
        result.percentile(0.99).as_secs_f64() * 1000.0,
        statements.len()
    );

    if !database_url.starts_with("postgres") {
        return;
    }
    let script = std::env::temp_dir().join("accord-read-path.sql");
    let mut sql = String::new();
    if let Some(schema) = &schema {
        sql.push_str(&format!("SET search_path TO \"{schema}\";\n"));
    }
    for statement in &statements {
        sql.push_str(&statement.replace('\n', " "));
        sql.push_str(";\n");
    }
    std::fs::write(&script, sql).unwrap();
    let output = Command::new("pgbench")
        .args(["-n", "-f"])
        .arg(&script)
        .args([
            "-T",
            &seconds.to_string(),
            "-c",
            &concurrency.to_string(),
            "-j",
            "2",
        ])
        .arg(&database_url)
        .output()
        .expect("pgbench is installed");
    let report = String::from_utf8_lossy(&output.stdout);
    let tps = report
        .lines()
        .find(|line| line.starts_with("tps"))
        .and_then(|line| line.split_whitespace().nth(2))
        .and_then(|n| n.parse::<f64>().ok());
    match tps {
        Some(tps) => println!(
            "pgbench, same {} statements per transaction: {:.0} transactions/s; graphql reaches {:.0}%",
            statements.len(),
            tps,
            100.0 * result.per_second() / tps
        ),
        None => println!("pgbench failed:\n{report}\n{}", String::from_utf8_lossy(&output.stderr)),
    }
}
