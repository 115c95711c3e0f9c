//! Shared by the benchmarks: a server on a loopback port, its database, and a data generator.

pub mod extras;
pub mod generate;
pub mod load;
pub mod metrics;
pub mod workspace;

use std::net::SocketAddr;

use accord_api::{cli::Cli, config::Config, http::server, state::AppState};
use clap::Parser;
use serde_json::{json, Value};

/// The database a benchmark uses: `ACCORD_BENCH_DATABASE_URL` (Postgres by default), in a
/// schema of its own so repeated runs reuse the generated data.
pub fn bench_config(schema: &str) -> Config {
    let mut config = Cli::try_parse_from(["accord"])
        .expect("defaults parse")
        .config;
    let url = std::env::var("ACCORD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    if url.starts_with("sqlite") {
        config.database_schema = None;
    } else {
        config.database_schema = Some(schema.to_owned());
    }
    config.database_url = url;
    config.redis_url = std::env::var("ACCORD_BENCH_REDIS_URL").ok();
    config.jwt_secret = Some("bench-secret-bench-secret-bench-secret".into());
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.workers = Some(2);
    config.db_max_connections = 16;
    config.rate_limit_budget = u64::MAX / 2;
    config.log_filter = std::env::var("ACCORD_BENCH_LOG").unwrap_or_else(|_| "warn".into());
    config
}

pub async fn start(config: Config) -> (AppState, SocketAddr) {
    // Logs at `ACCORD_BENCH_LOG` (e.g. `warn,accord::ingest=debug` for each batch's phases).
    std::mem::forget(accord_api::telemetry::init(
        accord_api::config::LogFormat::Text,
        &config.log_filter,
        Default::default(),
    ));
    let state = AppState::build(config).await.expect("state builds");
    let (server, addrs) = server::build(&state).expect("bind");
    actix_web::rt::spawn(server);
    (state, addrs[0])
}

pub async fn gql(addr: SocketAddr, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = awc::Client::new()
        .post(format!("http://{addr}/graphql"))
        .insert_header(("content-type", "application/json"));
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    let mut response = req
        .send_body(json!({"query": query, "variables": variables}).to_string())
        .await
        .expect("request");
    let body = response.body().limit(64 * 1024 * 1024).await.expect("body");
    let value: Value = serde_json::from_slice(&body).expect("json");
    assert!(value.get("errors").is_none(), "{value}");
    value["data"].clone()
}

/// Signs in the benchmark's owner (creating them and their workspace on the first run).
pub async fn owner_session(addr: SocketAddr, email: &str) -> (String, String) {
    let log_in = "mutation($e: String!) { logIn(input: {email: $e, password: \"bench password 123\"}) { accessToken workspace { id } } }";
    let mut req = awc::Client::new()
        .post(format!("http://{addr}/graphql"))
        .insert_header(("content-type", "application/json"));
    req = req.insert_header(("accept", "application/json"));
    let mut response = req
        .send_body(json!({"query": log_in, "variables": {"e": email}}).to_string())
        .await
        .expect("request");
    let body: Value = serde_json::from_slice(&response.body().await.unwrap()).unwrap();
    if let Some(ws) = body["data"]["logIn"]["workspace"]["id"].as_str() {
        return (
            body["data"]["logIn"]["accessToken"]
                .as_str()
                .unwrap()
                .to_owned(),
            ws.to_owned(),
        );
    }
    let signed = gql(addr, None, "mutation($e: String!) { signUp(input: {email: $e, password: \"bench password 123\", name: \"Bench Owner\"}) { accessToken } }", json!({"e": email})).await;
    let token = signed["signUp"]["accessToken"].as_str().unwrap().to_owned();
    let created = gql(addr, Some(&token), "mutation { createWorkspace(input: {name: \"Benchmark\"}) { accessToken workspace { id } } }", json!({})).await;
    (
        created["createWorkspace"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned(),
        created["createWorkspace"]["workspace"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Vacuums and analyzes every table of the connection's schema (Postgres; a no-op on SQLite).
/// The machine's Postgres runs with autovacuum off (`conf.d/90-ci.conf`), so without this the
/// planner reads statistics from before the data existed and updated tables keep every dead
/// row: a benchmark would measure that, not the code.
pub async fn settle_postgres(db: &sea_orm::DatabaseConnection) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema()",
        ))
        .await
        .expect("list tables")
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("name"))
        .collect();
    if !tables.is_empty() {
        db.execute_unprepared(&format!("VACUUM (ANALYZE) {}", tables.join(", ")))
            .await
            .expect("vacuum");
    }
}
