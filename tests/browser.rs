//! The browser lane: GraphiQL driven in a real Chromium (offline, under its CSP), and the
//! graphql-http conformance audit, both Node scripts under `tests/browser`. They need Chromium
//! (`/usr/bin/chromium`, or `CHROMIUM_PATH`), Node and `npm ci --prefix tests/browser`, so they
//! run only with `ACCORD_TEST_BROWSER=1` (`.ci/run` sets it) and say so when skipped; with it set,
//! a missing tool fails the test.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, ExitStatus, Stdio},
    time::Duration,
};

use serde_json::json;
use tokio::sync::mpsc;

use crate::{
    support::fixtures::{hot_lead, team},
    support::TestApp,
};

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");

/// Whether the lane runs; panics when it was asked for and a tool is missing.
fn browser_lane(test: &str) -> bool {
    if std::env::var("ACCORD_TEST_BROWSER").as_deref() != Ok("1") {
        eprintln!("{test}: skipped (the browser lane runs with ACCORD_TEST_BROWSER=1; see README)");
        return false;
    }
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|out| out.status.success()),
        "ACCORD_TEST_BROWSER=1 but `node` does not run"
    );
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "ACCORD_TEST_BROWSER=1 but {chromium} is missing (apt-get install chromium)"
    );
    assert!(
        Path::new(SCRIPTS).join("node_modules/playwright-core").exists(),
        "ACCORD_TEST_BROWSER=1 but tests/browser has no node_modules (npm ci --prefix tests/browser)"
    );
    true
}

enum ScriptEvent {
    Line(String),
    Exit(ExitStatus),
}

/// Runs `node tests/browser/<script> args…` on a thread of its own (the server under test
/// shares this test's runtime, so nothing here may block it); yields its stdout line by line,
/// then its exit status. Its stderr goes to the test's output.
fn node_script(script: &str, args: &[&str]) -> mpsc::UnboundedReceiver<ScriptEvent> {
    let path: PathBuf = Path::new(SCRIPTS).join(script);
    let mut child = Command::new("node")
        .arg(&path)
        .args(args)
        .current_dir(SCRIPTS)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| panic!("node {}: {err}", path.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let (events, received) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            let _ = events.send(ScriptEvent::Line(line));
        }
        let status = child.wait().expect("the script ends");
        let _ = events.send(ScriptEvent::Exit(status));
    });
    received
}

/// The script's next event; a script that hangs fails the test instead of the suite.
async fn next_event(events: &mut mpsc::UnboundedReceiver<ScriptEvent>) -> ScriptEvent {
    tokio::time::timeout(Duration::from_secs(180), events.recv())
        .await
        .expect("the script answers within 180 s")
        .expect("the script reports its exit")
}

/// Every remaining line, and the exit status.
async fn finish(mut events: mpsc::UnboundedReceiver<ScriptEvent>) -> (Vec<String>, ExitStatus) {
    let mut lines = Vec::new();
    loop {
        match next_event(&mut events).await {
            ScriptEvent::Line(line) => lines.push(line),
            ScriptEvent::Exit(status) => return (lines, status),
        }
    }
}

#[actix_web::test]
async fn graphiql_in_chromium_loads_the_schema_queries_and_follows_triggers_offline() {
    if !browser_lane("graphiql_in_chromium") {
        return;
    }
    // The default limits: GraphiQL's introspection query (13 levels) passes them.
    let app = TestApp::start().await;
    let team = team(&app).await;
    hot_lead(&app, &team, "first@acme.com", "Website").await;
    let inbox = app
        .gql(
            Some(&team.rep.access),
            "{ triggers(first: 50) { id sequence } }",
            json!({}),
        )
        .await;
    let since = inbox
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|trigger| trigger["sequence"].as_i64())
        .expect("the first lead made a trigger for the rep")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let base = app.url("");
    let mut events = node_script(
        "graphiql.mjs",
        &[&base, &team.rep.access, &team.rep.user_id, &since],
    );
    loop {
        match next_event(&mut events).await {
            ScriptEvent::Line(line) if line == "SUBSCRIBED" => break,
            ScriptEvent::Line(_) => {}
            ScriptEvent::Exit(status) => panic!("the script ended before subscribing: {status}"),
        }
    }
    // The subscription resumes after `since`, so the trigger reaches it however the socket and
    // this request interleave.
    let lead = hot_lead(&app, &team, "second@acme.com", "Website").await;
    let (lines, status) = finish(events).await;
    assert!(
        status.success(),
        "the browser script failed:\n{}",
        lines.join("\n")
    );
    let trigger: Vec<&str> = lines
        .iter()
        .find_map(|line| line.strip_prefix("TRIGGER "))
        .expect("the script saw a trigger")
        .split(' ')
        .collect();
    assert_eq!(
        trigger[2], lead,
        "GraphiQL showed a trigger of the lead just ingested: {trigger:?}"
    );
}

#[actix_web::test]
async fn the_graphql_http_audit_passes_every_audit() {
    if !browser_lane("graphql_http_audit") {
        return;
    }
    let app = TestApp::start().await;
    let (lines, status) = finish(node_script("http-audit.mjs", &[&app.url("")])).await;
    let output = lines.join("\n");
    assert!(status.success(), "a MUST or SHOULD fails:\n{output}");
    let summary = lines.last().expect("the audit prints its totals");
    let (passed, total) = summary
        .strip_suffix(" audits pass")
        .and_then(|counts| counts.split_once(" of "))
        .expect("a summary line");
    assert_eq!(passed, total, "every audit, MAY included:\n{output}");
}
