//! WebSockets cannot be hoarded: subscriptions per socket and sockets per credential are capped,
//! and an open socket re-checks its credential, so a revocation whose bus message was lost still
//! closes it and a role change applies.

use serde_json::json;

use crate::support::{
    wait,
    ws::{WsClient, WsEvent, TRANSPORT_WS},
    TestApp,
};

const TRIGGERS: &str = "subscription { playTriggers { id kind } }";

#[actix_web::test]
async fn a_socket_runs_a_bounded_number_of_subscriptions() {
    let app = TestApp::start_with(|config| config.ws_max_subscriptions = 3).await;
    let owner = app.owner("Caps").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    for id in ["1", "2", "3"] {
        ws.subscribe(id, TRIGGERS).await;
    }
    ws.subscribe("4", TRIGGERS).await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "4");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");

    // Completing one makes room; the socket itself stays open.
    ws.send(json!({"type": "complete", "id": "1"})).await;
    ws.subscribe("5", "{ workspace { name } }").await;
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "5");
}

#[actix_web::test]
async fn a_credential_holds_a_bounded_number_of_sockets() {
    let app = TestApp::start_with(|config| config.ws_max_sockets_per_credential = 2).await;
    let owner = app.owner("Sockets").await;
    let mut first = WsClient::connect(&app, TRANSPORT_WS).await;
    first.init(&owner.access).await;
    let mut second = WsClient::connect(&app, TRANSPORT_WS).await;
    second.init(&owner.access).await;
    let mut third = WsClient::connect(&app, TRANSPORT_WS).await;
    third.init_without_ack(&owner.access).await;
    assert_eq!(third.close_code().await, Some(4429));

    // Someone else is not affected; a closed socket frees its place.
    let other = app.member(&owner, "REP").await;
    let mut theirs = WsClient::connect(&app, TRANSPORT_WS).await;
    theirs.init(&other.access).await;
    first.send(json!({"type": "connection_terminate"})).await;
    drop(first);
    // The server may not have seen the first socket go yet: try new ones until one is taken.
    wait::until(
        "a freed place is given back",
        std::time::Duration::from_secs(15),
        || async {
            let mut again = WsClient::connect(&app, TRANSPORT_WS).await;
            again.init_without_ack(&owner.access).await;
            match again.recv().await {
                WsEvent::Message(ack) if ack["type"] == "connection_ack" => Some(again),
                _ => None,
            }
        },
    )
    .await;
}

#[actix_web::test]
async fn a_revocation_whose_message_was_lost_still_closes_the_socket() {
    let app = TestApp::start_with(|config| config.ws_recheck_secs = 1).await;
    let owner = app.owner("Lost message").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&owner.access).await;
    ws.subscribe("1", TRIGGERS).await;
    // End the session in the database only, as if its bus message never arrived.
    let session_id: uuid::Uuid = crate::support::people::session_id_of(&owner.access)
        .parse()
        .unwrap();
    accord_api::store::sessions::revoke_family(&app.state.store.global(), session_id)
        .await
        .unwrap();
    assert_eq!(ws.close_code_within(5).await, Some(4403));
}

#[actix_web::test]
async fn a_role_change_applies_to_open_sockets() {
    let app = TestApp::start_with(|config| config.ws_recheck_secs = 1).await;
    let owner = app.owner("Demotion").await;
    let manager = app.member(&owner, "SALES_MANAGER").await;
    let mut ws = WsClient::connect(&app, TRANSPORT_WS).await;
    ws.init(&manager.access).await;
    ws.subscribe("1", "subscription { workspaceActivity { kind } }")
        .await;
    let demoted = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { updateMemberRole(memberId: $id, role: REP) { id } }",
            json!({"id": manager.member_id}),
        )
        .await;
    assert!(demoted.body["errors"].is_null(), "{}", demoted.raw);
    assert_eq!(ws.close_code_within(5).await, Some(4403));

    // Back on a new socket, the new role decides: reps may not watch the workspace.
    let mut again = WsClient::connect(&app, TRANSPORT_WS).await;
    again.init(&manager.access).await;
    again
        .subscribe("1", "subscription { workspaceActivity { kind } }")
        .await;
    let refused = again.message().await;
    assert_eq!(refused["payload"][0]["extensions"]["code"], "FORBIDDEN");
}
