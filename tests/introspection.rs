//! The introspection documents every GraphQL tool sends pass whenever introspection is on,
//! whatever the data depth limit; data fields keep that limit.

use serde_json::json;

use crate::support::TestApp;

const OPTIONS_OFF: &str = include_str!("fixtures/introspection/graphql-js-options-off.graphql");
const OPTIONS_ON: &str = include_str!("fixtures/introspection/graphql-js-options-on.graphql");

#[actix_web::test]
async fn graphql_js_introspection_passes_under_the_default_limits() {
    let app = TestApp::start().await;
    for (name, document) in [("options off", OPTIONS_OFF), ("options on", OPTIONS_ON)] {
        let reply = app
            .post(
                None,
                json!({"query": document, "operationName": "IntrospectionQuery"}),
            )
            .await;
        assert_eq!(
            reply.status,
            200,
            "{name}: {}",
            &reply.raw[..reply.raw.len().min(600)]
        );
        assert!(reply.body["errors"].is_null(), "{name}: {}", reply.raw);
        let schema = &reply.body["data"]["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query", "{name}");
        assert_eq!(schema["subscriptionType"]["name"], "Subscription", "{name}");
        let types = schema["types"].as_array().unwrap();
        assert!(types.iter().any(|t| t["name"] == "Lead"), "{name}");
    }
}

#[actix_web::test]
async fn data_fields_keep_the_depth_limit() {
    let app = TestApp::start_with(|config| config.max_query_depth = 3).await;
    let introspection = app.post(None, json!({"query": OPTIONS_ON})).await;
    assert!(
        introspection.body["errors"].is_null(),
        "{}",
        introspection.raw
    );

    let data = app
        .gql(
            None,
            "{ me { memberships { workspace { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data.code(), "BAD_USER_INPUT", "{}", data.raw);

    // A document built only to be deep is refused even inside introspection (the recursion limit).
    let mut deep = String::from("name");
    for _ in 0..40 {
        deep = format!("ofType {{ {deep} }}");
    }
    let deep = format!("{{ __type(name: \"Lead\") {{ {deep} }} }}");
    let reply = app.gql(None, &deep, json!({})).await;
    assert_eq!(reply.status, 400, "{}", reply.raw);
    assert_eq!(reply.code(), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn introspection_stays_off_in_production() {
    let app = TestApp::start_with(|config| {
        config.env = accord_api::config::Environment::Production;
    })
    .await;
    let reply = app.post(None, json!({"query": OPTIONS_OFF})).await;
    assert!(reply.body["data"]["__schema"].is_null(), "{}", reply.raw);
}
