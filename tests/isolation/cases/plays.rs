//! Plays, cadences, tasks and touches.

use serde_json::json;

use super::{Case, NOT_FOUND};

pub fn cases() -> Vec<Case> {
    vec![
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
    ]
}
