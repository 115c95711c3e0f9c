//! Members, invitations, API tokens, trusted documents, workspaces and logging in.

use serde_json::json;

use super::{Actor, Case, NOT_FOUND};
use crate::support::people::PASSWORD;

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "updateMemberRole",
            query: "mutation($id: ID!) { updateMemberRole(memberId: $id, role: VIEWER) { id } }",
            variables: |v| json!({"id": v.member_id}),
            ..NOT_FOUND
        },
        Case {
            name: "setMemberAvailability",
            query: "mutation($id: ID!) { setMemberAvailability(memberId: $id, outOfOffice: true) { id } }",
            variables: |v| json!({"id": v.member_id}),
            ..NOT_FOUND
        },
        Case {
            name: "setMemberManager (memberId)",
            query: "mutation($id: ID!) { setMemberManager(memberId: $id, managerUserId: null) { id } }",
            variables: |v| json!({"id": v.member_id}),
            ..NOT_FOUND
        },
        Case {
            name: "setMemberManager (managerUserId)",
            query: "mutation($id: ID!, $mine: ID!) { setMemberManager(memberId: $mine, managerUserId: $id) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "mine": v.attacker_member_id}),
            ..NOT_FOUND
        },
        Case {
            name: "removeMember",
            query: "mutation($id: ID!) { removeMember(memberId: $id) { id } }",
            variables: |v| json!({"id": v.member_id}),
            ..NOT_FOUND
        },
        Case {
            name: "revokeApiToken",
            query: "mutation($id: ID!) { revokeApiToken(id: $id) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
            ..NOT_FOUND
        },
        Case {
            name: "revokeInvitation",
            query: "mutation($id: ID!) { revokeInvitation(id: $id) { id } }",
            variables: |v| json!({"id": v.invitation_id}),
            ..NOT_FOUND
        },
        Case {
            name: "setApiTokenTrustedDocumentsOnly",
            query: "mutation($id: ID!) { setApiTokenTrustedDocumentsOnly(id: $id, enabled: true) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
            ..NOT_FOUND
        },
        Case {
            name: "registerTrustedDocuments",
            query: "mutation($id: ID!) { registerTrustedDocuments(tokenId: $id, documents: [\"{ workspace { id } }\"]) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
            ..NOT_FOUND
        },
        Case {
            name: "trustedDocuments",
            query: "query($id: ID!) { trustedDocuments(tokenId: $id) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
            ..NOT_FOUND
        },
        Case {
            name: "switchWorkspace",
            query: "mutation($id: ID!) { switchWorkspace(workspaceId: $id) { accessToken } }",
            variables: |v| json!({"id": v.workspace_id}),
            ..NOT_FOUND
        },
        Case {
            name: "logIn (workspaceId)",
            query: "mutation($e: String!, $p: String!, $ws: ID) { logIn(input: {email: $e, password: $p, workspaceId: $ws}) { accessToken } }",
            variables: |v| json!({"e": v.actor_email, "p": PASSWORD, "ws": v.workspace_id}),
            actor: Actor::Anonymous,
            ..NOT_FOUND
        },
    ]
}
