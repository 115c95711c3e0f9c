//! The `accord` binary: help, configuration errors, migrations, the SDL, shutdown and the
//! development signing key.

use std::process::Command;

use serde_json::json;

use crate::support::{
    process::ServerProcess,
    ws::{WsClient, TRANSPORT_WS},
    Backend, Reply,
};

fn accord(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.args(args);
    for var in [
        "DATABASE_URL",
        "REDIS_URL",
        "JWT_SECRET",
        "ACCORD_ENV",
        "ACCORD_DATABASE_SCHEMA",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().expect("accord runs")
}

#[test]
fn help_lists_every_variable() {
    let output = accord(&["--help"], &[]);
    let help = String::from_utf8_lossy(&output.stdout);
    for var in [
        "ACCORD_BIND",
        "DATABASE_URL",
        "REDIS_URL",
        "JWT_SECRET",
        "ACCORD_ENV",
        "ACCORD_LOG_FORMAT",
        "ACCORD_MAX_QUERY_DEPTH",
        "ACCORD_MAX_QUERY_COMPLEXITY",
        "ACCORD_MAX_PAGE_SIZE",
        "ACCORD_MAX_BODY_BYTES",
        "ACCORD_RATE_LIMIT_BUDGET",
        "ACCORD_INTROSPECTION",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_SERVICE_NAME",
    ] {
        assert!(help.contains(var), "--help does not mention {var}");
    }
    for command in ["serve", "migrate", "schema", "import"] {
        assert!(help.contains(command));
    }
}

#[test]
fn bad_configuration_stops_the_start_naming_the_variable() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("ACCORD_ENV", "production")], "JWT_SECRET"),
        (&[("JWT_SECRET", "short")], "JWT_SECRET"),
        (&[("DATABASE_URL", "mysql://db/accord")], "DATABASE_URL"),
        (&[("ACCORD_MAX_PAGE_SIZE", "lots")], "ACCORD_MAX_PAGE_SIZE"),
    ];
    for (env, variable) in cases {
        let output = accord(&["serve"], env);
        assert!(!output.status.success(), "{env:?} started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(variable)
                || stderr.contains(&variable.to_lowercase().replace('_', "-")),
            "{env:?}: {stderr}"
        );
    }
}

#[test]
fn migrate_and_schema_commands() {
    let backend = Backend::fresh();
    let mut env = vec![("DATABASE_URL", backend.database_url.as_str())];
    if let Some(schema) = &backend.database_schema {
        env.push(("ACCORD_DATABASE_SCHEMA", schema.as_str()));
    }
    let up = accord(&["migrate", "up"], &env);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let status = accord(&["migrate", "status"], &env);
    assert!(status.status.success());
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(log.contains("m20261123_000001_foundation"), "{log}");

    let sdl = accord(&["schema"], &[]);
    assert_eq!(
        String::from_utf8_lossy(&sdl.stdout),
        accord_api::graphql::sdl()
    );
}

#[actix_web::test]
async fn sigterm_closes_sockets_with_1001_and_exits_cleanly() {
    let backend = Backend::fresh();
    let server = ServerProcess::start(&backend).await;
    let signed = signed_up_owner(&server.addr).await;
    let mut ws = WsClient::connect_addr(&server.addr, TRANSPORT_WS).await;
    ws.init(&signed).await;
    let clean = server.terminate();
    assert_eq!(ws.close_code().await, Some(1001));
    assert!(clean, "accord did not exit cleanly on SIGTERM");
}

#[actix_web::test]
async fn the_development_key_survives_a_restart() {
    let backend = Backend::fresh();
    let first = ServerProcess::start_with(&backend, false).await;
    let token = signed_up_owner(&first.addr).await;
    drop(first);
    let second = ServerProcess::start_with(&backend, false).await;
    let reply = post(&second.addr, &token, "{ workspace { name } }").await;
    assert_eq!(reply.data("workspace")["name"], "Restart");
}

async fn post(addr: &str, token: &str, query: &str) -> Reply {
    let response = awc::Client::new()
        .post(format!("http://{addr}/graphql"))
        .insert_header(("content-type", "application/json"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send_body(json!({"query": query}).to_string())
        .await
        .unwrap();
    Reply::read(response).await
}

/// Signs up a person with a workspace on the server at `addr`; returns the access token.
async fn signed_up_owner(addr: &str) -> String {
    let response = awc::Client::new()
        .post(format!("http://{addr}/graphql"))
        .insert_header(("content-type", "application/json"))
        .send_body(json!({"query": "mutation { signUp(input: {email: \"kim@example.com\", password: \"correct horse battery\", name: \"Kim\"}) { accessToken } }"}).to_string())
        .await
        .unwrap();
    let token = Reply::read(response).await.data("signUp")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = post(
        addr,
        &token,
        "mutation { createWorkspace(input: {name: \"Restart\"}) { accessToken } }",
    )
    .await;
    reply.data("createWorkspace")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn version_names_the_commit() {
    let output = accord(&["--version"], &[]);
    assert!(output.status.success());
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|git| git.status.success())
        .map(|git| String::from_utf8_lossy(&git.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("accord {} ({commit})\n", env!("CARGO_PKG_VERSION"))
    );
}
