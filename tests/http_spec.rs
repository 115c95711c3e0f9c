//! GraphQL over HTTP as the graphql-http specification describes it.

use serde_json::json;

use crate::support::{Reply, TestApp};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn post_raw(app: &TestApp, accept: Option<&str>, content_type: &str, body: String) -> Reply {
    let mut req = app
        .client
        .post(app.url("/graphql"))
        .insert_header(("content-type", content_type));
    if let Some(accept) = accept {
        req = req.insert_header(("accept", accept));
    }
    Reply::read(req.send_body(body).await.unwrap()).await
}

async fn get_raw(app: &TestApp, accept: Option<&str>, query_string: &str) -> Reply {
    let mut req = app.client.get(app.url(&format!("/graphql?{query_string}")));
    if let Some(accept) = accept {
        req = req.insert_header(("accept", accept));
    }
    Reply::read(req.send().await.unwrap()).await
}

fn content_type(reply: &Reply) -> &str {
    reply.header("content-type").unwrap_or("")
}

#[actix_web::test]
async fn json_clients_get_json_and_others_get_graphql_response_json() {
    let app = TestApp::start().await;
    let body = json!({"query": "{ __typename }"}).to_string();

    let json_reply = post_raw(
        &app,
        Some("application/json"),
        "application/json",
        body.clone(),
    )
    .await;
    assert_eq!(json_reply.status, 200);
    assert!(
        content_type(&json_reply).starts_with("application/json"),
        "{:?}",
        json_reply.headers
    );
    assert_eq!(json_reply.body["data"]["__typename"], "Query");

    let explicit = post_raw(&app, Some(GRAPHQL_RESPONSE), "application/json", body).await;
    assert!(content_type(&explicit).starts_with(GRAPHQL_RESPONSE));
    assert!(explicit.header("x-request-id").is_some());
}

#[actix_web::test]
async fn documents_that_fail_to_parse_or_validate_are_4xx_under_graphql_response_json() {
    let app = TestApp::start().await;
    let unparsable = json!({"query": "{ me { "}).to_string();
    let reply = post_raw(
        &app,
        Some(GRAPHQL_RESPONSE),
        "application/json",
        unparsable.clone(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(content_type(&reply).starts_with(GRAPHQL_RESPONSE));
    assert_eq!(reply.code(), "BAD_USER_INPUT");

    let invalid = json!({"query": "{ noSuchField }"}).to_string();
    let reply = post_raw(
        &app,
        Some(GRAPHQL_RESPONSE),
        "application/json",
        invalid.clone(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body["errors"].is_array());

    // Under application/json the spec keeps 200 for well-formed requests.
    let reply = post_raw(&app, Some("application/json"), "application/json", invalid).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body["errors"].is_array());
}

#[actix_web::test]
async fn clients_that_accept_anything_or_say_nothing_get_application_json() {
    let app = TestApp::start().await;
    let body = json!({"query": "{ __typename }"}).to_string();
    for accept in [None, Some("*/*"), Some("application/*")] {
        let reply = post_raw(&app, accept, "application/json", body.clone()).await;
        assert_eq!(reply.status, 200, "{accept:?}");
        assert!(
            content_type(&reply).starts_with("application/json"),
            "{accept:?}: {:?}",
            reply.headers
        );
        assert_eq!(reply.body["data"]["__typename"], "Query");
    }
    let reply = get_raw(&app, Some("*/*"), "query=%7B__typename%7D").await;
    assert!(content_type(&reply).starts_with("application/json"));

    // The higher q wins; on a tie, and beside a wildcard, the newer type.
    let cases = [
        (
            "application/json, application/graphql-response+json",
            GRAPHQL_RESPONSE,
        ),
        ("*/*, application/graphql-response+json", GRAPHQL_RESPONSE),
        (
            "application/graphql-response+json;q=0.5, application/json",
            "application/json",
        ),
        (
            "application/graphql-response+json;q=0, */*",
            "application/json",
        ),
    ];
    for (accept, expected) in cases {
        let reply = post_raw(&app, Some(accept), "application/json", body.clone()).await;
        assert!(
            content_type(&reply).starts_with(expected),
            "{accept}: {:?}",
            reply.headers
        );
    }
}

#[actix_web::test]
async fn a_request_refused_before_execution_has_no_data_entry() {
    let app = TestApp::start().await;
    for query in ["{", "{ noSuchField }"] {
        let body = json!({"query": query}).to_string();
        let reply = post_raw(&app, Some(GRAPHQL_RESPONSE), "application/json", body).await;
        assert_eq!(reply.status, 400, "{query}");
        assert!(reply.body["errors"].is_array(), "{}", reply.raw);
        assert!(
            reply.body.get("data").is_none(),
            "{query}: a data entry in {}",
            reply.raw
        );
    }
    // An operation that ran keeps its data, even a null one.
    let ran = post_raw(
        &app,
        Some(GRAPHQL_RESPONSE),
        "application/json",
        json!({"query": "{ __typename }"}).to_string(),
    )
    .await;
    assert_eq!(ran.body["data"]["__typename"], "Query");
}

#[actix_web::test]
async fn a_request_without_a_query_is_refused() {
    let app = TestApp::start().await;
    let misspelt = json!({"qeury": "{ __typename }"}).to_string();
    let reply = post_raw(&app, None, "application/json", misspelt).await;
    assert_eq!(reply.status, 400, "{}", reply.raw);
    assert!(reply.raw.contains("`query` parameter is required"));
}

#[actix_web::test]
async fn get_runs_queries_and_refuses_mutations_with_405() {
    let app = TestApp::start().await;
    let reply = get_raw(&app, Some("application/json"), "query=%7B__typename%7D").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["data"]["__typename"], "Query");

    let mutation = "query=mutation%7BlogOut%7D";
    let reply = get_raw(&app, Some("application/json"), mutation).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));

    let reply = get_raw(&app, None, "variables=%7B%7D").await;
    assert_eq!(reply.status, 400);
}

#[actix_web::test]
async fn batches_bad_bodies_and_wrong_media_types_are_refused() {
    let app = TestApp::start().await;
    let batch = json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]).to_string();
    let reply = post_raw(&app, None, "application/json", batch).await;
    assert_eq!(reply.status, 400);
    assert!(reply.raw.contains("batched requests are not supported"));

    let reply = post_raw(&app, None, "application/json", "{not json".into()).await;
    assert_eq!(reply.status, 400);

    let reply = post_raw(
        &app,
        None,
        "text/plain",
        json!({"query": "{ __typename }"}).to_string(),
    )
    .await;
    assert_eq!(reply.status, 415);
}

#[actix_web::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::start_with(|config| config.max_body_bytes = 1024).await;
    let padding = "x".repeat(4096);
    let body = json!({"query": "{ __typename }", "variables": {"pad": padding}}).to_string();
    let reply = post_raw(&app, None, "application/json", body).await;
    assert_eq!(reply.status, 413);
}

#[actix_web::test]
async fn subscriptions_over_http_point_to_the_websocket() {
    let app = TestApp::start().await;
    let body = json!({"query": "subscription { workspaceActivity { id } }"}).to_string();
    let reply = post_raw(&app, None, "application/json", body).await;
    assert_eq!(reply.status, 400);
    assert!(reply.raw.contains("/graphql/ws"));
}

#[actix_web::test]
async fn health_readiness_metrics_and_graphiql_answer() {
    let app = TestApp::start().await;
    let health = Reply::read(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(health.status, 200);
    let ready = Reply::read(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(ready.status, 200, "{}", ready.raw);
    assert_eq!(ready.body["database"], "ok");
    assert_eq!(ready.body["bus"], "ok");

    // A request and an error, so the metrics have something to count.
    app.gql(None, "{ me { id } }", json!({})).await;
    let metrics = Reply::read(app.client.get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(metrics.status, 200);
    for name in [
        "accord_http_requests_total",
        "accord_http_request_duration_seconds",
        "accord_graphql_errors_total{code=\"UNAUTHENTICATED\"}",
        "accord_subscriptions_open",
    ] {
        assert!(
            metrics.raw.contains(name),
            "missing {name} in\n{}",
            metrics.raw
        );
    }
}

/// GraphiQL needs nothing from the internet: the page and every script and stylesheet it names
/// come from this server, under a policy that runs no inline or foreign script.
#[actix_web::test]
async fn graphiql_is_served_from_the_binary_under_a_strict_policy() {
    let app = TestApp::start().await;
    let page = Reply::read(app.client.get(app.url("/graphiql")).send().await.unwrap()).await;
    assert_eq!(page.status, 200);
    assert!(content_type(&page).starts_with("text/html"));
    let policy = page.header("content-security-policy").expect("a CSP");
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        &format!("connect-src 'self' ws://{0} wss://{0};", app.addr),
        "frame-ancestors 'none'",
    ] {
        assert!(
            policy.contains(directive),
            "{directive} missing in {policy}"
        );
    }
    assert!(!page.raw.contains("http://") && !page.raw.contains("https://"));
    assert!(!page.raw.contains("<script>"), "an inline script");

    let assets: Vec<&str> = page
        .raw
        .split("/graphiql/assets/")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(
        assets.iter().any(|a| a.starts_with("graphiql-")),
        "{assets:?}"
    );
    assert!(assets.contains(&"accord-graphiql.js"), "{assets:?}");
    for asset in assets {
        let response = app
            .client
            .get(app.url(&format!("/graphiql/assets/{asset}")))
            .insert_header(("accept-encoding", "gzip"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let expected = if asset.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(header("content-type").starts_with(expected), "{asset}");
        assert_eq!(header("x-content-type-options"), "nosniff");
        let pinned = asset.chars().any(|c| c.is_ascii_digit());
        assert_eq!(
            header("cache-control").contains("immutable"),
            pinned,
            "{asset}: only versioned files are cached for good"
        );
        assert_eq!(header("content-encoding"), "gzip", "{asset}");
    }
    let missing = app
        .client
        .get(app.url("/graphiql/assets/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[actix_web::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let app = TestApp::start().await;
    app.db().clone().close().await.unwrap();
    let ready = Reply::read(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.body["database"], "unreachable");
}

#[actix_web::test]
async fn metrics_can_live_on_their_own_address() {
    // A free loopback port for the metrics listener.
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = TestApp::start_with(|config| config.metrics_bind = Some(metrics_addr)).await;
    let public = Reply::read(app.client.get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(public.status, 404, "metrics leak on the API address");
    let private = Reply::read(
        app.client
            .get(format!("http://{metrics_addr}/metrics"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(private.status, 200);
    assert!(private.raw.contains("accord_http_requests_total"));
    let api_there = Reply::read(
        app.client
            .post(format!("http://{metrics_addr}/graphql"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        api_there.status, 404,
        "the API leaks on the metrics address"
    );
}
