//! Workspaces, members and roles.

use serde_json::json;

use crate::support::TestApp;

const MEMBERS: &str =
    "{ members(first: 50) { totalCount edges { node { id role user { email } } } } }";

#[actix_web::test]
async fn the_creator_owns_the_workspace_and_can_switch_between_workspaces() {
    let app = TestApp::start().await;
    let owner = app.owner("Acme Revenue").await;
    let ws = app
        .gql(
            Some(&owner.access),
            "{ workspace { id name slug } }",
            json!({}),
        )
        .await;
    let ws = ws.data("workspace");
    assert_eq!(ws["name"], "Acme Revenue");
    assert_eq!(ws["slug"], "acme-revenue");
    let members = app.gql(Some(&owner.access), MEMBERS, json!({})).await;
    assert_eq!(members.data("members")["edges"][0]["node"]["role"], "OWNER");

    let second = app
        .gql(Some(&owner.access), "mutation { createWorkspace(input: {name: \"Acme Revenue\"}) { accessToken workspace { id slug } } }", json!({}))
        .await;
    let second = second.data("createWorkspace").clone();
    assert_eq!(second["workspace"]["slug"], "acme-revenue-2");
    let back = app
        .gql(
            Some(second["accessToken"].as_str().unwrap()),
            "mutation($id: ID!) { switchWorkspace(workspaceId: $id) { accessToken workspace { id } } }",
            json!({"id": owner.workspace_id}),
        )
        .await;
    assert_eq!(
        back.data("switchWorkspace")["workspace"]["id"],
        json!(owner.workspace_id)
    );
    let me = app
        .gql(
            Some(&owner.access),
            "{ me { memberships { role workspace { slug } } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data("me")["memberships"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn members_are_added_changed_and_removed_but_never_the_last_owner() {
    let app = TestApp::start().await;
    let owner = app.owner("Globex").await;
    let rep = app.member(&owner, "REP").await;
    let members = app.gql(Some(&rep.access), MEMBERS, json!({})).await;
    assert_eq!(members.data("members")["totalCount"], 2);

    let promoted = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { updateMemberRole(memberId: $id, role: SALES_MANAGER) { role } }",
            json!({"id": rep.member_id}),
        )
        .await;
    assert_eq!(promoted.data("updateMemberRole")["role"], "SALES_MANAGER");

    let owner_seat = app.gql(Some(&owner.access), MEMBERS, json!({})).await;
    let owner_member_id = owner_seat.data("members")["edges"][0]["node"]["id"].clone();
    let demote = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { updateMemberRole(memberId: $id, role: ADMIN) { role } }",
            json!({"id": owner_member_id}),
        )
        .await;
    assert_eq!(demote.code(), "BAD_USER_INPUT");
    let remove_owner = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { removeMember(memberId: $id) { id } }",
            json!({"id": owner_member_id}),
        )
        .await;
    assert_eq!(remove_owner.code(), "BAD_USER_INPUT");

    let removed = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { removeMember(memberId: $id) { id } }",
            json!({"id": rep.member_id}),
        )
        .await;
    assert_eq!(removed.data("removeMember")["id"], json!(rep.member_id));
    let members = app.gql(Some(&owner.access), MEMBERS, json!({})).await;
    assert_eq!(members.data("members")["totalCount"], 1);
    // The removed person's token no longer acts in the workspace.
    let gone = app.gql(Some(&rep.access), MEMBERS, json!({})).await;
    assert_eq!(gone.code(), "FORBIDDEN");
}

#[actix_web::test]
async fn roles_limit_who_manages_members() {
    let app = TestApp::start().await;
    let owner = app.owner("Initech").await;
    let viewer = app.member(&owner, "VIEWER").await;
    let admin = app.member(&owner, "ADMIN").await;
    let add = "mutation($role: Role!) { addMember(input: {email: \"newbie@example.com\", role: $role}) { id role email acceptedAt } }";
    assert_eq!(
        app.gql(Some(&viewer.access), add, json!({"role": "REP"}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(&admin.access), add, json!({"role": "OWNER"}))
            .await
            .code(),
        "FORBIDDEN"
    );
    let added = app
        .gql(Some(&admin.access), add, json!({"role": "REP"}))
        .await;
    let invitation = added.data("addMember");
    assert_eq!(invitation["role"], "REP");
    assert_eq!(invitation["email"], "newbie@example.com");
    assert_eq!(invitation["acceptedAt"], json!(null));
    let malformed = app
        .gql(
            Some(&admin.access),
            "mutation { addMember(input: {email: \"not an address\", role: REP}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(malformed.code(), "BAD_USER_INPUT");
    assert_eq!(malformed.field(), Some("input.email"));
}

#[actix_web::test]
async fn members_paginate_forwards_and_backwards() {
    let app = TestApp::start().await;
    let owner = app.owner("Pages").await;
    for _ in 0..4 {
        app.member(&owner, "REP").await;
    }
    let page = "query($first: Int, $after: String, $last: Int, $before: String) { members(first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { cursor } } }";
    let one = app
        .gql(Some(&owner.access), page, json!({"first": 2}))
        .await;
    let one = one.data("members").clone();
    assert_eq!(one["totalCount"], 5);
    assert_eq!(one["pageInfo"]["hasNextPage"], true);
    let two = app
        .gql(
            Some(&owner.access),
            page,
            json!({"first": 2, "after": one["pageInfo"]["endCursor"]}),
        )
        .await;
    let two = two.data("members").clone();
    assert_eq!(two["edges"].as_array().unwrap().len(), 2);
    assert_eq!(two["pageInfo"]["hasPreviousPage"], true);
    let last = app.gql(Some(&owner.access), page, json!({"last": 1})).await;
    assert_eq!(last.data("members")["pageInfo"]["hasPreviousPage"], true);
    let too_big = app
        .gql(Some(&owner.access), page, json!({"first": 101}))
        .await;
    assert_eq!(too_big.code(), "BAD_USER_INPUT");
    assert_eq!(too_big.field(), Some("first"));
}
