//! The revenue review, action items, messaging tests, webhooks and goals.

use serde_json::json;

use super::{Case, NOT_FOUND};

pub fn cases() -> Vec<Case> {
    vec![
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
            name: "endMessagingTest",
            query: "mutation($id: ID!) { endMessagingTest(id: $id) { id } }",
            variables: |v| json!({"id": v.messaging_test_id}),
            ..NOT_FOUND
        },
        Case {
            name: "updateGoal",
            query: "mutation($id: ID!) { updateGoal(id: $id, input: {name: \"Taken\", target: 9}) { id } }",
            variables: |v| json!({"id": v.goal_id}),
            ..NOT_FOUND
        },
        Case {
            name: "closeGoal",
            query: "mutation($id: ID!) { closeGoal(id: $id) { id } }",
            variables: |v| json!({"id": v.goal_id}),
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
            query: "query($id: ID!) { webhookDeliveries(webhookId: $id) { nodes { id } } }",
            variables: |v| json!({"id": v.webhook_id}),
            ..NOT_FOUND
        },
        Case {
            name: "createGoal (ownerIds)",
            query: "mutation($id: ID!, $me: ID!) { createGoal(input: {name: \"g\", metric: SALS, target: 1, period: {start: \"2026-01-01\", months: 1}, ownerIds: [$me, $id]}) { id } }",
            variables: |v| json!({"id": v.owner_user_id, "me": v.attacker_user_id}),
            ..NOT_FOUND
        },
    ]
}
