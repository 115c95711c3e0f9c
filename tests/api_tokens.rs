//! API tokens for partner apps.

use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn a_token_is_shown_once_listed_by_prefix_and_scoped() {
    let app = TestApp::start().await;
    let owner = app.owner("Partners").await;
    let (token, id) = app
        .api_token(&owner, &["workspace:read", "events:write"])
        .await;
    assert!(token.starts_with("acd_") && token.len() == 52, "{token}");
    let list = app
        .gql(
            Some(&owner.access),
            "{ apiTokens { id prefix scopes lastUsedAt revokedAt } }",
            json!({}),
        )
        .await;
    let listed = &list.data("apiTokens")[0];
    assert_eq!(listed["id"], json!(id));
    assert_eq!(listed["prefix"], json!(&token[..12]));
    assert!(
        !list.raw.contains(&token),
        "the secret must never be listed"
    );
    assert_eq!(listed["scopes"], json!(["events:write", "workspace:read"]));

    let ws = app
        .gql(Some(&token), "{ workspace { id } }", json!({}))
        .await;
    assert_eq!(ws.data("workspace")["id"], json!(owner.workspace_id));
    let used = app
        .gql(
            Some(&owner.access),
            "{ apiTokens { lastUsedAt } }",
            json!({}),
        )
        .await;
    assert!(used.data("apiTokens")[0]["lastUsedAt"].is_string());

    // Out of scope, and people-only operations, are FORBIDDEN.
    let members = app
        .gql(Some(&token), "{ apiTokens { id } }", json!({}))
        .await;
    assert_eq!(members.code(), "FORBIDDEN");
    let me = app.gql(Some(&token), "{ me { id } }", json!({})).await;
    assert_eq!(me.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn revoked_malformed_and_expired_tokens_are_refused() {
    let app = TestApp::start().await;
    let owner = app.owner("Partners").await;
    let (token, id) = app.api_token(&owner, &["workspace:read"]).await;

    let mut tampered = token.clone().into_bytes();
    tampered[20] = if tampered[20] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        app.gql(Some(&tampered), "{ workspace { id } }", json!({}))
            .await
            .status,
        401
    );

    let revoked = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }",
            json!({"id": id}),
        )
        .await;
    assert!(revoked.data("revokeApiToken")["revokedAt"].is_string());
    let after = app
        .gql(Some(&token), "{ workspace { id } }", json!({}))
        .await;
    assert_eq!(after.status, 401);
    assert_eq!(after.code(), "UNAUTHENTICATED");

    let past = app
        .gql(
            Some(&owner.access),
            "mutation { createApiToken(input: {name: \"old\", scopes: [\"leads:read\"], expiresAt: \"2020-01-01T00:00:00Z\"}) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(past.code(), "BAD_USER_INPUT");
    assert_eq!(past.field(), Some("input.expiresAt"));
}

#[actix_web::test]
async fn bad_scopes_are_refused_by_index() {
    let app = TestApp::start().await;
    let owner = app.owner("Partners").await;
    let create = "mutation($scopes: [String!]!) { createApiToken(input: {name: \"x\", scopes: $scopes}) { token } }";
    let unknown = app
        .gql(
            Some(&owner.access),
            create,
            json!({"scopes": ["leads:read", "bogus:read"]}),
        )
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    assert_eq!(unknown.field(), Some("input.scopes[1]"));
    let malformed = app
        .gql(
            Some(&owner.access),
            create,
            json!({"scopes": ["leads:delete"]}),
        )
        .await;
    assert_eq!(malformed.field(), Some("input.scopes[0]"));
    let none = app
        .gql(Some(&owner.access), create, json!({"scopes": []}))
        .await;
    assert_eq!(none.field(), Some("input.scopes"));
    let listed = app
        .gql(Some(&owner.access), "{ apiTokens { id } }", json!({}))
        .await;
    assert_eq!(listed.data("apiTokens"), &json!([]), "nothing was written");

    let rep = app.member(&owner, "REP").await;
    let by_rep = app
        .gql(Some(&rep.access), create, json!({"scopes": ["leads:read"]}))
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn malformed_tokens_are_refused_before_the_database() {
    let app = TestApp::start().await;
    let owner = app.owner("Partners").await;
    let (token, _) = app.api_token(&owner, &["workspace:read"]).await;
    app.db().clone().close().await.unwrap();
    // With the database gone, a well-formed token cannot be checked (503)...
    let checked = app
        .gql(Some(&token), "{ workspace { id } }", json!({}))
        .await;
    assert_eq!(checked.status, 503);
    // ...but a malformed one is refused by its checksum alone (401).
    let bad = format!("{}0000", &token[..token.len() - 4]);
    let refused = app.gql(Some(&bad), "{ workspace { id } }", json!({})).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.code(), "UNAUTHENTICATED");
}
