//! Lead-to-account routing (issue 19, item 8): before the rules, a lead at an account that is a
//! customer, has an open deal or has an owner goes to the account's owner, under the contract's
//! `routing.accountOwnerFirst` (on by default); the routing explanation says so.

use serde_json::{json, Value};

use crate::support::{
    documents::{INGEST, SIGN_CONTRACT},
    fixtures::{team, Team},
    TestApp,
};

async fn lead_at(app: &TestApp, team: &Team, email: &str) -> Value {
    let events = json!([{"idempotencyKey": format!("demo-{email}"), "type": "demo_request", "contact": {"email": email, "name": email}}]);
    let reply = app
        .gql(Some(&team.token), INGEST, json!({"e": events}))
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED",
        "{}",
        reply.raw
    );
    app.gql(
        Some(&team.owner.access),
        "query($q: String) { leads(filter: {search: $q}) { edges { node { stage owner { id } routing } } } }",
        json!({"q": email}),
    )
    .await
    .data("leads")["edges"][0]["node"]
        .clone()
}

#[actix_web::test]
async fn account_routing_gives_the_lead_to_the_account_owner_before_the_rules() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let am = app.member(&team.owner, "REP").await;
    let reply = app
        .gql(
            Some(&team.owner.access),
            "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { status } }",
            json!({"a": [
                {"domain": "customer.example", "name": "Customer", "lifecycle": "CUSTOMER", "ownerId": am.user_id},
                {"domain": "dealing.example", "name": "Dealing", "lifecycle": "PROSPECT", "ownerId": am.user_id},
                {"domain": "owned.example", "name": "Owned", "lifecycle": "TARGET", "ownerId": am.user_id},
                {"domain": "nobody.example", "name": "Nobody", "lifecycle": "CUSTOMER"},
            ]}),
        )
        .await;
    assert!(
        reply
            .data("upsertAccounts")
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] != "REJECTED"),
        "{}",
        reply.raw
    );
    let reply = app
        .gql(
            Some(&team.owner.access),
            "mutation($o: [OpportunityUpsertInput!]!) { upsertOpportunities(opportunities: $o) { status } }",
            json!({"o": [{"externalId": "d1", "name": "Expansion", "accountDomain": "dealing.example", "amount": 1000.0, "stage": "PROPOSAL"}]}),
        )
        .await;
    assert_ne!(
        reply.data("upsertOpportunities")[0]["status"],
        "REJECTED",
        "{}",
        reply.raw
    );

    for (email, tie, says) in [
        ("ann@customer.example", "CUSTOMER", "is a customer"),
        ("bob@dealing.example", "OPEN_DEAL", "has an open deal"),
        ("cy@owned.example", "OWNED", "has an owner"),
    ] {
        let lead = lead_at(&app, &team, email).await;
        assert_eq!(lead["stage"], "MQL", "{lead}");
        assert_eq!(lead["owner"]["id"], json!(am.user_id), "{email}: {lead}");
        assert_eq!(lead["routing"]["by"], "accountOwner", "{lead}");
        assert_eq!(lead["routing"]["tie"], tie, "{lead}");
        let explanation = lead["routing"]["explanation"].as_str().unwrap();
        assert!(
            explanation.contains("lead-to-account") && explanation.contains(says),
            "{explanation}"
        );
    }
    // No owner at the account: the rules route it.
    let lead = lead_at(&app, &team, "dee@nobody.example").await;
    assert_eq!(lead["owner"]["id"], json!(team.rep.user_id), "{lead}");
    assert_eq!(lead["routing"]["by"], "rule", "{lead}");

    // A contract that turns it off: the rules route leads at owned accounts too.
    let contract = app
        .gql(
            Some(&team.owner.access),
            "query { leadContracts(status: ACTIVE) { edges { node { id terms } } } }",
            json!({}),
        )
        .await
        .data("leadContracts")["edges"][0]["node"]
        .clone();
    assert_eq!(
        contract["terms"]["routing"]["accountOwnerFirst"], true,
        "{contract}"
    );
    let mut terms = contract["terms"].clone();
    terms["routing"]["accountOwnerFirst"] = json!(false);
    let draft = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
            json!({"id": contract["id"], "t": terms}),
        )
        .await
        .data("updateLeadContract")["id"]
        .clone();
    for signer in [&team.cmo, &team.cro] {
        app.gql(Some(&signer.access), SIGN_CONTRACT, json!({"id": draft}))
            .await
            .data("signLeadContract");
    }
    let lead = lead_at(&app, &team, "eve@customer.example").await;
    assert_eq!(lead["owner"]["id"], json!(team.rep.user_id), "{lead}");
    assert_eq!(lead["routing"]["by"], "rule", "{lead}");
}
