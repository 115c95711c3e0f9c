//! With the database gone, requests fail fast with 503 UNAVAILABLE and `Retry-After`, readiness
//! says which part failed within a second, and service resumes by itself when it is back.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{db_proxy, wait, Backend, Reply, TestApp};

/// Far below the ten seconds a request used to hang, with room for a loaded CI machine.
const PROMPT: Duration = Duration::from_secs(3);

fn assert_unavailable(reply: &Reply, took: Duration, what: &str) {
    assert_eq!(reply.status, 503, "{what}: {}", reply.raw);
    assert_eq!(reply.code(), "UNAVAILABLE", "{what}");
    assert!(
        reply.header("retry-after").is_some(),
        "{what}: no Retry-After"
    );
    assert!(took < PROMPT, "{what} took {took:?}");
}

async fn timed(app: &TestApp, token: Option<&str>, query: &str) -> (Reply, Duration) {
    let started = Instant::now();
    let reply = app.gql(token, query, json!({})).await;
    (reply, started.elapsed())
}

#[actix_web::test]
async fn an_unreachable_database_answers_503_at_once_and_service_resumes() {
    let backend = Backend::fresh();
    let Some(schema) = backend.database_schema.clone() else {
        return closed_pool_answers_503_unavailable().await;
    };
    let proxy = db_proxy::DbProxy::start(db_proxy::upstream_of(&backend.database_url)).await;
    let url = proxy.url_for(&backend.database_url);
    let app = TestApp::start_with(move |config| {
        config.database_url = url;
        config.database_schema = Some(schema);
        config.db_acquire_timeout_ms = 1000;
    })
    .await;
    let owner = app.owner("Outage").await;
    let query = "{ workspace { name } }";
    assert!(app.gql(Some(&owner.access), query, json!({})).await.body["errors"].is_null());

    proxy.cut();
    let (reply, took) = timed(&app, Some(&owner.access), query).await;
    assert_unavailable(&reply, took, "an authenticated query");
    let log_in = "mutation { logIn(input: {email: \"nobody@example.com\", password: \"whatever it is\"}) { accessToken } }";
    let (reply, took) = timed(&app, None, log_in).await;
    assert_unavailable(&reply, took, "a log-in");
    let started = Instant::now();
    let ready = Reply::read(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(ready.status, 503, "{}", ready.raw);
    assert_eq!(ready.body["database"], "unreachable");
    assert!(
        started.elapsed() < PROMPT,
        "readyz took {:?}",
        started.elapsed()
    );

    proxy.restore();
    let reply = wait::until("service resumes", Duration::from_secs(20), || async {
        let reply = app.gql(Some(&owner.access), query, json!({})).await;
        (reply.status == 200 && reply.body["errors"].is_null()).then_some(reply)
    })
    .await;
    assert_eq!(reply.data("workspace")["name"], "Outage");
}

/// SQLite cannot go away like a server; a closed pool is the nearest thing.
async fn closed_pool_answers_503_unavailable() {
    let app = TestApp::start_with(|config| config.db_acquire_timeout_ms = 1000).await;
    let owner = app.owner("Outage").await;
    app.db().clone().close().await.unwrap();
    let (reply, took) = timed(&app, Some(&owner.access), "{ workspace { name } }").await;
    assert_unavailable(&reply, took, "an authenticated query");
}
