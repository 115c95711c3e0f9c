//! The workspace-isolation matrix: every operation that takes an id, called with another
//! workspace's id, answers NOT_FOUND and changes nothing. Each later area adds its rows here.

use serde_json::{json, Value};

use crate::support::{Session, TestApp};

/// Ids that belong to the victim workspace.
struct VictimIds {
    workspace_id: String,
    member_id: String,
    api_token_id: String,
}

/// One row of the matrix: an operation and the variables that aim it at the victim.
struct Case {
    name: &'static str,
    query: &'static str,
    variables: fn(&VictimIds) -> Value,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "updateMemberRole",
            query: "mutation($id: ID!) { updateMemberRole(memberId: $id, role: VIEWER) { id } }",
            variables: |v| json!({"id": v.member_id}),
        },
        Case {
            name: "removeMember",
            query: "mutation($id: ID!) { removeMember(memberId: $id) { id } }",
            variables: |v| json!({"id": v.member_id}),
        },
        Case {
            name: "revokeApiToken",
            query: "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
        },
        Case {
            name: "switchWorkspace",
            query: "mutation($id: ID!) { switchWorkspace(workspaceId: $id) { accessToken } }",
            variables: |v| json!({"id": v.workspace_id}),
        },
    ]
}

/// What the victim's workspace looks like, to prove nothing changed.
async fn snapshot(app: &TestApp, victim: &Session) -> Value {
    let reply = app
        .gql(
            Some(&victim.access),
            "{ members(first: 50) { edges { node { id role } } } apiTokens { id revokedAt } }",
            json!({}),
        )
        .await;
    reply.body["data"].clone()
}

#[actix_web::test]
async fn another_workspaces_ids_are_not_found_and_nothing_changes() {
    let app = TestApp::start().await;
    let victim = app.owner("Victim").await;
    let victim_rep = app.member(&victim, "REP").await;
    let (_, api_token_id) = app.api_token(&victim, &["leads:read"]).await;
    let ids = VictimIds {
        workspace_id: victim.workspace_id.clone().unwrap(),
        member_id: victim_rep.member_id.clone().unwrap(),
        api_token_id,
    };
    let attacker = app.owner("Attacker").await;
    let before = snapshot(&app, &victim).await;

    for case in cases() {
        let reply = app
            .gql(Some(&attacker.access), case.query, (case.variables)(&ids))
            .await;
        assert_eq!(reply.code(), "NOT_FOUND", "{}: {}", case.name, reply.raw);
        assert_eq!(
            snapshot(&app, &victim).await,
            before,
            "{} changed the victim",
            case.name
        );
    }

    // Logging in to a workspace one does not belong to is NOT_FOUND too.
    let reply = app.log_in(&attacker.email, Some(&ids.workspace_id)).await;
    assert_eq!(reply.code(), "NOT_FOUND");

    // An API token of the attacker's workspace cannot reach the victim either.
    let (token, _) = app.api_token(&attacker, &["workspace:read"]).await;
    let ws = app
        .gql(Some(&token), "{ workspace { id } }", json!({}))
        .await;
    assert_eq!(ws.data("workspace")["id"], json!(attacker.workspace_id));
}

#[actix_web::test]
async fn malformed_ids_are_not_found_too() {
    let app = TestApp::start().await;
    let owner = app.owner("Solo").await;
    for case in cases() {
        let reply = app
            .gql(Some(&owner.access), case.query, json!({"id": "not-a-uuid"}))
            .await;
        assert_eq!(reply.code(), "NOT_FOUND", "{}", case.name);
    }
}
