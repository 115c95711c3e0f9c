//! Timing: each query is sent `warmups` times, then `runs` times one after the other over one
//! keep-alive connection; p50 and p95 of the timed ones. A query the server refuses (not wired
//! yet, or failing) is reported with its first error instead.

use std::{
    net::SocketAddr,
    path::Path,
    time::{Duration, Instant},
};

use accord_api::{state::AppState, telemetry::prometheus::Prometheus};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use crate::support::load::LoadResult;

#[derive(Clone)]
pub struct Spec {
    pub name: String,
    pub query: String,
    pub variables: Value,
}

pub struct Client {
    addr: SocketAddr,
    token: String,
    http: awc::Client,
}

impl Client {
    pub fn new(addr: SocketAddr, token: &str) -> Self {
        Client {
            addr,
            token: token.to_owned(),
            http: awc::Client::builder()
                .timeout(Duration::from_secs(900))
                .finish(),
        }
    }

    /// Sends `spec` once; the data, or the first error's message.
    pub async fn send(&self, spec: &Spec) -> Result<Value, String> {
        let body = json!({"query": spec.query, "variables": spec.variables}).to_string();
        let mut response = self
            .http
            .post(format!("http://{}/graphql", self.addr))
            .insert_header(("content-type", "application/json"))
            .insert_header(("accept", "application/json"))
            .insert_header(("authorization", format!("Bearer {}", self.token)))
            .send_body(body)
            .await
            .map_err(|err| format!("request: {err}"))?;
        let bytes = response
            .body()
            .limit(256 * 1024 * 1024)
            .await
            .map_err(|err| format!("body: {err}"))?;
        let reply: Value = serde_json::from_slice(&bytes)
            .map_err(|_| format!("{}: {}", response.status(), String::from_utf8_lossy(&bytes)))?;
        match reply.get("errors") {
            Some(errors) => Err(errors[0]["message"].as_str().unwrap_or("error").to_owned()),
            None => Ok(reply["data"].clone()),
        }
    }

    /// `warmups` requests, then `runs` timed ones, one at a time (or fewer, but at least
    /// `MIN_RUNS`, once `budget` has passed: a million leads make some queries slow).
    pub async fn time(
        &self,
        metrics: &Prometheus,
        spec: &Spec,
        warmups: usize,
        runs: usize,
        budget: Duration,
    ) -> Result<Timing, String> {
        for _ in 0..warmups {
            self.send(spec).await?;
        }
        let statements = metrics.statements();
        let sql_seconds = metrics.db_latency.get_sample_sum();
        let started = Instant::now();
        let mut latencies = Vec::with_capacity(runs);
        while latencies.len() < runs && (latencies.len() < MIN_RUNS || started.elapsed() < budget) {
            let sent = Instant::now();
            self.send(spec).await?;
            latencies.push(sent.elapsed());
        }
        let n = latencies.len();
        let result = LoadResult {
            requests: n,
            elapsed: started.elapsed(),
            latencies,
        };
        let ms = |p| result.percentile(p).as_secs_f64() * 1000.0;
        Ok(Timing {
            runs: n,
            p50: ms(0.5),
            p95: ms(0.95),
            sql_ms: (metrics.db_latency.get_sample_sum() - sql_seconds) * 1000.0 / n as f64,
            statements: (metrics.statements() - statements) as f64 / n as f64,
        })
    }
}

/// Fewer timed requests than asked are made only past the time budget, and never fewer than
/// this.
const MIN_RUNS: usize = 10;

/// What the timed requests of one query took.
pub struct Timing {
    pub runs: usize,
    pub p50: f64,
    pub p95: f64,
    /// Mean time per request spent in SQL statements (from sending a statement to holding its
    /// rows), as the server's statement histogram saw it.
    pub sql_ms: f64,
    /// Mean statements per request.
    pub statements: f64,
}

/// One line of the results table.
pub struct Row {
    pub query: String,
    pub leads: u64,
    pub backend: &'static str,
    pub outcome: Result<Timing, String>,
}

impl Row {
    pub fn markdown(&self) -> String {
        let head = format!("| {} | {} | {} |", self.query, self.leads, self.backend);
        match &self.outcome {
            Ok(t) => format!(
                "{head} {} | {:.1} | {:.1} | {:.1} | {:.0} |",
                t.runs, t.p50, t.p95, t.sql_ms, t.statements
            ),
            Err(message) => format!(
                "{head} - | - | - | - | error: {} |",
                message.replace('|', "/")
            ),
        }
    }
}

pub const HEADER: &str = "| query | leads | backend | runs | p50 ms | p95 ms | SQL ms/request | statements/request |\n|---|---:|---|---:|---:|---:|---:|---:|";

/// Runs `spec` once with the statements tapped, then EXPLAIN ANALYZE on each (Postgres);
/// prints the `top` slowest with their plans.
pub async fn explain(state: &AppState, client: &Client, spec: &Spec, top: usize) {
    let db = state.store.db();
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    state.prometheus.tap_statements();
    let sent = client.send(spec).await;
    let statements = state.prometheus.untap();
    if let Err(message) = sent {
        println!("{}: {message}", spec.name);
        return;
    }
    let mut plans = Vec::new();
    for sql in statements
        .iter()
        .filter(|s| s.trim_start().starts_with("SELECT"))
    {
        let explained = db
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"),
            ))
            .await;
        let Ok(rows) = explained else { continue };
        let lines: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "QUERY PLAN").ok())
            .collect();
        let total = lines
            .iter()
            .find_map(|l| l.strip_prefix("Execution Time: "))
            .and_then(|t| t.trim_end_matches(" ms").parse::<f64>().ok())
            .unwrap_or(0.0);
        plans.push((total, sql.clone(), lines));
    }
    plans.sort_by(|a, b| b.0.total_cmp(&a.0));
    let sum: f64 = plans.iter().map(|p| p.0).sum();
    println!(
        "\n### EXPLAIN ANALYZE, {}: {} statements, {sum:.0} ms of execution in all",
        spec.name,
        statements.len()
    );
    // The statements by shape (their first words), most repeated first: repeats are per-row
    // lookups a loader should batch.
    let mut shapes: std::collections::BTreeMap<String, usize> = Default::default();
    for sql in &statements {
        *shapes.entry(sql.chars().take(90).collect()).or_default() += 1;
    }
    let mut shapes: Vec<(String, usize)> = shapes.into_iter().collect();
    shapes.sort_by_key(|shape| std::cmp::Reverse(shape.1));
    for (shape, count) in shapes.iter().take(12) {
        println!("{count:>4} x {shape}");
    }
    for (ms, sql, lines) in plans.iter().take(top) {
        let head: String = sql.chars().take(400).collect();
        println!("\n{ms:.1} ms: {head}\n```");
        for line in lines.iter().take(25) {
            println!("{line}");
        }
        println!("```");
    }
}

/// Adds `lines` (table rows whose first `key` cells identify them) to the table in `path`,
/// replacing earlier rows with the same key; returns the whole table, sorted by key.
pub fn keep(path: &Path, header: &str, key: usize, lines: &[String]) -> String {
    let mut kept: Vec<String> = std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .skip(2)
        .filter(|l| l.starts_with("| "))
        .map(str::to_owned)
        .collect();
    for line in lines {
        let id = cells(line)[..key].to_vec();
        kept.retain(|l| cells(l)[..key] != id[..]);
        kept.push(line.clone());
    }
    // Text cells in order, number cells by value.
    kept.sort_by_key(|l| {
        cells(l)[..key]
            .iter()
            .map(|c| (c.parse::<u64>().unwrap_or(0), c.clone()))
            .collect::<Vec<_>>()
    });
    let table = format!("{header}\n{}\n", kept.join("\n"));
    std::fs::write(path, &table).unwrap();
    table
}

fn cells(line: &str) -> Vec<String> {
    let mut cells: Vec<String> = line
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect();
    cells.resize(8, String::new());
    cells
}
