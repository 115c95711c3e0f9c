//! Query depth, complexity, rate limits and introspection.

use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn deep_queries_are_refused() {
    let app = TestApp::start_with(|config| config.max_query_depth = 4).await;
    let deep = "{ me { memberships { workspace { id } } } }";
    let within = app.gql(None, deep, json!({})).await;
    assert!(!within.raw.contains("nested too deep"), "{}", within.raw);
    let deeper = "{ __schema { types { fields { type { ofType { name } } } } } }";
    let reply = app.gql(None, deeper, json!({})).await;
    assert_eq!(reply.status, 400);
    assert!(reply.raw.contains("nested too deep"), "{}", reply.raw);
}

#[actix_web::test]
async fn alias_floods_are_refused_by_complexity() {
    let app = TestApp::start_with(|config| config.max_query_complexity = 100).await;
    let aliases: String = (0..200)
        .map(|i| format!("a{i}: workspace {{ id }} "))
        .collect();
    let reply = app.gql(None, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(reply.status, 400);
    assert!(reply.raw.contains("too complex"), "{}", reply.raw);
    // List fields cost by page size.
    let owner = app.owner("Costly").await;
    let page = app
        .gql(
            Some(&owner.access),
            "{ members(first: 100) { edges { node { id role } } } }",
            json!({}),
        )
        .await;
    assert!(page.raw.contains("too complex"), "{}", page.raw);
}

#[actix_web::test]
async fn the_rate_limit_reports_cost_and_answers_429_with_retry_after() {
    let app = TestApp::start_with(|config| config.rate_limit_budget = 40).await;
    let owner = app.owner("Busy").await;
    let query = "{ workspace { id name slug createdAt } }";
    let first = app.gql(Some(&owner.access), query, json!({})).await;
    let cost = &first.body["extensions"]["cost"];
    assert!(cost["requested"].as_u64().unwrap() >= 1, "{}", first.raw);
    let remaining = cost["remaining"].as_u64().unwrap();
    assert!(remaining < 40);
    let mut last = first;
    for _ in 0..40 {
        last = app.gql(Some(&owner.access), query, json!({})).await;
        if last.status == 429 {
            break;
        }
    }
    assert_eq!(last.status, 429, "{}", last.raw);
    assert_eq!(last.code(), "RATE_LIMITED");
    let retry_after: u64 = last.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert!(last.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .is_some());
    // Another caller has a budget of its own.
    let other = app.owner("Calm").await;
    assert_eq!(
        app.gql(Some(&other.access), query, json!({})).await.status,
        200
    );
}

#[actix_web::test]
async fn production_turns_introspection_and_suggestions_off() {
    let app =
        TestApp::start_with(|config| config.env = accord_api::config::Environment::Production)
            .await;
    let reply = app
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(reply.body["data"]["__schema"].is_null(), "{}", reply.raw);
    let typo = app.gql(None, "{ workspaces { id } }", json!({})).await;
    assert!(!typo.raw.contains("Did you mean"), "{}", typo.raw);

    let dev = TestApp::start().await;
    let reply = dev
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(reply.data("__schema")["queryType"]["name"], "Query");
}
