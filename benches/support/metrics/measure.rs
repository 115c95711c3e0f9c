//! Timing: each query is sent `warmups` times, then `runs` times one after the other over one
//! keep-alive connection; p50 and p95 of the timed ones. A query the server refuses (not wired
//! yet, or failing) is reported with its first error instead.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use accord_api::state::AppState;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use super::target::Target;
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
            Some(errors) => Err(errors[0]["message"]
                .as_str()
                .unwrap_or("error")
                .to_owned()),
            None => Ok(reply["data"].clone()),
        }
    }

    /// The latencies of `runs` requests after `warmups`.
    pub async fn time(&self, spec: &Spec, warmups: usize, runs: usize) -> Result<LoadResult, String> {
        for _ in 0..warmups {
            self.send(spec).await?;
        }
        let started = Instant::now();
        let mut latencies = Vec::with_capacity(runs);
        for _ in 0..runs {
            let sent = Instant::now();
            self.send(spec).await?;
            latencies.push(sent.elapsed());
        }
        Ok(LoadResult {
            requests: runs,
            elapsed: started.elapsed(),
            latencies,
        })
    }
}

/// One line of the results table.
pub struct Row {
    pub query: String,
    pub leads: u64,
    pub backend: &'static str,
    pub outcome: Result<(f64, f64), String>,
    pub statements: u64,
}

impl Row {
    pub fn markdown(&self) -> String {
        match &self.outcome {
            Ok((p50, p95)) => format!(
                "| {} | {} | {} | {p50:.1} | {p95:.1} | {} |",
                self.query, self.leads, self.backend, self.statements
            ),
            Err(message) => format!(
                "| {} | {} | {} | - | - | error: {} |",
                self.query,
                self.leads,
                self.backend,
                message.replace('|', "/")
            ),
        }
    }
}

pub const HEADER: &str =
    "| query | leads | backend | p50 ms | p95 ms | statements |\n|---|---:|---|---:|---:|---:|";

/// Runs `spec` once with the statements tapped, then EXPLAIN ANALYZE on each (Postgres);
/// prints the `top` slowest with their plans.
pub async fn explain(state: &AppState, client: &Client, spec: &Spec, top: usize) {
    let db = state.store.db();
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    state.metrics.tap_statements();
    let sent = client.send(spec).await;
    let statements = state.metrics.untap();
    if let Err(message) = sent {
        println!("{}: {message}", spec.name);
        return;
    }
    let mut plans = Vec::new();
    for sql in statements.iter().filter(|s| s.trim_start().starts_with("SELECT")) {
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
    for (ms, sql, lines) in plans.iter().take(top) {
        let head: String = sql.chars().take(400).collect();
        println!("\n{ms:.1} ms: {head}\n```");
        for line in lines.iter().take(25) {
            println!("{line}");
        }
        println!("```");
    }
}

/// Adds this run's rows to the results file (replacing earlier rows of the same query, size
/// and backend) and returns the whole table, by query, backend and size.
pub fn append_results(target: &Target, rows: &[Row], generation_seconds: f64) -> String {
    let path = target.results_path();
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| query"))
        .map(str::to_owned)
        .collect();
    let generation = Row {
        query: "(generation, s)".into(),
        leads: target.leads,
        backend: target.name(),
        outcome: Ok((generation_seconds, generation_seconds)),
        statements: 0,
    };
    for row in rows.iter().chain([&generation]) {
        let line = row.markdown();
        let key = cells(&line)[..3].to_vec();
        lines.retain(|l| cells(l)[..3] != key[..]);
        lines.push(line);
    }
    lines.sort_by_key(|l| {
        let c = cells(l);
        (c[0].clone(), c[2].clone(), c[1].parse::<u64>().unwrap_or(0))
    });
    let table = format!("{HEADER}\n{}\n", lines.join("\n"));
    std::fs::write(&path, &table).unwrap();
    table
}

fn cells(line: &str) -> Vec<String> {
    let mut cells: Vec<String> = line
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect();
    cells.resize(6, String::new());
    cells
}
