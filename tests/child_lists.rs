//! Child lists (an account's contacts and deals, a lead's stage history, enrollments and
//! touches) are paged connections, costed by page size and loaded for a page of parents at once.

use serde_json::{json, Value};

use crate::support::{documents::INGEST, Session, TestApp};

const UPSERT_ACCOUNTS: &str =
    "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { id error { message } } }";
const UPSERT_CONTACTS: &str =
    "mutation($c: [ContactInput!]!) { upsertContacts(contacts: $c) { id error { message } } }";

/// Two accounts, the first with five contacts and the second with two.
async fn accounts_with_contacts(app: &TestApp, owner: &Session) {
    let accounts = app
        .gql(
            Some(&owner.access),
            UPSERT_ACCOUNTS,
            json!({"a": [{"domain": "many.io", "name": "Many"}, {"domain": "few.io", "name": "Few"}]}),
        )
        .await;
    assert!(accounts.body["errors"].is_null(), "{}", accounts.raw);
    let contacts: Vec<Value> = (0..5)
        .map(|i| json!({"email": format!("p{i}@many.io"), "accountDomain": "many.io"}))
        .chain((0..2).map(|i| json!({"email": format!("p{i}@few.io"), "accountDomain": "few.io"})))
        .collect();
    // One at a time, so their creation order is the order of the list.
    for contact in contacts {
        let made = app
            .gql(
                Some(&owner.access),
                UPSERT_CONTACTS,
                json!({"c": [contact]}),
            )
            .await;
        assert!(
            made.data("upsertContacts")[0]["error"].is_null(),
            "{}",
            made.raw
        );
    }
}

fn emails(list: &Value) -> Vec<&str> {
    list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["email"].as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn an_accounts_contacts_come_a_page_at_a_time() {
    let app = TestApp::start().await;
    let owner = app.owner("Children").await;
    accounts_with_contacts(&app, &owner).await;
    let reply = app
        .gql(
            Some(&owner.access),
            "{ accounts(orderBy: {field: DOMAIN}) { nodes { id domain
                 contacts(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { email } }
                 opportunities { totalCount nodes { id } } } } }",
            json!({}),
        )
        .await;
    let accounts = reply.data("accounts")["nodes"].as_array().unwrap().clone();
    let (few, many) = (&accounts[0], &accounts[1]);
    assert_eq!(few["domain"], "few.io");
    assert_eq!(emails(&few["contacts"]), ["p0@few.io", "p1@few.io"]);
    assert_eq!(few["contacts"]["totalCount"], 2);
    assert_eq!(few["contacts"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(emails(&many["contacts"]), ["p0@many.io", "p1@many.io"]);
    assert_eq!(many["contacts"]["totalCount"], 5);
    assert_eq!(many["contacts"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(many["opportunities"], json!({"totalCount": 0, "nodes": []}));

    // The cursor of the last contact shown returns the rest.
    let rest = app
        .gql(
            Some(&owner.access),
            "query($id: ID!, $after: String) { account(id: $id) { contacts(first: 10, after: $after) { pageInfo { hasNextPage hasPreviousPage } nodes { email } } } }",
            json!({"id": many["id"], "after": many["contacts"]["pageInfo"]["endCursor"]}),
        )
        .await;
    let rest = &rest.data("account")["contacts"];
    assert_eq!(emails(rest), ["p2@many.io", "p3@many.io", "p4@many.io"]);
    assert_eq!(
        rest["pageInfo"],
        json!({"hasNextPage": false, "hasPreviousPage": true})
    );

    let garbage = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { account(id: $id) { contacts(after: \"zz\") { nodes { email } } } }",
            json!({"id": many["id"]}),
        )
        .await;
    assert_eq!(garbage.code(), "BAD_USER_INPUT");
    assert_eq!(garbage.field(), Some("after"));
}

#[actix_web::test]
async fn a_child_page_is_bounded_and_costs_its_size() {
    let app = TestApp::start().await;
    let owner = app.owner("Bounded").await;
    accounts_with_contacts(&app, &owner).await;
    for list in ["contacts", "opportunities"] {
        let reply = app
            .gql(
                Some(&owner.access),
                &format!("{{ accounts(first: 1) {{ nodes {{ {list}(first: 101) {{ nodes {{ id }} }} }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.raw);
        assert_eq!(reply.field(), Some("first"), "{}", reply.raw);
    }
    let leads = app
        .gql(
            Some(&owner.access),
            "{ leads(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let lead = leads.data("leads")["nodes"][0]["id"].clone();
    for list in ["stageHistory", "enrollments", "touches"] {
        let reply = app
            .gql(
                Some(&owner.access),
                &format!(
                    "query($id: ID!) {{ lead(id: $id) {{ {list}(first: 101) {{ totalCount }} }} }}"
                ),
                json!({"id": lead}),
            )
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{list}: {}", reply.raw);
        assert_eq!(reply.field(), Some("first"), "{list}");
    }

    let cost = |first: u32| {
        let app = &app;
        let owner = &owner;
        async move {
            let reply = app
                .gql(
                    Some(&owner.access),
                    &format!("{{ accounts(first: 10) {{ nodes {{ id contacts(first: {first}) {{ nodes {{ id email }} }} }} }} }}"),
                    json!({}),
                )
                .await;
            assert!(reply.body["errors"].is_null(), "{}", reply.raw);
            reply.body["extensions"]["cost"]["requested"]
                .as_u64()
                .unwrap()
        }
    };
    let (small, large) = (cost(1).await, cost(50).await);
    assert!(large >= 10 * 50 * 2, "{large}");
    assert!(large > 20 * small, "{small} {large}");
    // Past the complexity limit, a big enough page of pages is refused before it runs.
    let reply = app
        .gql(
            Some(&owner.access),
            "{ accounts(first: 100) { nodes { contacts(first: 100) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    assert!(reply.raw.contains("too complex"), "{}", reply.raw);
}

#[actix_web::test]
async fn a_leads_stage_history_pages_through_its_moves() {
    let app = TestApp::start().await;
    let owner = app.owner("History").await;
    let (_cro, _cmo, token) = crate::support::fixtures::revenue_team(&app, &owner).await;
    // A VP's pricing visit and demo request make an MQL: LEAD -> MQL.
    app.gql(
        Some(&token),
        INGEST,
        json!({"e": crate::support::fixtures::vp_events("history")}),
    )
    .await
    .data("ingestEvents");
    let leads = app
        .gql(
            Some(&owner.access),
            "{ leads(first: 1) { nodes { id stageHistory(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { from to } } } } }",
            json!({}),
        )
        .await;
    let lead = leads.data("leads")["nodes"][0].clone();
    let history = &lead["stageHistory"];
    let total = history["totalCount"].as_u64().unwrap();
    assert!(total >= 1, "{history}");
    assert_eq!(history["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(history["pageInfo"]["hasNextPage"], total > 1);
    let rest = app
        .gql(
            Some(&owner.access),
            "query($id: ID!, $after: String) { lead(id: $id) { stageHistory(after: $after) { nodes { from to } } } }",
            json!({"id": lead["id"], "after": history["pageInfo"]["endCursor"]}),
        )
        .await;
    let rest = rest.data("lead")["stageHistory"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rest.len() as u64, total - 1, "{rest:?}");
}
