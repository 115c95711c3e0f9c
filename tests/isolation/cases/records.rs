//! Records: accounts, leads, ICPs, sources, campaigns, assets and deals.

use serde_json::json;

use super::{Case, NOT_FOUND};

pub fn cases() -> Vec<Case> {
    vec![
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
            name: "createIcp (ownerId)",
            query: "mutation($id: ID!) { createIcp(input: {name: \"Stolen\", motion: LAND, ownerId: $id}) { id } }",
            variables: |v| json!({"id": v.owner_user_id}),
            ..NOT_FOUND
        },
    ]
}
