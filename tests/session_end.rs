//! An ended session ends every token of it: after log-out or refresh-token reuse, its access
//! tokens are refused everywhere and can mint nothing new.

use serde_json::json;

use crate::support::{Reply, TestApp};

const ME: &str = "{ me { id } }";
const ROTATE: &str =
    "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const SWITCH: &str = "mutation($id: ID!) { switchWorkspace(workspaceId: $id) { refreshToken } }";
const CREATE: &str = "mutation { createWorkspace(input: {name: \"Escape\"}) { refreshToken } }";

fn assert_refused(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.raw);
    assert_eq!(reply.code(), "UNAUTHENTICATED", "{what}");
}

/// Every use of a dead session's access token: reads, switching, creating a workspace.
async fn assert_dead(app: &TestApp, access: &str, workspace_id: &str) {
    assert_refused(&app.gql(Some(access), ME, json!({})).await, "me");
    assert_refused(
        &app.gql(Some(access), SWITCH, json!({"id": workspace_id}))
            .await,
        "switchWorkspace",
    );
    assert_refused(
        &app.gql(Some(access), CREATE, json!({})).await,
        "createWorkspace",
    );
}

#[actix_web::test]
async fn log_out_kills_the_access_token_too() {
    let app = TestApp::start().await;
    let owner = app.owner("Acme").await;
    let workspace_id = owner.workspace_id.clone().unwrap();
    assert!(app.gql(Some(&owner.access), ME, json!({})).await.body["errors"].is_null());

    let out = app
        .gql(Some(&owner.access), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(out.data("logOut"), true);
    assert_dead(&app, &owner.access, &workspace_id).await;

    // Nothing was minted for the dead session: its refresh token is refused too.
    let rotate = app.gql(None, ROTATE, json!({"t": owner.refresh})).await;
    assert_eq!(rotate.code(), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn refresh_reuse_kills_every_access_token_of_the_family() {
    let app = TestApp::start().await;
    let owner = app.owner("Acme").await;
    let workspace_id = owner.workspace_id.clone().unwrap();
    let rotated = app.gql(None, ROTATE, json!({"t": owner.refresh})).await;
    let newer_access = rotated.data("refreshSession")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(app.gql(Some(&newer_access), ME, json!({})).await.body["errors"].is_null());

    // The first refresh token presented again: theft. The family dies, with both access tokens.
    let replay = app.gql(None, ROTATE, json!({"t": owner.refresh})).await;
    assert_eq!(replay.code(), "UNAUTHENTICATED");
    assert_dead(&app, &owner.access, &workspace_id).await;
    assert_dead(&app, &newer_access, &workspace_id).await;
}

#[actix_web::test]
async fn another_session_of_the_same_person_lives_on() {
    let app = TestApp::start().await;
    let owner = app.owner("Acme").await;
    let second = app
        .log_in(&owner.email, owner.workspace_id.as_deref())
        .await;
    let second_access = second.data("logIn")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&owner.access), "mutation { logOut }", json!({}))
        .await;
    assert_refused(&app.gql(Some(&owner.access), ME, json!({})).await, "ended");
    assert!(app.gql(Some(&second_access), ME, json!({})).await.body["errors"].is_null());
}
