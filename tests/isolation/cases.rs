//! The rows of the isolation matrix, as data: a document, the variables that aim it at the
//! victim's ids, who sends it and what it must answer.

use serde_json::{json, Value};

use crate::support::people::PASSWORD;

/// Ids that belong to the victim workspace, and a few of the attacker's own (to aim the other
/// ids of an operation at the victim).
#[derive(Clone, Default)]
pub struct VictimIds {
    pub workspace_id: String,
    pub member_id: String,
    pub api_token_id: String,
    pub invitation_id: String,
    pub account_id: String,
    pub lead_id: String,
    pub source_id: String,
    pub campaign_id: String,
    pub asset_id: String,
    pub opportunity_id: String,
    pub icp_id: String,
    pub contract_id: String,
    pub routing_rule_id: String,
    pub mql_id: String,
    pub rejection_id: String,
    pub trigger_id: String,
    pub owner_user_id: String,
    pub cadence_id: String,
    pub play_id: String,
    pub task_id: String,
    /// A lead of the attacker's own, to aim the other ids of `logTouch` at the victim.
    pub attacker_lead_id: String,
    /// The attacker's own seat, to aim `setMemberManager`'s manager at the victim.
    pub attacker_member_id: String,
    /// The attacker's own cadence, to aim `createPlay`'s other ids at the victim.
    pub attacker_cadence_id: String,
    pub review_id: String,
    pub action_item_id: String,
    pub webhook_id: String,
    /// The attacker's own review, user and asset, to aim the other ids of the review
    /// operations, goals and messaging tests at the victim.
    pub attacker_review_id: String,
    pub attacker_user_id: String,
    pub attacker_asset_id: String,
    /// The address of whoever sends the case (for `logIn`).
    pub actor_email: String,
}

/// What another workspace's id must produce.
#[derive(Clone, Copy)]
pub enum Expect {
    /// An error with code NOT_FOUND.
    NotFound,
    /// `data.<root field>` is exactly this: batch items refused at their field, or a filter
    /// that finds nothing.
    Data(fn() -> Value),
}

/// Who sends a case with the strict expectation.
#[derive(Clone, Copy)]
pub enum Actor {
    /// The attacker workspace's owner (every other role is tried too, see the module).
    Owner,
    /// An API token of the attacker's workspace with this scope.
    Token(&'static str),
    /// No credential (`logIn`); each role's run uses its own address.
    Anonymous,
}

/// One row of the matrix.
#[derive(Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub query: &'static str,
    pub variables: fn(&VictimIds) -> Value,
    pub expect: Expect,
    pub actor: Actor,
}

/// What a case is unless it says otherwise: sent by the owner, answered NOT_FOUND.
const NOT_FOUND: Case = Case {
    name: "",
    query: "",
    variables: no_variables,
    expect: Expect::NotFound,
    actor: Actor::Owner,
};

fn no_variables(_: &VictimIds) -> Value {
    Value::Null
}

impl VictimIds {
    /// Every id, the attacker's too, made by `make` (malformed or unknown ids).
    pub fn filled(make: impl Fn() -> String) -> Self {
        VictimIds {
            workspace_id: make(),
            member_id: make(),
            api_token_id: make(),
            invitation_id: make(),
            account_id: make(),
            lead_id: make(),
            source_id: make(),
            campaign_id: make(),
            asset_id: make(),
            opportunity_id: make(),
            icp_id: make(),
            contract_id: make(),
            routing_rule_id: make(),
            mql_id: make(),
            rejection_id: make(),
            trigger_id: make(),
            owner_user_id: make(),
            cadence_id: make(),
            play_id: make(),
            task_id: make(),
            attacker_lead_id: make(),
            attacker_member_id: make(),
            attacker_cadence_id: make(),
            review_id: make(),
            action_item_id: make(),
            webhook_id: make(),
            attacker_review_id: make(),
            attacker_user_id: make(),
            attacker_asset_id: make(),
            actor_email: make(),
        }
    }

    /// The same ids with every victim id replaced by one that exists nowhere: what an
    /// answer that does not depend on the victim's rows must not tell apart.
    pub fn ghosts(&self) -> Self {
        VictimIds {
            attacker_lead_id: self.attacker_lead_id.clone(),
            attacker_member_id: self.attacker_member_id.clone(),
            attacker_cadence_id: self.attacker_cadence_id.clone(),
            attacker_review_id: self.attacker_review_id.clone(),
            attacker_user_id: self.attacker_user_id.clone(),
            attacker_asset_id: self.attacker_asset_id.clone(),
            actor_email: self.actor_email.clone(),
            ..Self::filled(|| uuid::Uuid::now_v7().to_string())
        }
    }
}

/// The matrix: every root field that takes an id has at least one case (the schema test checks).
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
            name: "account",
            query: "query($id: ID!) { account(id: $id) { id } }",
            variables: |v| json!({"id": v.account_id}),
            ..NOT_FOUND
        },
        Case {
            name: "lead",
            query: "query($id: ID!) { lead(id: $id) { id } }",
            variables: |v| json!({"id": v.lead_id}),
            ..NOT_FOUND
        },
        Case {
            name: "icp",
            query: "query($id: ID!) { icp(id: $id) { id } }",
            variables: |v| json!({"id": v.icp_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateSource",
            query: "mutation($id: ID!) { updateSource(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteSource",
            query: "mutation($id: ID!) { deleteSource(id: $id) }",
            variables: |v| json!({"id": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateCampaign",
            query: "mutation($id: ID!) { updateCampaign(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.campaign_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteCampaign",
            query: "mutation($id: ID!) { deleteCampaign(id: $id) }",
            variables: |v| json!({"id": v.campaign_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateAsset",
            query: "mutation($id: ID!) { updateAsset(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.asset_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteAsset",
            query: "mutation($id: ID!) { deleteAsset(id: $id) }",
            variables: |v| json!({"id": v.asset_id}),
            ..NOT_FOUND
        },
        Case {
            name: "recordSpend",
            query: "mutation($id: ID!) { recordSpend(input: {sourceId: $id, month: \"2026-11\", amount: 1}) { id } }",
            variables: |v| json!({"id": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createCampaign (sourceId)",
            query: "mutation($id: ID!) { createCampaign(input: {name: \"x\", sourceId: $id}) { id } }",
            variables: |v| json!({"id": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createCampaign (assetIds)",
            query: "mutation($id: ID!) { createCampaign(input: {name: \"x\", assetIds: [$id]}) { id } }",
            variables: |v| json!({"id": v.asset_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createOpportunity (accountId)",
            query: "mutation($id: ID!) { createOpportunity(input: {name: \"x\", accountId: $id, amount: 1}) { id } }",
            variables: |v| json!({"id": v.account_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateOpportunity",
            query: "mutation($id: ID!) { updateOpportunity(id: $id, input: {amount: 1}) { id } }",
            variables: |v| json!({"id": v.opportunity_id}),
            ..NOT_FOUND
        },
        Case {
            name: "closeOpportunity",
            query: "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { id } }",
            variables: |v| json!({"id": v.opportunity_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteOpportunity",
            query: "mutation($id: ID!) { deleteOpportunity(id: $id) }",
            variables: |v| json!({"id": v.opportunity_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateIcp",
            query: "mutation($id: ID!) { updateIcp(id: $id, input: {name: \"Stolen\", motion: LAND}) { id } }",
            variables: |v| json!({"id": v.icp_id}),
            ..NOT_FOUND
        },
        Case {
            name: "activateIcp",
            query: "mutation($id: ID!) { activateIcp(id: $id) { id } }",
            variables: |v| json!({"id": v.icp_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteIcp",
            query: "mutation($id: ID!) { deleteIcp(id: $id) }",
            variables: |v| json!({"id": v.icp_id}),
            ..NOT_FOUND
        },
        Case {
            name: "draftLeadContract (fromId)",
            query: "mutation($id: ID!) { draftLeadContract(fromId: $id) { id } }",
            variables: |v| json!({"id": v.contract_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateLeadContract",
            query: "mutation($id: ID!) { updateLeadContract(id: $id, terms: {}) { id } }",
            variables: |v| json!({"id": v.contract_id}),
            ..NOT_FOUND
        },
        Case {
            name: "backtestLeadContract",
            query: "query($id: ID!) { backtestLeadContract(id: $id) { wouldBeMqls } }",
            variables: |v| json!({"id": v.contract_id}),
            ..NOT_FOUND
        },
        Case {
            name: "signLeadContract",
            query: "mutation($id: ID!) { signLeadContract(id: $id) { id } }",
            variables: |v| json!({"id": v.contract_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateRoutingRule",
            query: "mutation($id: ID!) { updateRoutingRule(id: $id, input: {name: \"x\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: []}) { id } }",
            variables: |v| json!({"id": v.routing_rule_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteRoutingRule",
            query: "mutation($id: ID!) { deleteRoutingRule(id: $id) }",
            variables: |v| json!({"id": v.routing_rule_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createRoutingRule (targets.userId)",
            query: "mutation($id: ID!) { createRoutingRule(input: {name: \"x\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $id}]}) { id } }",
            variables: |v| json!({"id": v.owner_user_id}),
            ..NOT_FOUND
        },
        Case {
            name: "acceptLead",
            query: "mutation($id: ID!) { acceptLead(id: $id) { id } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "rejectLead",
            query: "mutation($id: ID!) { rejectLead(id: $id, reason: NO_BUDGET) { id } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "qualifyLead",
            query: "mutation($id: ID!) { qualifyLead(id: $id, bant: {budget: \"b\", authority: \"a\", need: \"n\", timing: \"t\"}) { id } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "convertLead",
            query: "mutation($id: ID!) { convertLead(id: $id, input: {name: \"x\", amount: 1}) { id } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "recycleLead",
            query: "mutation($id: ID!) { recycleLead(id: $id, tag: FUTURE) { id } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "assignLead",
            query: "mutation($id: ID!) { assignLead(id: $id, userId: $id) { id } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "disputeRejection",
            query: "mutation($id: ID!) { disputeRejection(id: $id, note: \"x\") { id } }",
            variables: |v| json!({"id": v.rejection_id}),
            ..NOT_FOUND
        },
        Case {
            name: "resolveDispute",
            query: "mutation($id: ID!) { resolveDispute(id: $id, upheld: true) { id } }",
            variables: |v| json!({"id": v.rejection_id}),
            ..NOT_FOUND
        },
        Case {
            name: "resumeSource",
            query: "mutation($id: ID!) { resumeSource(id: $id) { id } }",
            variables: |v| json!({"id": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "sourceHealth",
            query: "query($id: ID!) { sourceHealth(sourceId: $id) { month } }",
            variables: |v| json!({"id": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "acknowledgeTrigger",
            query: "mutation($id: ID!) { acknowledgeTrigger(id: $id) { id } }",
            variables: |v| json!({"id": v.trigger_id}),
            ..NOT_FOUND
        },
        Case {
            name: "triggers (since)",
            query: "query($id: ID!) { triggers(since: $id) { id } }",
            variables: |v| json!({"id": v.trigger_id}),
            ..NOT_FOUND
        },
        Case {
            name: "play",
            query: "query($id: ID!) { play(id: $id) { id } }",
            variables: |v| json!({"id": v.play_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updatePlay",
            query: "mutation($id: ID!, $c: ID!) { updatePlay(id: $id, input: {name: \"Stolen\", cadenceId: $c, trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.play_id, "c": v.cadence_id}),
            ..NOT_FOUND
        },
        Case {
            name: "activatePlay",
            query: "mutation($id: ID!) { activatePlay(id: $id) { id } }",
            variables: |v| json!({"id": v.play_id}),
            ..NOT_FOUND
        },
        Case {
            name: "pausePlay",
            query: "mutation($id: ID!) { pausePlay(id: $id) { id } }",
            variables: |v| json!({"id": v.play_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createPlay (cadenceId)",
            query: "mutation($id: ID!) { createPlay(input: {name: \"x\", cadenceId: $id, trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.cadence_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createPlay (campaignId)",
            query: "mutation($id: ID!, $mine: ID!) { createPlay(input: {name: \"x\", cadenceId: $mine, campaignId: $id, trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.campaign_id, "mine": v.attacker_cadence_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createPlay (assetIds)",
            query: "mutation($id: ID!, $mine: ID!) { createPlay(input: {name: \"x\", cadenceId: $mine, assetIds: [$id], trigger: {kind: PQL_REACHED}}) { id } }",
            variables: |v| json!({"id": v.asset_id, "mine": v.attacker_cadence_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateCadence",
            query: "mutation($id: ID!) { updateCadence(id: $id, input: {name: \"Stolen\"}) { id } }",
            variables: |v| json!({"id": v.cadence_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createCadence (assetId)",
            query: "mutation($id: ID!) { createCadence(input: {name: \"x\", steps: [{dayOffset: 0, channel: EMAIL, theme: NEXT_STEP, assetId: $id}]}) { id } }",
            variables: |v| json!({"id": v.asset_id}),
            ..NOT_FOUND
        },
        Case {
            name: "completeTask",
            query: "mutation($id: ID!) { completeTask(id: $id) { id } }",
            variables: |v| json!({"id": v.task_id}),
            ..NOT_FOUND
        },
        Case {
            name: "logTouch (leadId)",
            query: "mutation($id: ID!) { logTouch(input: {leadId: $id, channel: CALL, outcome: CONNECTED}) { touch { id } } }",
            variables: |v| json!({"id": v.mql_id}),
            ..NOT_FOUND
        },
        Case {
            name: "logTouch (taskId)",
            query: "mutation($id: ID!, $mine: ID!) { logTouch(input: {leadId: $mine, channel: CALL, outcome: CONNECTED, taskId: $id}) { touch { id } } }",
            variables: |v| json!({"id": v.task_id, "mine": v.attacker_lead_id}),
            ..NOT_FOUND
        },
        Case {
            name: "logTouch (assetId)",
            query: "mutation($id: ID!, $mine: ID!) { logTouch(input: {leadId: $mine, channel: EMAIL, outcome: SENT, assetId: $id}) { touch { id } } }",
            variables: |v| json!({"id": v.asset_id, "mine": v.attacker_lead_id}),
            ..NOT_FOUND
        },
        Case {
            name: "recordAttendance (reviewId)",
            query: "mutation($id: ID!, $me: ID!) { recordAttendance(reviewId: $id, attendance: [{userId: $me, present: true}]) { id } }",
            variables: |v| json!({"id": v.review_id, "me": v.attacker_user_id}),
            ..NOT_FOUND
        },
        Case {
            name: "recordAttendance (userId)",
            query: "mutation($id: ID!, $mine: ID!) { recordAttendance(reviewId: $mine, attendance: [{userId: $id, present: true}]) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "mine": v.attacker_review_id}),
            ..NOT_FOUND
        },
        Case {
            name: "recordDecision",
            query: "mutation($id: ID!) { recordDecision(reviewId: $id, decision: \"Stop\") { id } }",
            variables: |v| json!({"id": v.review_id}),
            ..NOT_FOUND
        },
        Case {
            name: "publishDecisionLog",
            query: "mutation($id: ID!) { publishDecisionLog(reviewId: $id) { id } }",
            variables: |v| json!({"id": v.review_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createActionItem (reviewId)",
            query: "mutation($id: ID!, $me: ID!) { createActionItem(input: {reviewId: $id, title: \"x\", ownerId: $me}) { id } }",
            variables: |v| json!({"id": v.review_id, "me": v.attacker_user_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createActionItem (ownerId)",
            query: "mutation($id: ID!, $mine: ID!) { createActionItem(input: {reviewId: $mine, title: \"x\", ownerId: $id}) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "mine": v.attacker_review_id}),
            ..NOT_FOUND
        },
        Case {
            name: "completeActionItem",
            query: "mutation($id: ID!) { completeActionItem(id: $id) { id } }",
            variables: |v| json!({"id": v.action_item_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createMessagingTest (assetId)",
            query: "mutation($id: ID!, $mine: ID!) { createMessagingTest(input: {name: \"t\", startedAt: \"2026-01-01T00:00:00Z\", variants: [{label: \"A\", assetId: $mine}, {label: \"B\", assetId: $id}]}) { id } }",
            variables: |v| json!({"id": v.asset_id, "mine": v.attacker_asset_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateWebhook",
            query: "mutation($id: ID!) { updateWebhook(id: $id, input: {active: false}) { id } }",
            variables: |v| json!({"id": v.webhook_id}),
            ..NOT_FOUND
        },
        Case {
            name: "deleteWebhook",
            query: "mutation($id: ID!) { deleteWebhook(id: $id) }",
            variables: |v| json!({"id": v.webhook_id}),
            ..NOT_FOUND
        },
        Case {
            name: "webhookDeliveries",
            query: "query($id: ID!) { webhookDeliveries(webhookId: $id) { id } }",
            variables: |v| json!({"id": v.webhook_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createGoal (ownerIds)",
            query: "mutation($id: ID!, $me: ID!) { createGoal(input: {name: \"g\", metric: SALS, target: 1, period: {start: \"2026-01-01\", months: 1}, ownerIds: [$me, $id]}) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "me": v.attacker_user_id}),
            ..NOT_FOUND
        },
        Case {
            name: "logIn (workspaceId)",
            query: "mutation($e: String!, $p: String!, $ws: ID) { logIn(input: {email: $e, password: $p, workspaceId: $ws}) { accessToken } }",
            variables: |v| json!({"e": v.actor_email, "p": PASSWORD, "ws": v.workspace_id}),
            actor: Actor::Anonymous,
            ..NOT_FOUND
        },
        Case {
            name: "createIcp (ownerId)",
            query: "mutation($id: ID!) { createIcp(input: {name: \"Stolen\", motion: LAND, ownerId: $id}) { id } }",
            variables: |v| json!({"id": v.owner_user_id}),
            ..NOT_FOUND
        },
        Case {
            name: "ingestEvents (campaignId, assetId)",
            query: "mutation($c: ID, $a: ID) { ingestEvents(events: [{idempotencyKey: \"x1\", type: \"session\", contact: {email: \"a@b.io\"}, campaignId: $c}, {idempotencyKey: \"x2\", type: \"session\", contact: {email: \"a@b.io\"}, assetId: $a}]) { results { status error { code field } } } }",
            variables: |v| json!({"c": v.campaign_id, "a": v.asset_id}),
            expect: Expect::Data(|| json!({"results": [
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "events[0].campaignId"}},
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "events[1].assetId"}}
            ]})),
            actor: Actor::Token("events:write"),
        },
        Case {
            name: "upsertOpportunities (ownerId, sourceId)",
            query: "mutation($o: ID, $s: ID) { upsertOpportunities(opportunities: [{externalId: \"x1\", name: \"Stolen\", accountDomain: \"victim.com\", amount: 1, ownerId: $o}, {externalId: \"x2\", name: \"Stolen\", accountDomain: \"victim.com\", amount: 1, sourceId: $s}]) { status error { code field } } }",
            variables: |v| json!({"o": v.owner_user_id, "s": v.source_id}),
            expect: Expect::Data(|| json!([
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "opportunities[0].ownerId"}},
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "opportunities[1].sourceId"}}
            ])),
            ..NOT_FOUND
        },
        Case {
            name: "upsertAccounts (ownerId)",
            query: "mutation($o: ID) { upsertAccounts(accounts: [{domain: \"stolen.example\", ownerId: $o}]) { status error { code field } } }",
            variables: |v| json!({"o": v.owner_user_id}),
            expect: Expect::Data(|| json!([
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "accounts[0].ownerId"}}
            ])),
            ..NOT_FOUND
        },
        Case {
            name: "upsertContacts (ownerId, sourceId)",
            query: "mutation($o: ID, $s: ID) { upsertContacts(contacts: [{email: \"x1@stolen.example\", ownerId: $o}, {email: \"x2@stolen.example\", sourceId: $s}]) { status error { code field } } }",
            variables: |v| json!({"o": v.owner_user_id, "s": v.source_id}),
            expect: Expect::Data(|| json!([
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "contacts[0].ownerId"}},
                {"status": "REJECTED", "error": {"code": "NOT_FOUND", "field": "contacts[1].sourceId"}}
            ])),
            ..NOT_FOUND
        },
        // Filters naming another workspace's records find nothing (today's answer; see the
        // module comment).
        Case {
            name: "leads (filter.accountId)",
            query: "query($a: ID) { leads(filter: {accountId: $a}) { totalCount } }",
            variables: |v| json!({"a": v.account_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "myTasks (filter.playId)",
            query: "query($p: ID) { myTasks(filter: {playId: $p}) { totalCount } }",
            variables: |v| json!({"p": v.play_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "plays (filter.campaignId)",
            query: "query($c: ID) { plays(filter: {campaignId: $c}) { totalCount } }",
            variables: |v| json!({"c": v.campaign_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "accounts (filter.ownerId)",
            query: "query($o: ID) { accounts(filter: {ownerId: $o}) { totalCount } }",
            variables: |v| json!({"o": v.owner_user_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "opportunities (filter.accountId)",
            query: "query($a: ID) { opportunities(filter: {accountId: $a}) { totalCount } }",
            variables: |v| json!({"a": v.account_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "rejections (filter.sourceId)",
            query: "query($s: ID) { rejections(filter: {sourceId: $s}) { totalCount } }",
            variables: |v| json!({"s": v.source_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        // The live trigger stream cannot resume from, or follow, another workspace's people.
        Case {
            name: "playTriggers (since)",
            query: "subscription($id: ID) { playTriggers(since: $id) { id } }",
            variables: |v| json!({"id": v.trigger_id}),
            ..NOT_FOUND
        },
        Case {
            name: "playTriggers (recipientId)",
            query: "subscription($id: ID) { playTriggers(recipientId: $id) { id } }",
            variables: |v| json!({"id": v.owner_user_id}),
            ..NOT_FOUND
        },
    ]
}
