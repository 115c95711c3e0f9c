//! A page of leads with their account and owner costs a constant number of statements,
//! whatever the page size: relations go through DataLoaders.

use serde_json::{json, Value};

use crate::support::TestApp;

const PAGE: &str = "query($n: Int) { leads(first: $n) { totalCount edges { node { email account { domain name owner { email } } owner { email } source { name } } } } }";

#[actix_web::test]
async fn a_page_of_leads_with_account_and_owner_costs_constant_statements() {
    // No background polling while statements are counted.
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let owner = app.owner("Counting").await;
    let rep = app.member(&owner, "REP").await;
    let source = app
        .gql(
            Some(&owner.access),
            "mutation { createSource(input: {name: \"Ads\", kind: PAID_SEARCH}) { id } }",
            json!({}),
        )
        .await;
    let source_id = source.data("createSource")["id"].clone();
    let accounts: Vec<Value> = (0..60)
        .map(|i| json!({"domain": format!("company{i}.com"), "ownerId": rep.user_id}))
        .collect();
    app.gql(
        Some(&owner.access),
        "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { status } }",
        json!({"a": accounts}),
    )
    .await
    .data("upsertAccounts");
    let contacts: Vec<Value> = (0..60)
        .map(|i| json!({"email": format!("buyer@company{i}.com"), "ownerId": rep.user_id, "sourceId": source_id}))
        .collect();
    app.gql(
        Some(&owner.access),
        "mutation($c: [ContactInput!]!) { upsertContacts(contacts: $c) { status } }",
        json!({"c": contacts}),
    )
    .await
    .data("upsertContacts");

    let mut costs = Vec::new();
    for n in [5, 50] {
        // The fewest of six runs: background work woken by the upserts, or a pool statement on a
        // loaded machine, can slip into a run, never into all of them.
        let mut fewest = u64::MAX;
        for _ in 0..6 {
            let before = app.state.prometheus.statements();
            let reply = app.gql(Some(&owner.access), PAGE, json!({"n": n})).await;
            let edges = reply.data("leads")["edges"].as_array().unwrap().len();
            assert_eq!(edges, n);
            assert!(
                reply.data("leads")["edges"][0]["node"]["account"]["owner"]["email"].is_string()
            );
            fewest = fewest.min(app.state.prometheus.statements() - before);
        }
        costs.push(fewest);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 5 and 50 leads: {costs:?}"
    );
    // count, page, accounts, users (the accounts' owner is the leads' owner: read once),
    // sources; the credential is cached: a handful, never one per row.
    assert!(costs[1] <= 5, "{costs:?}");
}

const CHILDREN: &str = "query($n: Int) {
  accounts(first: $n) { nodes { domain contacts(first: 5) { nodes { email } } opportunities(first: 5) { totalCount nodes { id } } } }
  leads(first: $n) { nodes { email stageHistory(first: 5) { nodes { to } } enrollments(first: 5) { nodes { status } } touches(first: 5) { totalCount nodes { outcome } } } }
}";

#[actix_web::test]
async fn child_lists_of_a_page_of_parents_cost_constant_statements() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let owner = app.owner("Counting children").await;
    let accounts: Vec<Value> = (0..60)
        .map(|i| json!({"domain": format!("parent{i}.com")}))
        .collect();
    app.gql(
        Some(&owner.access),
        "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { status } }",
        json!({"a": accounts}),
    )
    .await
    .data("upsertAccounts");
    let contacts: Vec<Value> = (0..120)
        .map(|i| json!({"email": format!("buyer{i}@parent{}.com", i % 60), "accountDomain": format!("parent{}.com", i % 60)}))
        .collect();
    app.gql(
        Some(&owner.access),
        "mutation($c: [ContactInput!]!) { upsertContacts(contacts: $c) { status } }",
        json!({"c": contacts}),
    )
    .await
    .data("upsertContacts");

    let mut costs = Vec::new();
    for n in [5, 50] {
        let mut fewest = u64::MAX;
        for _ in 0..6 {
            let before = app.state.prometheus.statements();
            let reply = app
                .gql(Some(&owner.access), CHILDREN, json!({"n": n}))
                .await;
            let accounts = reply.data("accounts")["nodes"].as_array().unwrap().clone();
            assert_eq!(accounts.len(), n);
            assert_eq!(
                accounts[0]["contacts"]["nodes"].as_array().unwrap().len(),
                2,
                "{}",
                reply.raw
            );
            assert_eq!(reply.data("leads")["nodes"].as_array().unwrap().len(), n);
            fewest = fewest.min(app.state.prometheus.statements() - before);
        }
        costs.push(fewest);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 5 and 50 parents: {costs:?}"
    );
    // two pages, five child lists and two counts (the credential is cached): never one per
    // parent.
    assert!(costs[1] <= 9, "{costs:?}");
}
