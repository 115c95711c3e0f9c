//! The WebSocket: graphql-transport-ws with its close codes, the legacy protocol, live activity,
//! and sockets closing when their credential ends or the server stops.

use serde_json::json;

use crate::support::{
    ws::{WsClient, WsEvent, LEGACY_WS, TRANSPORT_WS},
    TestApp,
};

const ACTIVITY: &str = "subscription { workspaceActivity { kind message subjectId } }";

#[actix_web::test]
async fn workspace_activity_streams_member_changes() {
    let app = TestApp::start().await;
    let owner = app.owner("Live").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    ws.subscribe("1", ACTIVITY).await;
    // The subscription listens before the change happens.
    ws.await_activity(&*app.state.bus, owner.workspace_id.as_deref().unwrap())
        .await;
    let rep = app.member(&owner, "REP").await;
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "1");
    assert_eq!(
        next["payload"]["data"]["workspaceActivity"]["kind"],
        "MEMBER_ADDED"
    );
    assert_eq!(
        next["payload"]["data"]["workspaceActivity"]["subjectId"],
        json!(rep.member_id)
    );

    // Activity of another workspace does not leak in.
    let other = app.owner("Elsewhere").await;
    app.member(&other, "REP").await;
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!) { updateMemberRole(memberId: $id, role: VIEWER) { id } }",
        json!({"id": rep.member_id}),
    )
    .await;
    let next = ws.message().await;
    assert_eq!(
        next["payload"]["data"]["workspaceActivity"]["kind"],
        "MEMBER_ROLE_CHANGED"
    );

    ws.send(json!({"type": "complete", "id": "1"})).await;
    ws.send(json!({"type": "ping"})).await;
    assert_eq!(ws.message().await["type"], "pong");
}

#[actix_web::test]
async fn reps_may_not_watch_the_workspace_and_queries_work_over_the_socket() {
    let app = TestApp::start().await;
    let owner = app.owner("Live").await;
    let rep = app.member(&owner, "REP").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&rep.access).await;
    ws.subscribe("a", ACTIVITY).await;
    let error = ws.message().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "FORBIDDEN");

    ws.subscribe("b", "{ workspace { name } }").await;
    let next = ws.message().await;
    assert_eq!(next["payload"]["data"]["workspace"]["name"], "Live");
    assert_eq!(ws.message().await, json!({"type": "complete", "id": "b"}));
}

#[actix_web::test]
async fn protocol_violations_close_with_their_codes() {
    let app = TestApp::start().await;
    let owner = app.owner("Codes").await;

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.send_raw("this is not json").await;
    assert_eq!(ws.close_code().await, Some(4400));

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.subscribe("1", ACTIVITY).await;
    assert_eq!(ws.close_code().await, Some(4401), "subscribe before ack");

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.send(json!({"type": "connection_init", "payload": {"authorization": "Bearer nonsense"}}))
        .await;
    assert_eq!(ws.close_code().await, Some(4403));

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.send(json!({"type": "connection_init"})).await;
    assert_eq!(ws.close_code().await, Some(4403), "no credential");

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    ws.subscribe("dup", ACTIVITY).await;
    ws.subscribe("dup", ACTIVITY).await;
    assert_eq!(ws.close_code().await, Some(4409));

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    ws.send(json!({"type": "connection_init", "payload": {}}))
        .await;
    assert_eq!(ws.close_code().await, Some(4429));

    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    ws.send(json!({"type": "subscribe", "id": "x"})).await;
    assert_eq!(
        ws.close_code().await,
        Some(4400),
        "subscribe without payload"
    );
}

#[actix_web::test]
async fn a_silent_socket_is_closed_with_4408() {
    let app = TestApp::start_with(|config| config.ws_init_timeout_secs = 1).await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    assert_eq!(ws.close_code_within(5).await, Some(4408));
}

#[actix_web::test]
async fn oversized_messages_close_the_socket() {
    let app = TestApp::start_with(|config| config.max_ws_message_bytes = 256).await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    let big = json!({"type": "connection_init", "payload": {"pad": "x".repeat(1024)}});
    ws.send(big).await;
    assert_eq!(ws.close_code().await, Some(1009));
}

#[actix_web::test]
async fn the_legacy_protocol_works() {
    let app = TestApp::start().await;
    let owner = app.owner("Legacy").await;
    let mut ws = WsClient::connect(&app, LEGACY_WS).await;
    ws.init(&owner.access).await;
    ws.send(json!({"type": "start", "id": "1", "payload": {"query": ACTIVITY}}))
        .await;
    ws.await_activity(&*app.state.bus, owner.workspace_id.as_deref().unwrap())
        .await;
    app.member(&owner, "VIEWER").await;
    let data = ws.message().await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(
        data["payload"]["data"]["workspaceActivity"]["kind"],
        "MEMBER_ADDED"
    );
    ws.send(json!({"type": "stop", "id": "1"})).await;
    assert_eq!(ws.message().await, json!({"type": "complete", "id": "1"}));
}

#[actix_web::test]
async fn sockets_close_when_their_credential_is_revoked() {
    let app = TestApp::start().await;
    let owner = app.owner("Revocations").await;
    let (token, token_id) = app.api_token(&owner, &["activity:read"]).await;
    let mut by_token = WsClient::connect(&app, TRANSPORT_WS).await;
    by_token.init(&token).await;
    by_token.subscribe("1", ACTIVITY).await;

    let person = app.member(&owner, "ADMIN").await;
    let mut by_person = WsClient::connect(&app, TRANSPORT_WS).await;
    // A socket listens for revocations on the bus before it acknowledges `connection_init`:
    // once both are acknowledged, both will hear their credential end.
    by_person.init(&person.access).await;

    app.gql(
        Some(&owner.access),
        "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
        json!({"id": token_id}),
    )
    .await;
    loop {
        match by_token.recv().await {
            WsEvent::Closed(code) => {
                assert_eq!(code, Some(4403));
                break;
            }
            WsEvent::Message(_) => continue,
        }
    }

    app.gql(Some(&person.access), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(by_person.close_code().await, Some(4403));
}

#[actix_web::test]
async fn sockets_close_when_their_access_token_expires() {
    let app = TestApp::start_with(|config| config.access_token_ttl_secs = 2).await;
    let owner = app.owner("Short-lived").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    assert_eq!(ws.close_code_within(10).await, Some(4403));
}

#[actix_web::test]
async fn shutdown_closes_sockets_with_1001() {
    let app = TestApp::start().await;
    let owner = app.owner("Going away").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    app.state.begin_shutdown();
    assert_eq!(ws.close_code().await, Some(1001));
}

#[actix_web::test]
async fn an_unreachable_database_at_init_closes_with_a_retryable_code() {
    let app = TestApp::start().await;
    let owner = app.owner("Blip").await;
    app.db().clone().close().await.unwrap();
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init_without_ack(&owner.access).await;
    assert_eq!(ws.close_code().await, Some(1013));
}

#[actix_web::test]
async fn fragmented_messages_are_put_together_within_the_size_limit() {
    let app = TestApp::start_with(|config| config.max_ws_message_bytes = 2048).await;
    let owner = app.owner("Fragments").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", owner.access)}});
    ws.send_fragmented(init, 40).await;
    assert_eq!(ws.message().await["type"], "connection_ack");
    ws.send_fragmented(json!({"type": "ping"}), 3).await;
    assert_eq!(ws.message().await, json!({"type": "pong"}));
    // Every frame is small; the message they make is not.
    let big = json!({"type": "ping", "payload": {"pad": "x".repeat(4096)}});
    ws.send_fragmented(big, 512).await;
    assert_eq!(ws.close_code().await, Some(1009));
}

#[actix_web::test]
async fn only_graphql_ws_upgrades_and_only_with_a_graphql_subprotocol() {
    let app = TestApp::start().await;
    let client = awc::Client::new();
    let plain = client
        .get(format!("http://{}/graphql/ws", app.addr))
        .send()
        .await
        .expect("plain request");
    assert_eq!(plain.status().as_u16(), 400);
    let elsewhere = client
        .ws(format!("ws://{}/graphql", app.addr))
        .protocols([TRANSPORT_WS])
        .connect()
        .await;
    match elsewhere {
        Err(awc::error::WsClientError::InvalidResponseStatus(status)) => {
            assert_eq!(status.as_u16(), 404)
        }
        other => panic!("upgrade elsewhere: {:?}", other.map(|(r, _)| r.status())),
    }
    let unoffered = client
        .ws(format!("ws://{}/graphql/ws", app.addr))
        .protocols(["chat"])
        .connect()
        .await;
    match unoffered {
        Err(awc::error::WsClientError::InvalidResponseStatus(status)) => {
            assert_eq!(status.as_u16(), 400)
        }
        other => panic!(
            "no GraphQL subprotocol: {:?}",
            other.map(|(r, _)| r.status())
        ),
    }
    // The server goes on serving after refusing.
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    let owner = app.owner("Still serving").await;
    ws.init(&owner.access).await;
}
