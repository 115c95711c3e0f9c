//! Batches refused item by item at the field, and list filters naming records the caller
//! cannot see.

use serde_json::json;

use super::{Actor, Case, Expect, NOT_FOUND};

pub fn cases() -> Vec<Case> {
    vec![
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
        // A filter naming another workspace's record is NOT_FOUND at the filter's field, like
        // any id the caller cannot see.
        Case {
            name: "leads (filter.accountId)",
            query: "query($a: ID) { leads(filter: {accountId: $a}) { totalCount } }",
            variables: |v| json!({"a": v.account_id}),
            ..NOT_FOUND
        },
        Case {
            name: "myTasks (filter.playId)",
            query: "query($p: ID) { myTasks(filter: {playId: $p}) { totalCount } }",
            variables: |v| json!({"p": v.play_id}),
            ..NOT_FOUND
        },
        Case {
            name: "plays (filter.campaignId)",
            query: "query($c: ID) { plays(filter: {campaignId: $c}) { totalCount } }",
            variables: |v| json!({"c": v.campaign_id}),
            ..NOT_FOUND
        },
        // A filter by a person names a user, not a row of a workspace: someone who holds no
        // seat here owns nothing here.
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
            ..NOT_FOUND
        },
        Case {
            name: "rejections (filter.sourceId)",
            query: "query($s: ID) { rejections(filter: {sourceId: $s}) { totalCount } }",
            variables: |v| json!({"s": v.source_id}),
            ..NOT_FOUND
        },
        Case {
            name: "actionItems (filter.ownerId)",
            query: "query($o: ID) { actionItems(filter: {ownerId: $o}) { totalCount } }",
            variables: |v| json!({"o": v.owner_user_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "members (filter.managerId)",
            query: "query($m: ID) { members(filter: {managerId: $m}) { totalCount } }",
            variables: |v| json!({"m": v.owner_user_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "accountsInMarket (filter.ownerId)",
            query: "query($o: ID) { accountsInMarket(filter: {ownerId: $o}) { totalCount } }",
            variables: |v| json!({"o": v.owner_user_id}),
            expect: Expect::Data(|| json!({"totalCount": 0})),
            ..NOT_FOUND
        },
        Case {
            name: "campaigns (filter.sourceId)",
            query: "query($s: ID) { campaigns(filter: {sourceId: $s}) { totalCount } }",
            variables: |v| json!({"s": v.source_id}),
            ..NOT_FOUND
        },
    ]
}
