//! Persisted queries: Automatic Persisted Queries (Apollo's protocol) over POST and GET, and
//! API tokens limited to the trusted documents registered for them.

use accord_api::domain::documents::sha256_hex;
use serde_json::{json, Value};

use crate::support::{
    ws::{WsClient, TRANSPORT_WS},
    Reply, Session, TestApp,
};

const WORKSPACE: &str = "query Workspace { workspace { id name } }";

fn persisted(sha256: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256 } })
}

/// POSTs `query` (empty: left out) with the persisted-query extension naming `sha256`.
async fn post_persisted(app: &TestApp, token: Option<&str>, query: &str, sha256: &str) -> Reply {
    let mut body = json!({ "extensions": persisted(sha256) });
    if !query.is_empty() {
        body["query"] = json!(query);
    }
    app.post(token, body).await
}

/// GETs `/graphql` with the persisted-query extension and, when not empty, `query` and `variables`.
async fn get_persisted(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    sha256: &str,
    variables: Option<Value>,
) -> Reply {
    let mut params = vec![("extensions", persisted(sha256).to_string())];
    if !query.is_empty() {
        params.push(("query", query.to_owned()));
    }
    if let Some(variables) = variables {
        params.push(("variables", variables.to_string()));
    }
    let mut req = app
        .client
        .get(app.url("/graphql"))
        .query(&params)
        .expect("query string");
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    Reply::read(req.send().await.expect("request sent")).await
}

fn assert_not_found(reply: &Reply) {
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert_eq!(reply.body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(reply.code(), "PERSISTED_QUERY_NOT_FOUND");
    assert!(reply.body.get("data").is_none(), "{}", reply.raw);
}

#[actix_web::test]
async fn a_document_sent_once_is_then_run_by_its_hash_on_post_and_get() {
    let app = TestApp::start().await;
    let owner = app.owner("Dashboards").await;
    let token = Some(owner.access.as_str());
    let sha256 = sha256_hex(WORKSPACE);

    assert_not_found(&post_persisted(&app, token, "", &sha256).await);
    assert_not_found(&get_persisted(&app, token, "", &sha256, None).await);

    let sent = post_persisted(&app, token, WORKSPACE, &sha256).await;
    assert_eq!(sent.data("workspace")["name"], "Dashboards");
    let by_hash = post_persisted(&app, token, "", &sha256).await;
    assert_eq!(by_hash.data("workspace")["id"], json!(owner.workspace_id));

    let got = get_persisted(&app, token, "", &sha256, None).await;
    assert_eq!(got.status, 200, "{}", got.raw);
    assert_eq!(got.data("workspace")["name"], "Dashboards");
    // The answer depends on the credential: shared caches must not hand it to anyone else.
    assert!(got.header("vary").unwrap_or("").contains("Authorization"));
    assert!(got
        .header("cache-control")
        .unwrap_or("")
        .contains("private"));

    // A document with variables, registered and then run over GET alone, hash in upper case.
    let lead = "query Lead($id: ID!) { lead(id: $id) { id } }";
    let lead_sha = sha256_hex(lead);
    let variables = json!({ "id": "00000000-0000-7000-8000-000000000000" });
    let first = get_persisted(&app, token, lead, &lead_sha, Some(variables.clone())).await;
    assert_eq!(first.code(), "NOT_FOUND", "{}", first.raw);
    let again = get_persisted(&app, token, "", &lead_sha.to_uppercase(), Some(variables)).await;
    assert_eq!(again.code(), "NOT_FOUND", "{}", again.raw);

    // Anonymous answers vary by credential too, and may be cached only by the schema's hints.
    let anonymous = "{ __typename }";
    let anonymous_sha = sha256_hex(anonymous);
    get_persisted(&app, None, anonymous, &anonymous_sha, None).await;
    let public = get_persisted(&app, None, "", &anonymous_sha, None).await;
    assert_eq!(public.data("__typename"), "Query");
    assert!(public
        .header("vary")
        .unwrap_or("")
        .contains("Authorization"));
    assert!(public.header("cache-control").is_some());
}

#[actix_web::test]
async fn a_hash_of_another_document_or_an_unknown_version_is_refused() {
    let app = TestApp::start().await;
    let owner = app.owner("Dashboards").await;
    let token = Some(owner.access.as_str());
    let wrong = sha256_hex("{ something { else } }");

    let mismatch = post_persisted(&app, token, WORKSPACE, &wrong).await;
    assert_eq!(mismatch.status, 400, "{}", mismatch.raw);
    assert_eq!(
        mismatch.body["errors"][0]["message"],
        "provided sha does not match query"
    );
    assert_eq!(mismatch.code(), "BAD_USER_INPUT");
    // Neither hash was remembered for the document.
    assert_not_found(&post_persisted(&app, token, "", &wrong).await);
    assert_not_found(&post_persisted(&app, token, "", &sha256_hex(WORKSPACE)).await);

    let version_two = app
        .post(
            token,
            json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": wrong } } }),
        )
        .await;
    assert_eq!(version_two.status, 400, "{}", version_two.raw);
    assert_eq!(version_two.code(), "BAD_USER_INPUT");
    let not_hex = post_persisted(&app, token, "", "abc").await;
    assert_eq!(not_hex.code(), "BAD_USER_INPUT");
}

#[actix_web::test]
async fn a_mutation_named_by_hash_over_get_is_refused() {
    let app = TestApp::start().await;
    let owner = app.owner("Dashboards").await;
    let token = Some(owner.access.as_str());
    let mutation = "mutation Revoke { revokeApiToken(id: \"not-a-token\") { id } }";
    let sha256 = sha256_hex(mutation);
    // Registered with POST, where it runs (and finds no such token).
    let posted = post_persisted(&app, token, mutation, &sha256).await;
    assert_eq!(posted.status, 200, "{}", posted.raw);

    let got = get_persisted(&app, token, "", &sha256, None).await;
    assert_eq!(got.status, 405, "{}", got.raw);
    assert_eq!(got.header("allow"), Some("POST"));
}

/// An API token created in allow-list mode, and its id.
async fn allow_list_token(app: &TestApp, owner: &Session) -> (String, String) {
    let reply = app
        .gql(
            Some(&owner.access),
            "mutation { createApiToken(input: {name: \"partner app\", scopes: [\"workspace:read\", \"leads:read\"], trustedDocumentsOnly: true}) { token apiToken { id trustedDocumentsOnly } } }",
            json!({}),
        )
        .await;
    let created = reply.data("createApiToken");
    assert_eq!(created["apiToken"]["trustedDocumentsOnly"], true);
    (
        created["token"].as_str().unwrap().to_owned(),
        created["apiToken"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn register(app: &TestApp, owner: &Session, token_id: &str, documents: &[&str]) -> Reply {
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!, $docs: [String!]!) { registerTrustedDocuments(tokenId: $id, documents: $docs) { id sha256 document } }",
        json!({ "id": token_id, "docs": documents }),
    )
    .await
}

fn assert_refused(reply: &Reply) {
    assert_eq!(reply.code(), "FORBIDDEN", "{}", reply.raw);
    let message = reply.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("registerTrustedDocuments"), "{message}");
    assert!(reply.body["data"].is_null(), "{}", reply.raw);
    // Refused before validation: the token's budget pays 1, not the document's cost.
    assert_eq!(
        reply.body["extensions"]["cost"]["requested"], 1,
        "{}",
        reply.raw
    );
}

#[actix_web::test]
async fn a_token_in_allow_list_mode_runs_only_its_registered_documents() {
    let app = TestApp::start().await;
    let owner = app.owner("Partner").await;
    let (partner, partner_id) = allow_list_token(&app, &owner).await;
    let (other, other_id) = app.api_token(&owner, &["workspace:read"]).await;
    let unregistered = "{ workspace { name } }";

    assert_refused(&app.gql(Some(&partner), WORKSPACE, json!({})).await);

    let leads = "query Leads($first: Int) { leads(first: $first) { totalCount } }";
    let registered = register(&app, &owner, &partner_id, &[WORKSPACE, leads]).await;
    let documents = registered.data("registerTrustedDocuments");
    assert_eq!(documents.as_array().unwrap().len(), 2);
    assert_eq!(documents[0]["sha256"], json!(sha256_hex(WORKSPACE)));
    // Registering again keeps one copy.
    register(&app, &owner, &partner_id, &[WORKSPACE]).await;
    let listed = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { trustedDocuments(tokenId: $id) { sha256 document } }",
            json!({ "id": partner_id }),
        )
        .await;
    assert_eq!(listed.data("trustedDocuments").as_array().unwrap().len(), 2);
    assert_eq!(listed.data("trustedDocuments")[1]["document"], leads);

    // In full, by hash over POST and GET, with variables.
    let full = app.gql(Some(&partner), WORKSPACE, json!({})).await;
    assert_eq!(full.data("workspace")["name"], "Partner");
    let by_hash = post_persisted(&app, Some(&partner), "", &sha256_hex(WORKSPACE)).await;
    assert_eq!(by_hash.data("workspace")["name"], "Partner");
    let by_get = get_persisted(
        &app,
        Some(&partner),
        "",
        &sha256_hex(leads),
        Some(json!({"first": 5})),
    )
    .await;
    assert_eq!(by_get.data("leads")["totalCount"], 0);

    // Anything else, even the same document spelled differently, is refused.
    assert_refused(&app.gql(Some(&partner), unregistered, json!({})).await);
    let respelled = WORKSPACE.replace("{ id name }", "{ id  name }");
    assert_refused(&app.gql(Some(&partner), &respelled, json!({})).await);
    let sent_with_hash = post_persisted(
        &app,
        Some(&partner),
        unregistered,
        &sha256_hex(unregistered),
    )
    .await;
    assert_refused(&sent_with_hash);

    // Over the WebSocket too.
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&partner).await;
    ws.subscribe("a", unregistered).await;
    let error = ws.message().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "FORBIDDEN");
    ws.subscribe("b", WORKSPACE).await;
    let next = ws.message().await;
    assert_eq!(
        next["payload"]["data"]["workspace"]["name"], "Partner",
        "{next}"
    );

    // Other tokens and people are unaffected, until a token is switched to allow-list mode.
    let free = app.gql(Some(&other), unregistered, json!({})).await;
    assert_eq!(free.data("workspace")["name"], "Partner");
    let person = app.gql(Some(&owner.access), unregistered, json!({})).await;
    assert_eq!(person.data("workspace")["name"], "Partner");
    let switched = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { setApiTokenTrustedDocumentsOnly(id: $id, enabled: true) { trustedDocumentsOnly } }",
            json!({ "id": other_id }),
        )
        .await;
    assert_eq!(
        switched.data("setApiTokenTrustedDocumentsOnly")["trustedDocumentsOnly"],
        true
    );
    assert_refused(&app.gql(Some(&other), unregistered, json!({})).await);
    // The partner's documents are the partner's own.
    assert_refused(&app.gql(Some(&other), WORKSPACE, json!({})).await);
}

#[actix_web::test]
async fn registered_documents_must_parse_and_validate() {
    let app = TestApp::start().await;
    let owner = app.owner("Partner").await;
    let (_, token_id) = allow_list_token(&app, &owner).await;

    let unknown_field = register(&app, &owner, &token_id, &[WORKSPACE, "{ nope }"]).await;
    assert_eq!(
        unknown_field.code(),
        "BAD_USER_INPUT",
        "{}",
        unknown_field.raw
    );
    assert_eq!(unknown_field.field(), Some("documents[1]"));
    let unparsable = register(&app, &owner, &token_id, &["{ workspace { "]).await;
    assert_eq!(unparsable.code(), "BAD_USER_INPUT");
    assert_eq!(unparsable.field(), Some("documents[0]"));
    let bad_argument = register(
        &app,
        &owner,
        &token_id,
        &["{ leads(first: \"many\") { totalCount } }"],
    )
    .await;
    assert_eq!(bad_argument.field(), Some("documents[0]"));
    let none = register(&app, &owner, &token_id, &[]).await;
    assert_eq!(none.field(), Some("documents"));

    // Nothing of a refused call was stored.
    let listed = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { trustedDocuments(tokenId: $id) { id } }",
            json!({ "id": token_id }),
        )
        .await;
    assert_eq!(listed.data("trustedDocuments"), &json!([]));

    // Several operations, a subscription and fragments are documents too.
    let several = "query A { workspace { id } } query B { workspace { ...Named } } fragment Named on Workspace { name }";
    let subscription = "subscription { workspaceActivity { kind } }";
    let stored = register(&app, &owner, &token_id, &[several, subscription]).await;
    assert_eq!(
        stored
            .data("registerTrustedDocuments")
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Only those who manage integrations register documents.
    let rep = app.member(&owner, "REP").await;
    let by_rep = app
        .gql(
            Some(&rep.access),
            "mutation($id: ID!) { registerTrustedDocuments(tokenId: $id, documents: [\"{ workspace { id } }\"]) { id } }",
            json!({ "id": token_id }),
        )
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn switching_a_token_to_allow_list_mode_closes_its_open_sockets() {
    let app = TestApp::start_with(|config| config.ws_recheck_secs = 1).await;
    let owner = app.owner("Partner").await;
    let (token, token_id) = app.api_token(&owner, &["workspace:read"]).await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&token).await;
    ws.subscribe("1", "{ workspace { name } }").await;
    assert_eq!(ws.message().await["type"], "next");
    let switched = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { setApiTokenTrustedDocumentsOnly(id: $id, enabled: true) { id } }",
            json!({ "id": token_id }),
        )
        .await;
    assert!(switched.body["errors"].is_null(), "{}", switched.raw);
    assert_eq!(ws.close_code_within(5).await, Some(4403));
}

#[actix_web::test]
async fn refusals_of_an_allow_list_token_are_cheap_but_bounded() {
    let app = TestApp::start_with(|config| config.rate_limit_budget = 30).await;
    let owner = app.owner("Partner").await;
    let (partner, _) = allow_list_token(&app, &owner).await;
    // The document alone would cost more than 1; each refusal costs exactly 1.
    for _ in 0..30 {
        assert_refused(&app.gql(Some(&partner), WORKSPACE, json!({})).await);
    }
    let limited = app.gql(Some(&partner), WORKSPACE, json!({})).await;
    assert_eq!(limited.status, 429, "{}", limited.raw);
    assert_eq!(limited.code(), "RATE_LIMITED");
    assert!(limited.header("retry-after").is_some());
}
