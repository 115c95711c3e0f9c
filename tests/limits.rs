//! Query depth, complexity, rate limits and introspection.

use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn deep_queries_are_refused() {
    let app = TestApp::start_with(|config| config.max_query_depth = 3).await;
    let within = app
        .gql(None, "{ me { memberships { role } } }", json!({}))
        .await;
    assert!(!within.raw.contains("nested"), "{}", within.raw);
    let deeper = "{ me { memberships { workspace { id } } } }";
    let reply = app.gql(None, deeper, json!({})).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.raw.contains("nested 4 deep"), "{}", reply.raw);
    // Fragments count where they are spread.
    let hidden = "{ ...M } fragment M on Query { me { memberships { workspace { id } } } }";
    let reply = app.gql(None, hidden, json!({})).await;
    assert!(reply.raw.contains("nested 4 deep"), "{}", reply.raw);
}

#[actix_web::test]
async fn alias_floods_are_refused_by_complexity() {
    // Complexity alone, with the alias cap out of the way.
    let app = TestApp::start_with(|config| {
        config.max_query_complexity = 100;
        config.max_aliases = 1_000;
        config.max_root_fields = 1_000;
    })
    .await;
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

/// The document graphql-js's `getIntrospectionQuery()` sends (GraphiQL, codegen tools).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

/// A draft contract's id, in a workspace with a VIEWER who may read metrics.
async fn draft_contract(app: &TestApp, owner: &crate::support::Session) -> serde_json::Value {
    let drafted = app
        .gql(
            Some(&owner.access),
            "mutation { draftLeadContract { id } }",
            json!({}),
        )
        .await;
    drafted.data("draftLeadContract")["id"].clone()
}

#[actix_web::test]
async fn alias_and_root_field_floods_are_refused_before_they_run() {
    let app = TestApp::start().await;
    let owner = app.owner("Flood").await;
    let viewer = app.member(&owner, "VIEWER").await;
    let id = draft_contract(&app, &owner).await;

    let backtests: String = (0..300)
        .map(|i| format!("b{i}: backtestLeadContract(id: $id) {{ wouldBeMqls }} "))
        .collect();
    let started = std::time::Instant::now();
    let reply = app
        .gql(
            Some(&viewer.access),
            &format!("query($id: ID!) {{ {backtests} }}"),
            json!({"id": id}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.raw);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.raw.contains("300 aliased fields"), "{}", reply.raw);
    assert!(reply.body["data"].is_null(), "{}", reply.raw);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused before any back-test ran"
    );

    let typenames: String = (0..2_000).map(|i| format!("t{i}: __typename ")).collect();
    let reply = app
        .gql(
            Some(&viewer.access),
            &format!("{{ {typenames} }}"),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.raw);
    assert!(reply.raw.contains("2000 aliased fields"), "{}", reply.raw);

    let mes = "me { id } ".repeat(2_000);
    let reply = app
        .gql(Some(&viewer.access), &format!("{{ {mes} }}"), json!({}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.raw);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert!(reply.raw.contains("2000 root fields"), "{}", reply.raw);

    // Fragments count where they are spread.
    let aliased: String = (0..60).map(|i| format!("m{i}: me {{ id }} ")).collect();
    let reply = app
        .gql(
            Some(&viewer.access),
            &format!("{{ ...F ...G }} fragment F on Query {{ {aliased} }} fragment G on Query {{ ...F }}"),
            json!({}),
        )
        .await;
    assert!(reply.raw.contains("120 aliased fields"), "{}", reply.raw);

    // Six expensive fields, each once and cheap enough together, are still one too many.
    let reply = app
        .gql(
            Some(&viewer.access),
            "{ funnel { stage } metrics { from } alignmentHealth { verdict } revenueReview { weekOf }
               goals { nodes { id } } icpInsights { months } }",
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.raw);
    assert!(
        reply.raw.contains("6 expensive root fields"),
        "{}",
        reply.raw
    );

    // A dashboard passes, and so does the standard introspection query.
    let dashboard = app
        .gql(
            Some(&viewer.access),
            "{ me { id } workspace { name } funnel { stage entered } metrics(groupBy: SOURCE) { total { mqls } groups { key } }
               alignmentHealth { verdict } revenueReview { weekOf }
               leads(first: 20) { totalCount edges { node { id stage fitScore owner { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.raw);
    assert!(dashboard.body["errors"].is_null(), "{}", dashboard.raw);
    let introspection = app.gql(None, INTROSPECTION, json!({})).await;
    assert!(
        !introspection.raw.contains("allowed in one operation"),
        "{}",
        introspection.raw
    );
    // (Its `ofType` chain is deeper than the default depth limit of 12; with room for it, it
    // runs through the caps whole.)
    let deep = TestApp::start_with(|config| config.max_query_depth = 16).await;
    let introspection = deep.gql(None, INTROSPECTION, json!({})).await;
    assert!(
        introspection.body["data"]["__schema"]["types"].is_array(),
        "{}",
        introspection.raw
    );
}

#[actix_web::test]
async fn the_caps_are_configurable() {
    let app = TestApp::start_with(|config| {
        config.max_aliases = 2;
        config.max_root_fields = 3;
        config.max_expensive_fields = 1;
    })
    .await;
    let owner = app.owner("Tight").await;
    let within = app
        .gql(
            Some(&owner.access),
            "{ a: me { id } b: workspace { id } __typename }",
            json!({}),
        )
        .await;
    assert!(within.body["errors"].is_null(), "{}", within.raw);
    let aliases = app
        .gql(
            Some(&owner.access),
            "{ a: me { x: id y: email } }",
            json!({}),
        )
        .await;
    assert!(
        aliases.raw.contains("3 aliased fields; at most 2"),
        "{}",
        aliases.raw
    );
    let roots = app
        .gql(
            Some(&owner.access),
            "{ me { id } workspace { id } __typename apiTokens { id } }",
            json!({}),
        )
        .await;
    assert!(
        roots.raw.contains("4 root fields; at most 3"),
        "{}",
        roots.raw
    );
    let expensive = app
        .gql(
            Some(&owner.access),
            "{ funnel { stage } goals { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(
        expensive.raw.contains("2 expensive root fields"),
        "{}",
        expensive.raw
    );
}

#[actix_web::test]
async fn expensive_fields_cost_what_they_read() {
    let app = TestApp::start_with(|config| config.max_query_complexity = 2_500).await;
    let owner = app.owner("Costs").await;
    let id = draft_contract(&app, &owner).await;
    let query = "query($id: ID!) { backtestLeadContract(id: $id) { wouldBeMqls } }";
    let one = app.gql(Some(&owner.access), query, json!({"id": id})).await;
    assert!(one.body["errors"].is_null(), "{}", one.raw);
    assert!(
        one.body["extensions"]["cost"]["requested"]
            .as_u64()
            .unwrap()
            >= 1_000,
        "{}",
        one.raw
    );
    let three = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { a: backtestLeadContract(id: $id) { wouldBeMqls } b: backtestLeadContract(id: $id) { wouldBeMqls } c: backtestLeadContract(id: $id) { wouldBeMqls } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(three.status, 400, "{}", three.raw);
    assert!(three.raw.contains("too complex"), "{}", three.raw);
    // Splitting into groups reads more than the total alone.
    let cost = |reply: &crate::support::Reply| {
        reply.body["extensions"]["cost"]["requested"]
            .as_u64()
            .unwrap()
    };
    let total = app
        .gql(
            Some(&owner.access),
            "{ metrics { total { mqls } } }",
            json!({}),
        )
        .await;
    let grouped = app
        .gql(
            Some(&owner.access),
            "{ metrics(groupBy: SEGMENT) { total { mqls } } }",
            json!({}),
        )
        .await;
    assert!(cost(&total) >= 100, "{}", total.raw);
    assert!(
        cost(&grouped) > cost(&total),
        "{} {}",
        total.raw,
        grouped.raw
    );
}

#[actix_web::test]
async fn a_parse_error_does_not_echo_the_document() {
    let app = TestApp::start().await;
    let huge = format!("{{ me {{ id }} {}", "padding ".repeat(10_000));
    let reply = app.gql(None, &huge, json!({})).await;
    assert_eq!(
        reply.status,
        400,
        "{}",
        &reply.raw[..reply.raw.len().min(400)]
    );
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    let message = reply.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.len() <= 300, "{} bytes echoed back", message.len());
    assert!(message.contains("line 1"), "{message}");
    assert!(
        reply.raw.len() < 2_000,
        "the answer is {} bytes",
        reply.raw.len()
    );
}

#[actix_web::test]
async fn the_standard_rate_limit_headers_accompany_the_cost() {
    let app = TestApp::start_with(|config| config.rate_limit_budget = 40).await;
    let owner = app.owner("Headers").await;
    let query = "{ workspace { id name slug createdAt } }";
    let first = app.gql(Some(&owner.access), query, json!({})).await;
    let cost = &first.body["extensions"]["cost"];
    assert_eq!(first.header("ratelimit-limit"), Some("40"));
    assert_eq!(
        first.header("ratelimit-remaining").map(str::to_owned),
        Some(cost["remaining"].to_string())
    );
    assert_eq!(
        first.header("ratelimit-reset").map(str::to_owned),
        Some(cost["resetAfter"].to_string())
    );
    let mut last = first;
    for _ in 0..40 {
        last = app.gql(Some(&owner.access), query, json!({})).await;
        if last.status == 429 {
            break;
        }
    }
    assert_eq!(last.status, 429);
    assert_eq!(last.header("ratelimit-remaining"), Some("0"));
    assert_eq!(last.header("ratelimit-reset"), last.header("retry-after"));
}
