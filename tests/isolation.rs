//! The workspace-isolation matrix: every operation that takes an id, called with another
//! workspace's id, answers NOT_FOUND and changes nothing. Each later area adds its rows here.

use serde_json::{json, Value};

use crate::support::{Session, TestApp};

/// Ids that belong to the victim workspace.
struct VictimIds {
    workspace_id: String,
    member_id: String,
    api_token_id: String,
    account_id: String,
    lead_id: String,
    source_id: String,
    campaign_id: String,
    asset_id: String,
    opportunity_id: String,
    icp_id: String,
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
        Case {
            name: "account",
            query: "query($id: ID!) { account(id: $id) { id } }",
            variables: |v| json!({"id": v.account_id}),
        },
        Case {
            name: "lead",
            query: "query($id: ID!) { lead(id: $id) { id } }",
            variables: |v| json!({"id": v.lead_id}),
        },
        Case {
            name: "icp",
            query: "query($id: ID!) { icp(id: $id) { id } }",
            variables: |v| json!({"id": v.icp_id}),
        },
        Case {
            name: "updateSource",
            query: "mutation($id: ID!) { updateSource(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.source_id}),
        },
        Case {
            name: "deleteSource",
            query: "mutation($id: ID!) { deleteSource(id: $id) }",
            variables: |v| json!({"id": v.source_id}),
        },
        Case {
            name: "updateCampaign",
            query: "mutation($id: ID!) { updateCampaign(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.campaign_id}),
        },
        Case {
            name: "deleteCampaign",
            query: "mutation($id: ID!) { deleteCampaign(id: $id) }",
            variables: |v| json!({"id": v.campaign_id}),
        },
        Case {
            name: "updateAsset",
            query: "mutation($id: ID!) { updateAsset(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.asset_id}),
        },
        Case {
            name: "deleteAsset",
            query: "mutation($id: ID!) { deleteAsset(id: $id) }",
            variables: |v| json!({"id": v.asset_id}),
        },
        Case {
            name: "recordSpend",
            query: "mutation($id: ID!) { recordSpend(input: {sourceId: $id, month: \"2026-11\", amount: 1}) { id } }",
            variables: |v| json!({"id": v.source_id}),
        },
        Case {
            name: "createCampaign (sourceId)",
            query: "mutation($id: ID!) { createCampaign(input: {name: \"x\", sourceId: $id}) { id } }",
            variables: |v| json!({"id": v.source_id}),
        },
        Case {
            name: "createCampaign (assetIds)",
            query: "mutation($id: ID!) { createCampaign(input: {name: \"x\", assetIds: [$id]}) { id } }",
            variables: |v| json!({"id": v.asset_id}),
        },
        Case {
            name: "createOpportunity (accountId)",
            query: "mutation($id: ID!) { createOpportunity(input: {name: \"x\", accountId: $id, amount: 1}) { id } }",
            variables: |v| json!({"id": v.account_id}),
        },
        Case {
            name: "updateOpportunity",
            query: "mutation($id: ID!) { updateOpportunity(id: $id, input: {amount: 1}) { id } }",
            variables: |v| json!({"id": v.opportunity_id}),
        },
        Case {
            name: "closeOpportunity",
            query: "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { id } }",
            variables: |v| json!({"id": v.opportunity_id}),
        },
        Case {
            name: "deleteOpportunity",
            query: "mutation($id: ID!) { deleteOpportunity(id: $id) }",
            variables: |v| json!({"id": v.opportunity_id}),
        },
        Case {
            name: "updateIcp",
            query: "mutation($id: ID!) { updateIcp(id: $id, input: {name: \"Stolen\", motion: LAND}) { id } }",
            variables: |v| json!({"id": v.icp_id}),
        },
        Case {
            name: "activateIcp",
            query: "mutation($id: ID!) { activateIcp(id: $id) { id } }",
            variables: |v| json!({"id": v.icp_id}),
        },
        Case {
            name: "deleteIcp",
            query: "mutation($id: ID!) { deleteIcp(id: $id) }",
            variables: |v| json!({"id": v.icp_id}),
        },
    ]
}

/// Creates one record of every kind in the victim's workspace.
async fn victim_records(app: &TestApp, victim: &Session) -> Value {
    let reply = app
        .gql(
            Some(&victim.access),
            "mutation {
                upsertAccounts(accounts: [{domain: \"victim.com\"}]) { id }
                upsertContacts(contacts: [{email: \"ceo@victim.com\"}]) { id }
                createSource(input: {name: \"Victim source\", kind: OTHER}) { id }
                createAsset(input: {name: \"Victim asset\", kind: EBOOK, funnelStage: AWARENESS}) { id }
                createIcp(input: {name: \"Victim ICP\", motion: LAND}) { id }
            }",
            json!({}),
        )
        .await;
    let data = reply.body["data"].clone();
    assert!(reply.body["errors"].is_null(), "{}", reply.raw);
    let account_id = data["upsertAccounts"][0]["id"].clone();
    let more = app
        .gql(
            Some(&victim.access),
            "mutation($a: ID!, $s: ID) { createCampaign(input: {name: \"Victim campaign\", sourceId: $s}) { id } createOpportunity(input: {name: \"Victim deal\", accountId: $a, amount: 100}) { id } }",
            json!({"a": account_id, "s": data["createSource"]["id"]}),
        )
        .await;
    assert!(more.body["errors"].is_null(), "{}", more.raw);
    json!({
        "account": account_id,
        "lead": data["upsertContacts"][0]["id"],
        "source": data["createSource"]["id"],
        "asset": data["createAsset"]["id"],
        "icp": data["createIcp"]["id"],
        "campaign": more.body["data"]["createCampaign"]["id"],
        "opportunity": more.body["data"]["createOpportunity"]["id"],
    })
}

fn id(records: &Value, key: &str) -> String {
    records[key].as_str().unwrap().to_owned()
}

/// What the victim's workspace looks like, to prove nothing changed.
async fn snapshot(app: &TestApp, victim: &Session) -> Value {
    let reply = app
        .gql(
            Some(&victim.access),
            "{ members(first: 50) { edges { node { id role } } } apiTokens { id revokedAt }
               accounts { edges { node { id name updatedAt } } } leads { edges { node { id updatedAt } } }
               sources { edges { node { id name spend { amount } } } } campaigns { totalCount edges { node { id name } } }
               assets { edges { node { id name } } } opportunities { edges { node { id amount stage } } }
               icps { totalCount edges { node { id name status version } } } }",
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
    let records = victim_records(&app, &victim).await;
    let ids = VictimIds {
        workspace_id: victim.workspace_id.clone().unwrap(),
        member_id: victim_rep.member_id.clone().unwrap(),
        api_token_id,
        account_id: id(&records, "account"),
        lead_id: id(&records, "lead"),
        source_id: id(&records, "source"),
        campaign_id: id(&records, "campaign"),
        asset_id: id(&records, "asset"),
        opportunity_id: id(&records, "opportunity"),
        icp_id: id(&records, "icp"),
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

    // Filters naming another workspace's records find nothing.
    let filtered = app
        .gql(
            Some(&attacker.access),
            "query($a: ID) { leads(filter: {accountId: $a}) { totalCount } }",
            json!({"a": ids.account_id}),
        )
        .await;
    assert_eq!(filtered.data("leads")["totalCount"], 0);

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
