//! The lead pipeline: contracts, routing, working leads, rejections, source health and triggers (read and followed live).

use serde_json::json;

use super::{Case, NOT_FOUND};

pub fn cases() -> Vec<Case> {
    vec![
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
            name: "publishRoutingRule",
            query: "mutation($id: ID!) { publishRoutingRule(id: $id) { id } }",
            variables: |v| json!({"id": v.routing_rule_id}),
            ..NOT_FOUND
        },
        Case {
            name: "rollbackRoutingRule",
            query: "mutation($id: ID!) { rollbackRoutingRule(id: $id) { id } }",
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
