//! Two server processes on one database and one Redis: an event made on one reaches a socket
//! on the other. Needs Redis: runs when `ACCORD_TEST_REDIS_URL` is set (CI sets it); the
//! README's default test command documents this lane as the Redis lane.

use accord_api::bus::RedisBus;
use serde_json::json;

use crate::support::{
    outbox_token,
    process::ServerProcess,
    ws::{WsClient, TRANSPORT_WS},
    Backend, Reply,
};

async fn gql(addr: &str, token: Option<&str>, query: &str, variables: serde_json::Value) -> Reply {
    let mut req = awc::Client::new()
        .post(format!("http://{addr}/graphql"))
        .insert_header(("content-type", "application/json"));
    if let Some(token) = token {
        req = req.insert_header(("authorization", format!("Bearer {token}")));
    }
    Reply::read(
        req.send_body(json!({"query": query, "variables": variables}).to_string())
            .await
            .unwrap(),
    )
    .await
}

#[actix_web::test]
async fn activity_made_on_one_instance_reaches_a_socket_on_the_other() {
    let backend = Backend::fresh();
    if backend.redis_url.is_none() {
        eprintln!(
            "two_instances: Redis lane only (set ACCORD_TEST_REDIS_URL); not run in this lane"
        );
        return;
    }
    let a = ServerProcess::start(&backend).await;
    let b = ServerProcess::start(&backend).await;

    let signed = gql(&a.addr, None, "mutation { signUp(input: {email: \"ivy@example.com\", password: \"correct horse battery\", name: \"Ivy\"}) { accessToken } }", json!({})).await;
    let token = signed.data("signUp")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let ws = gql(
        &a.addr,
        Some(&token),
        "mutation { createWorkspace(input: {name: \"Two\"}) { accessToken workspace { id } } }",
        json!({}),
    )
    .await;
    let owner = ws.data("createWorkspace")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let workspace_id = ws.data("createWorkspace")["workspace"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jo = gql(&b.addr, None, "mutation { signUp(input: {email: \"jo@example.com\", password: \"correct horse battery\", name: \"Jo\"}) { accessToken } }", json!({})).await;
    let jo = jo.data("signUp")["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let verify = outbox_token(&backend, "jo@example.com", "verify_email").await;
    gql(
        &b.addr,
        None,
        "mutation($t: String!) { verifyEmail(token: $t) { id } }",
        json!({"t": verify}),
    )
    .await
    .data("verifyEmail");

    let mut socket = WsClient::connect_addr(&b.addr, TRANSPORT_WS).await;
    socket.init(&owner).await;
    socket
        .subscribe("1", "subscription { workspaceActivity { kind message } }")
        .await;
    // The subscription on b hears what is published to the deployment's Redis channel (as a
    // would publish it) before the change is made on a.
    let namespace = backend.database_schema.as_deref().unwrap_or("default");
    let bus = RedisBus::connect(backend.redis_url.as_deref().unwrap(), namespace)
        .await
        .expect("Redis is up");
    socket.await_activity(&bus, &workspace_id).await;

    let added = gql(
        &a.addr,
        Some(&owner),
        "mutation { addMember(input: {email: \"jo@example.com\", role: REP}) { id } }",
        json!({}),
    )
    .await;
    added.data("addMember");
    // The seat, and so the activity, comes when Jo accepts the mailed invitation.
    let invited = outbox_token(&backend, "jo@example.com", "invitation").await;
    gql(
        &a.addr,
        Some(&jo),
        "mutation($t: String!) { acceptInvitation(token: $t) { id } }",
        json!({"t": invited}),
    )
    .await
    .data("acceptInvitation");
    let next = socket.message().await;
    assert_eq!(
        next["payload"]["data"]["workspaceActivity"]["kind"], "MEMBER_ADDED",
        "{next}"
    );
}
