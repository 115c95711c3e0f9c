//! The workspace-isolation matrix: every operation that takes an id, called with another
//! workspace's id, answers NOT_FOUND and changes nothing. Each later area adds its rows here.

use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    ws::{WsClient, TRANSPORT_WS},
    Session, TestApp,
};

/// Ids that belong to the victim workspace.
struct VictimIds {
    workspace_id: String,
    member_id: String,
    api_token_id: String,
    invitation_id: String,
    account_id: String,
    lead_id: String,
    source_id: String,
    campaign_id: String,
    asset_id: String,
    opportunity_id: String,
    icp_id: String,
    contract_id: String,
    routing_rule_id: String,
    mql_id: String,
    rejection_id: String,
    trigger_id: String,
    owner_user_id: String,
    cadence_id: String,
    play_id: String,
    task_id: String,
    /// A lead of the attacker's own, to aim the other ids of `logTouch` at the victim.
    attacker_lead_id: String,
    /// The attacker's own seat, to aim `setMemberManager`'s manager at the victim.
    attacker_member_id: String,
    /// The attacker's own cadence, to aim `createPlay`'s other ids at the victim.
    attacker_cadence_id: String,
    review_id: String,
    action_item_id: String,
    webhook_id: String,
    /// The attacker's own review, user and asset, to aim the other ids of the review
    /// operations, goals and messaging tests at the victim.
    attacker_review_id: String,
    attacker_user_id: String,
    attacker_asset_id: String,
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
            name: "setMemberAvailability",
            query: "mutation($id: ID!) { setMemberAvailability(memberId: $id, outOfOffice: true) { id } }",
            variables: |v| json!({"id": v.member_id}),
        },
        Case {
            name: "setMemberManager (memberId)",
            query: "mutation($id: ID!) { setMemberManager(memberId: $id, managerUserId: null) { id } }",
            variables: |v| json!({"id": v.member_id}),
        },
        Case {
            name: "setMemberManager (managerUserId)",
            query: "mutation($id: ID!, $mine: ID!) { setMemberManager(memberId: $mine, managerUserId: $id) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "mine": v.attacker_member_id}),
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
            name: "revokeInvitation",
            query: "mutation($id: ID!) { revokeInvitation(id: $id) { id } }",
            variables: |v| json!({"id": v.invitation_id}),
        },
        Case {
            name: "setApiTokenTrustedDocumentsOnly",
            query: "mutation($id: ID!) { setApiTokenTrustedDocumentsOnly(id: $id, enabled: true) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
        },
        Case {
            name: "registerTrustedDocuments",
            query: "mutation($id: ID!) { registerTrustedDocuments(tokenId: $id, documents: [\"{ workspace { id } }\"]) { id } }",
            variables: |v| json!({"id": v.api_token_id}),
        },
        Case {
            name: "trustedDocuments",
            query: "query($id: ID!) { trustedDocuments(tokenId: $id) { id } }",
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
        Case {
            name: "draftLeadContract (fromId)",
            query: "mutation($id: ID!) { draftLeadContract(fromId: $id) { id } }",
            variables: |v| json!({"id": v.contract_id}),
        },
        Case {
            name: "updateLeadContract",
            query: "mutation($id: ID!) { updateLeadContract(id: $id, terms: {}) { id } }",
            variables: |v| json!({"id": v.contract_id}),
        },
        Case {
            name: "backtestLeadContract",
            query: "query($id: ID!) { backtestLeadContract(id: $id) { wouldBeMqls } }",
            variables: |v| json!({"id": v.contract_id}),
        },
        Case {
            name: "signLeadContract",
            query: "mutation($id: ID!) { signLeadContract(id: $id) { id } }",
            variables: |v| json!({"id": v.contract_id}),
        },
        Case {
            name: "updateRoutingRule",
            query: "mutation($id: ID!) { updateRoutingRule(id: $id, input: {name: \"x\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: []}) { id } }",
            variables: |v| json!({"id": v.routing_rule_id}),
        },
        Case {
            name: "deleteRoutingRule",
            query: "mutation($id: ID!) { deleteRoutingRule(id: $id) }",
            variables: |v| json!({"id": v.routing_rule_id}),
        },
        Case {
            name: "createRoutingRule (targets.userId)",
            query: "mutation($id: ID!) { createRoutingRule(input: {name: \"x\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $id}]}) { id } }",
            variables: |v| json!({"id": v.owner_user_id}),
        },
        Case {
            name: "acceptLead",
            query: "mutation($id: ID!) { acceptLead(id: $id) { id } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "rejectLead",
            query: "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { id } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "qualifyLead",
            query: "mutation($id: ID!) { qualifyLead(id: $id, bant: {budget: \"b\", authority: \"a\", need: \"n\", timing: \"t\"}) { id } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "convertLead",
            query: "mutation($id: ID!) { convertLead(id: $id, input: {name: \"x\", amount: 1}) { id } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "recycleLead",
            query: "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { id } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "assignLead",
            query: "mutation($id: ID!) { assignLead(id: $id, userId: $id) { id } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "disputeRejection",
            query: "mutation($id: ID!) { disputeRejection(id: $id, note: \"x\") { id } }",
            variables: |v| json!({"id": v.rejection_id}),
        },
        Case {
            name: "resolveDispute",
            query: "mutation($id: ID!) { resolveDispute(id: $id, upheld: true) { id } }",
            variables: |v| json!({"id": v.rejection_id}),
        },
        Case {
            name: "resumeSource",
            query: "mutation($id: ID!) { resumeSource(id: $id) { id } }",
            variables: |v| json!({"id": v.source_id}),
        },
        Case {
            name: "sourceHealth",
            query: "query($id: ID!) { sourceHealth(sourceId: $id) { month } }",
            variables: |v| json!({"id": v.source_id}),
        },
        Case {
            name: "acknowledgeTrigger",
            query: "mutation($id: ID!) { acknowledgeTrigger(id: $id) { id } }",
            variables: |v| json!({"id": v.trigger_id}),
        },
        Case {
            name: "triggers (since)",
            query: "query($id: ID!) { triggers(since: $id) { id } }",
            variables: |v| json!({"id": v.trigger_id}),
        },
        Case {
            name: "play",
            query: "query($id: ID!) { play(id: $id) { id } }",
            variables: |v| json!({"id": v.play_id}),
        },
        Case {
            name: "updatePlay",
            query: "mutation($id: ID!, $c: ID!) { updatePlay(id: $id, input: {name: \"Stolen\", cadenceId: $c, trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.play_id, "c": v.cadence_id}),
        },
        Case {
            name: "activatePlay",
            query: "mutation($id: ID!) { activatePlay(id: $id) { id } }",
            variables: |v| json!({"id": v.play_id}),
        },
        Case {
            name: "pausePlay",
            query: "mutation($id: ID!) { pausePlay(id: $id) { id } }",
            variables: |v| json!({"id": v.play_id}),
        },
        Case {
            name: "createPlay (cadenceId)",
            query: "mutation($id: ID!) { createPlay(input: {name: \"x\", cadenceId: $id, trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.cadence_id}),
        },
        Case {
            name: "createPlay (campaignId)",
            query: "mutation($id: ID!, $mine: ID!) { createPlay(input: {name: \"x\", cadenceId: $mine, campaignId: $id, trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.campaign_id, "mine": v.attacker_cadence_id}),
        },
        Case {
            name: "createPlay (assetIds)",
            query: "mutation($id: ID!, $mine: ID!) { createPlay(input: {name: \"x\", cadenceId: $mine, assetIds: [$id], trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.asset_id, "mine": v.attacker_cadence_id}),
        },
        Case {
            name: "updateCadence",
            query: "mutation($id: ID!) { updateCadence(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.cadence_id}),
        },
        Case {
            name: "createCadence (assetId)",
            query: "mutation($id: ID!) { createCadence(input: {name: \"x\", steps: [{dayOffset: 0, channel: EMAIL, theme: NEXT_STEP, assetId: $id}]}) { id } }",
            variables: |v| json!({"id": v.asset_id}),
        },
        Case {
            name: "completeTask",
            query: "mutation($id: ID!) { completeTask(id: $id) { id } }",
            variables: |v| json!({"id": v.task_id}),
        },
        Case {
            name: "logTouch (leadId)",
            query: "mutation($id: ID!) { logTouch(input: {leadId: $id, channel: CALL, outcome: CONNECTED}) { touch { id } } }",
            variables: |v| json!({"id": v.mql_id}),
        },
        Case {
            name: "logTouch (taskId)",
            query: "mutation($id: ID!, $mine: ID!) { logTouch(input: {leadId: $mine, channel: CALL, outcome: CONNECTED, taskId: $id}) { touch { id } } }",
            variables: |v| json!({"id": v.task_id, "mine": v.attacker_lead_id}),
        },
        Case {
            name: "logTouch (assetId)",
            query: "mutation($id: ID!, $mine: ID!) { logTouch(input: {leadId: $mine, channel: EMAIL, outcome: SENT, assetId: $id}) { touch { id } } }",
            variables: |v| json!({"id": v.asset_id, "mine": v.attacker_lead_id}),
        },
        Case {
            name: "recordAttendance (reviewId)",
            query: "mutation($id: ID!, $me: ID!) { recordAttendance(reviewId: $id, attendance: [{userId: $me, present: true}]) { id } }",
            variables: |v| json!({"id": v.review_id, "me": v.attacker_user_id}),
        },
        Case {
            name: "recordAttendance (userId)",
            query: "mutation($id: ID!, $mine: ID!) { recordAttendance(reviewId: $mine, attendance: [{userId: $id, present: true}]) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "mine": v.attacker_review_id}),
        },
        Case {
            name: "recordDecision",
            query: "mutation($id: ID!) { recordDecision(reviewId: $id, decision: \"Stop\") { id } }",
            variables: |v| json!({"id": v.review_id}),
        },
        Case {
            name: "publishDecisionLog",
            query: "mutation($id: ID!) { publishDecisionLog(reviewId: $id) { id } }",
            variables: |v| json!({"id": v.review_id}),
        },
        Case {
            name: "createActionItem (reviewId)",
            query: "mutation($id: ID!, $me: ID!) { createActionItem(input: {reviewId: $id, title: \"x\", ownerId: $me}) { id } }",
            variables: |v| json!({"id": v.review_id, "me": v.attacker_user_id}),
        },
        Case {
            name: "createActionItem (ownerId)",
            query: "mutation($id: ID!, $mine: ID!) { createActionItem(input: {reviewId: $mine, title: \"x\", ownerId: $id}) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "mine": v.attacker_review_id}),
        },
        Case {
            name: "completeActionItem",
            query: "mutation($id: ID!) { completeActionItem(id: $id) { id } }",
            variables: |v| json!({"id": v.action_item_id}),
        },
        Case {
            name: "createMessagingTest (assetId)",
            query: "mutation($id: ID!, $mine: ID!) { createMessagingTest(input: {name: \"t\", startedAt: \"2026-01-01T00:00:00Z\", variants: [{label: \"A\", assetId: $mine}, {label: \"B\", assetId: $id}]}) { id } }",
            variables: |v| json!({"id": v.asset_id, "mine": v.attacker_asset_id}),
        },
        Case {
            name: "updateWebhook",
            query: "mutation($id: ID!) { updateWebhook(id: $id, input: {active: false}) { id } }",
            variables: |v| json!({"id": v.webhook_id}),
        },
        Case {
            name: "deleteWebhook",
            query: "mutation($id: ID!) { deleteWebhook(id: $id) }",
            variables: |v| json!({"id": v.webhook_id}),
        },
        Case {
            name: "webhookDeliveries",
            query: "query($id: ID!) { webhookDeliveries(webhookId: $id) { id } }",
            variables: |v| json!({"id": v.webhook_id}),
        },
        Case {
            name: "createGoal (ownerIds)",
            query: "mutation($id: ID!, $me: ID!) { createGoal(input: {name: \"g\", metric: SALS, target: 1, period: {start: \"2026-01-01\", months: 1}, ownerIds: [$me, $id]}) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "me": v.attacker_user_id}),
        },
    ]
}

/// An active play on MQL assignment using the victim's seed cadence, so the victim's MQL gets
/// tasks. Returns (cadence, play) ids.
async fn victim_plays(app: &TestApp, victim: &Session) -> (String, String) {
    let cadences = app
        .gql(
            Some(&victim.access),
            "{ cadences { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let cadence = cadences.data("cadences")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let play = app
        .gql(
            Some(&victim.access),
            "mutation($c: ID!) { createPlay(input: {name: \"Victim play\", cadenceId: $c, trigger: {kind: MQL_ASSIGNED}}) { id } }",
            json!({"c": cadence}),
        )
        .await;
    let play = play.data("createPlay")["id"].as_str().unwrap().to_owned();
    app.gql(
        Some(&victim.access),
        "mutation($id: ID!) { activatePlay(id: $id) { status } }",
        json!({"id": play}),
    )
    .await
    .data("activatePlay");
    (cadence, play)
}

/// The victim's lead pipeline: a signed contract, a routing rule, an MQL with its trigger, and
/// a rejected lead. Returns (contract, rule, mql, rejection, trigger) ids.
async fn victim_pipeline(app: &TestApp, victim: &Session) -> [String; 5] {
    let cmo = app.member(victim, "MARKETING_LEADER").await;
    let cro = app.member(victim, "SALES_LEADER").await;
    let contracts = app
        .gql(
            Some(&victim.access),
            "{ leadContracts { edges { node { id terms } } } }",
            json!({}),
        )
        .await;
    let node = contracts.data("leadContracts")["edges"][0]["node"].clone();
    let mut terms = node["terms"].clone();
    terms["acceptance"]["minFit"] = json!(0);
    app.gql(
        Some(&victim.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": node["id"], "t": terms}),
    )
    .await
    .data("updateLeadContract");
    for signer in [&cmo, &cro] {
        app.gql(
            Some(&signer.access),
            "mutation($id: ID!) { signLeadContract(id: $id) { status } }",
            json!({"id": node["id"]}),
        )
        .await
        .data("signLeadContract");
    }
    let rule = app
        .gql(
            Some(&victim.access),
            "mutation($u: ID!) { createRoutingRule(input: {name: \"All\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $u}]}) { id } }",
            json!({"u": victim.user_id}),
        )
        .await;
    let rule_id = rule.data("createRoutingRule")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (token, _) = app.api_token(victim, &["events:write"]).await;
    let ingest = INGEST;
    for email in ["mql@victim.com", "rejected@victim.com"] {
        app.gql(Some(&token), ingest, json!({"e": [{"idempotencyKey": email, "type": "demo_request", "contact": {"email": email}}]}))
            .await
            .data("ingestEvents");
    }
    let leads = app
        .gql(
            Some(&victim.access),
            "{ leads(filter: {stage: [MQL]}) { edges { node { id email } } } }",
            json!({}),
        )
        .await;
    let id_of = |email: &str| {
        leads.data("leads")["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["email"] == email)
            .unwrap()["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (mql, doomed) = (id_of("mql@victim.com"), id_of("rejected@victim.com"));
    app.gql(
        Some(&victim.access),
        "mutation($id: ID!) { rejectLead(id: $id, reason: WRONG_SEGMENT) { id } }",
        json!({"id": doomed}),
    )
    .await
    .data("rejectLead");
    let rejection = app
        .gql(
            Some(&victim.access),
            "{ rejections { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let trigger = app
        .gql(Some(&victim.access), "{ triggers { id } }", json!({}))
        .await;
    [
        node["id"].as_str().unwrap().to_owned(),
        rule_id,
        mql,
        rejection.data("rejections")["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        trigger.data("triggers")[0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
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
            "{ members(first: 50) { edges { node { id role outOfOffice managerId } } } apiTokens { id revokedAt trustedDocumentsOnly }
               invitations(first: 50) { edges { node { id revokedAt acceptedAt } } }
               accounts { edges { node { id name updatedAt } } } leads { edges { node { id updatedAt } } }
               sources { edges { node { id name spend { amount } } } } campaigns { totalCount edges { node { id name } } }
               assets { edges { node { id name } } } opportunities { edges { node { id amount stage } } }
               icps { totalCount edges { node { id name status version } } }
               leadContracts { totalCount edges { node { id status terms } } } routingRules { id name assignedCount }
               rejections { edges { node { id disputedAt resolution } } } triggers { id acknowledgedAt }
               cadences { edges { node { id name updatedAt } } } plays { edges { node { id name status updatedAt } } }
               myTasks(filter: {status: OPEN}) { edges { node { id status } } }
               mql: leads(filter: {stage: [MQL]}) { edges { node { id enrollments { nodes { status } } touches { nodes { id } } } } }
               revenueReview { meeting { id attendance { userId present } decisions { decision } logPublishedAt actionItems { id } } }
               actionItems(openOnly: false) { id completedAt } goals { id } messagingTests { id }
               webhooks { id url status events } }",
            json!({}),
        )
        .await;
    reply.body["data"].clone()
}

#[actix_web::test]
async fn another_workspaces_ids_are_not_found_and_nothing_changes() {
    // The victim's snapshot is a large query, taken after every case: no rate limit here.
    let app = TestApp::start_with(|config| config.rate_limit_budget = u64::MAX / 2).await;
    let victim = app.owner("Victim").await;
    let victim_rep = app.member(&victim, "REP").await;
    let (_, api_token_id) = app.api_token(&victim, &["leads:read"]).await;
    let invited = app
        .gql(
            Some(&victim.access),
            "mutation { addMember(input: {email: \"pending@victim.example.com\", role: REP}) { id } }",
            json!({}),
        )
        .await;
    let invitation_id = invited.data("addMember")["id"].as_str().unwrap().to_owned();
    let records = victim_records(&app, &victim).await;
    let (cadence_id, play_id) = victim_plays(&app, &victim).await;
    let [contract_id, routing_rule_id, mql_id, rejection_id, trigger_id] =
        victim_pipeline(&app, &victim).await;
    let ids = VictimIds {
        workspace_id: victim.workspace_id.clone().unwrap(),
        member_id: victim_rep.member_id.clone().unwrap(),
        api_token_id,
        invitation_id,
        account_id: id(&records, "account"),
        lead_id: id(&records, "lead"),
        source_id: id(&records, "source"),
        campaign_id: id(&records, "campaign"),
        asset_id: id(&records, "asset"),
        opportunity_id: id(&records, "opportunity"),
        icp_id: id(&records, "icp"),
        contract_id,
        routing_rule_id,
        mql_id,
        rejection_id,
        trigger_id,
        owner_user_id: victim.user_id.clone(),
        cadence_id,
        play_id,
        task_id: String::new(),
        attacker_lead_id: String::new(),
        attacker_member_id: String::new(),
        attacker_cadence_id: String::new(),
        review_id: String::new(),
        action_item_id: String::new(),
        webhook_id: String::new(),
        attacker_review_id: String::new(),
        attacker_user_id: String::new(),
        attacker_asset_id: String::new(),
    };
    let tasks = app
        .gql(
            Some(&victim.access),
            "{ myTasks { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let mut ids = ids;
    ids.task_id = tasks.data("myTasks")["edges"][0]["node"]["id"]
        .as_str()
        .expect("the victim's MQL runs the play")
        .to_owned();
    let attacker = app.owner("Attacker").await;
    let mine = app
        .gql(
            Some(&attacker.access),
            "mutation { upsertContacts(contacts: [{email: \"me@attacker.io\"}]) { id } }",
            json!({}),
        )
        .await;
    ids.attacker_lead_id = mine.data("upsertContacts")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let review = app
        .gql(
            Some(&victim.access),
            "mutation { startRevenueReview { id } }",
            json!({}),
        )
        .await;
    ids.review_id = review.data("startRevenueReview")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = app
        .gql(
            Some(&victim.access),
            "mutation($r: ID!, $o: ID!) { createActionItem(input: {reviewId: $r, title: \"Victim item\", ownerId: $o}) { id } }",
            json!({"r": ids.review_id, "o": victim.user_id}),
        )
        .await;
    ids.action_item_id = item.data("createActionItem")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hook = app
        .gql(
            Some(&victim.access),
            "mutation { createWebhook(input: {url: \"https://victim.example.com/hook\", events: [\"*\"]}) { webhook { id } } }",
            json!({}),
        )
        .await;
    ids.webhook_id = hook.data("createWebhook")["webhook"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = app
        .gql(
            Some(&attacker.access),
            "mutation { startRevenueReview { id } createAsset(input: {name: \"Mine\", kind: EBOOK, funnelStage: AWARENESS}) { id } }",
            json!({}),
        )
        .await;
    ids.attacker_review_id = own.data("startRevenueReview")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ids.attacker_asset_id = own.data("createAsset")["id"].as_str().unwrap().to_owned();
    ids.attacker_user_id = attacker.user_id.clone();
    let seats = app
        .gql(
            Some(&attacker.access),
            "{ members(first: 5) { edges { node { id } } } cadences { edges { node { id } } } }",
            json!({}),
        )
        .await;
    ids.attacker_member_id = seats.data("members")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ids.attacker_cadence_id = seats.data("cadences")["edges"][0]["node"]["id"]
        .as_str()
        .expect("every workspace starts with the seed cadence")
        .to_owned();
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

    // No document was registered for the victim's token.
    let trusted = app
        .gql(
            Some(&victim.access),
            "query($id: ID!) { trustedDocuments(tokenId: $id) { id } }",
            json!({"id": ids.api_token_id}),
        )
        .await;
    assert_eq!(trusted.data("trustedDocuments"), &json!([]));

    // Logging in to a workspace one does not belong to is NOT_FOUND too.
    let reply = app.log_in(&attacker.email, Some(&ids.workspace_id)).await;
    assert_eq!(reply.code(), "NOT_FOUND");

    // Events naming another workspace's campaign or asset are refused at the field.
    let (events_token, _) = app.api_token(&attacker, &["events:write"]).await;
    let sent = app
        .gql(
            Some(&events_token),
            "mutation($c: ID, $a: ID) { ingestEvents(events: [{idempotencyKey: \"x1\", type: \"session\", contact: {email: \"a@b.io\"}, campaignId: $c}, {idempotencyKey: \"x2\", type: \"session\", contact: {email: \"a@b.io\"}, assetId: $a}]) { results { status error { code field } } } }",
            json!({"c": ids.campaign_id, "a": ids.asset_id}),
        )
        .await;
    assert_eq!(
        sent.data("ingestEvents")["results"],
        json!([
            {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "events[0].campaignId"}},
            {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "events[1].assetId"}}
        ])
    );

    // Batch upserts naming another workspace's member or source are refused at the field and
    // write nothing.
    let deals = app
        .gql(
            Some(&attacker.access),
            "mutation($o: ID, $s: ID) { upsertOpportunities(opportunities: [{externalId: \"x1\", name: \"Stolen\", accountDomain: \"victim.com\", amount: 1, ownerId: $o}, {externalId: \"x2\", name: \"Stolen\", accountDomain: \"victim.com\", amount: 1, sourceId: $s}]) { status error { code field } } }",
            json!({"o": ids.owner_user_id, "s": ids.source_id}),
        )
        .await;
    assert_eq!(
        deals.data("upsertOpportunities"),
        &json!([
            {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "opportunities[0].ownerId"}},
            {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "opportunities[1].sourceId"}}
        ])
    );
    let mine = app
        .gql(
            Some(&attacker.access),
            "{ opportunities { totalCount } accounts(filter: {search: \"victim\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(mine.data("opportunities")["totalCount"], 0);
    assert_eq!(
        mine.data("accounts")["totalCount"],
        0,
        "no account for refused deals"
    );
    assert_eq!(
        snapshot(&app, &victim).await,
        before,
        "upsertOpportunities changed the victim"
    );

    // Filters naming another workspace's records find nothing.
    let filtered = app
        .gql(
            Some(&attacker.access),
            "query($a: ID) { leads(filter: {accountId: $a}) { totalCount } }",
            json!({"a": ids.account_id}),
        )
        .await;
    assert_eq!(filtered.data("leads")["totalCount"], 0);
    let filtered = app
        .gql(
            Some(&attacker.access),
            "query($p: ID, $c: ID) { myTasks(filter: {playId: $p}) { totalCount } plays(filter: {campaignId: $c}) { totalCount } }",
            json!({"p": ids.play_id, "c": ids.campaign_id}),
        )
        .await;
    assert_eq!(filtered.data("myTasks")["totalCount"], 0);
    assert_eq!(filtered.data("plays")["totalCount"], 0);

    // The live trigger stream cannot resume from, or follow, another workspace's people.
    let mut socket = WsClient::connect(&app, TRANSPORT_WS).await;
    socket.init(&attacker.access).await;
    for (id, query) in [
        (
            "since",
            format!(
                "subscription {{ playTriggers(since: \"{}\") {{ id }} }}",
                ids.trigger_id
            ),
        ),
        (
            "recipient",
            format!(
                "subscription {{ playTriggers(recipientId: \"{}\") {{ id }} }}",
                ids.owner_user_id
            ),
        ),
    ] {
        socket.subscribe(id, &query).await;
        let answer = socket.message().await;
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(
            answer["payload"][0]["extensions"]["code"], "NOT_FOUND",
            "{answer}"
        );
    }

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
    let bad = || "not-a-uuid".to_owned();
    let ids = VictimIds {
        workspace_id: bad(),
        member_id: bad(),
        api_token_id: bad(),
        invitation_id: bad(),
        account_id: bad(),
        lead_id: bad(),
        source_id: bad(),
        campaign_id: bad(),
        asset_id: bad(),
        opportunity_id: bad(),
        icp_id: bad(),
        contract_id: bad(),
        routing_rule_id: bad(),
        mql_id: bad(),
        rejection_id: bad(),
        trigger_id: bad(),
        owner_user_id: bad(),
        cadence_id: bad(),
        play_id: bad(),
        task_id: bad(),
        attacker_lead_id: bad(),
        attacker_member_id: bad(),
        attacker_cadence_id: bad(),
        review_id: bad(),
        action_item_id: bad(),
        webhook_id: bad(),
        attacker_review_id: bad(),
        attacker_user_id: bad(),
        attacker_asset_id: bad(),
    };
    for case in cases() {
        let reply = app
            .gql(Some(&owner.access), case.query, (case.variables)(&ids))
            .await;
        assert_eq!(reply.code(), "NOT_FOUND", "{}", case.name);
    }
}
