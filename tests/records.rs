//! Accounts and leads: batch upserts by natural key, validation, filters, ordering, relations.

use serde_json::{json, Value};

use crate::support::{Session, TestApp};

const UPSERT_ACCOUNTS: &str = "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { index status id error { code field message } } }";
const UPSERT_CONTACTS: &str = "mutation($c: [ContactInput!]!) { upsertContacts(contacts: $c) { index status id error { code field message } } }";

async fn upsert_accounts(app: &TestApp, session: &Session, accounts: Value) -> Vec<Value> {
    let reply = app
        .gql(
            Some(&session.access),
            UPSERT_ACCOUNTS,
            json!({"a": accounts}),
        )
        .await;
    reply.data("upsertAccounts").as_array().unwrap().clone()
}

async fn upsert_contacts(app: &TestApp, session: &Session, contacts: Value) -> Vec<Value> {
    let reply = app
        .gql(
            Some(&session.access),
            UPSERT_CONTACTS,
            json!({"c": contacts}),
        )
        .await;
    reply.data("upsertContacts").as_array().unwrap().clone()
}

#[actix_web::test]
async fn accounts_upsert_by_domain_item_by_item() {
    let app = TestApp::start().await;
    let owner = app.owner("Records").await;
    let results = upsert_accounts(
        &app,
        &owner,
        json!([
            {"domain": "https://www.Acme.com/", "name": "Acme", "industry": "Software", "employees": 400, "country": "us", "technologies": ["Salesforce"]},
            {"domain": "globex.com", "employees": -5},
            {"domain": "initech.io", "country": "XX"},
            {"domain": "not a domain"},
            {"domain": "umbrella.com", "customAttributes": {"nested": {"no": 1}}},
            {"domain": "acme.com"}
        ]),
    )
    .await;
    assert_eq!(results[0]["status"], "CREATED");
    let expected = [
        (1, "accounts[1].employees"),
        (2, "accounts[2].country"),
        (3, "accounts[3].domain"),
        (4, "accounts[4].customAttributes.nested"),
        (5, "accounts[5].domain"),
    ];
    for (index, field) in expected {
        assert_eq!(results[index]["status"], "REJECTED", "{}", results[index]);
        assert_eq!(results[index]["error"]["code"], "BAD_USER_INPUT");
        assert_eq!(results[index]["error"]["field"], field);
    }
    let list = app
        .gql(Some(&owner.access), "{ accounts { totalCount edges { node { domain name country employees technologies lifecycle } } } }", json!({}))
        .await;
    let accounts = list.data("accounts");
    assert_eq!(accounts["totalCount"], 1, "rejected items wrote nothing");
    assert_eq!(
        accounts["edges"][0]["node"],
        json!({"domain": "acme.com", "name": "Acme", "country": "US", "employees": 400, "technologies": ["Salesforce"], "lifecycle": "TARGET"})
    );

    let again = upsert_accounts(
        &app,
        &owner,
        json!([{"domain": "acme.com", "employees": 450, "region": "NA"}, {"domain": "acme.com"}]),
    )
    .await;
    assert_eq!(again[0]["status"], "UPDATED");
    assert_eq!(again[0]["id"], results[0]["id"]);
    assert_eq!(again[1]["status"], "REJECTED");
    let unchanged = upsert_accounts(
        &app,
        &owner,
        json!([{"domain": "acme.com", "employees": 450}]),
    )
    .await;
    assert_eq!(unchanged[0]["status"], "UNCHANGED");
    // null clears a nullable field; omitted fields keep theirs.
    upsert_accounts(
        &app,
        &owner,
        json!([{"domain": "acme.com", "region": null}]),
    )
    .await;
    let one = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { account(id: $id) { region employees industry } }",
            json!({"id": results[0]["id"]}),
        )
        .await;
    assert_eq!(
        one.data("account"),
        &json!({"region": null, "employees": 450, "industry": "Software"})
    );
}

#[actix_web::test]
async fn contacts_resolve_by_external_id_then_email_and_find_their_account() {
    let app = TestApp::start().await;
    let owner = app.owner("Records").await;
    let created = upsert_contacts(
        &app,
        &owner,
        json!([
            {"email": "Ana@Acme.com", "name": "Ana", "title": "VP Sales", "externalId": "crm-1", "tags": ["webinar"]},
            {"email": "bo@gmail.com", "name": "Bo"},
            {"email": "cy@acme.com", "accountDomain": "acme-corp.com"},
            {"name": "Nobody"},
            {"email": "not-an-email"}
        ]),
    )
    .await;
    assert_eq!(created[0]["status"], "CREATED");
    assert_eq!(created[1]["status"], "CREATED");
    assert_eq!(created[2]["status"], "CREATED");
    assert_eq!(created[3]["error"]["field"], "contacts[3]");
    assert_eq!(created[4]["error"]["field"], "contacts[4].email");

    let leads = app
        .gql(Some(&owner.access), "{ leads(first: 10) { totalCount edges { node { email personalEmail stage tags account { domain } } } } }", json!({}))
        .await;
    let nodes: Vec<Value> = leads.data("leads")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(nodes.len(), 3);
    assert_eq!(
        nodes[0],
        json!({"email": "ana@acme.com", "personalEmail": false, "stage": "LEAD", "tags": ["webinar"], "account": {"domain": "acme.com"}})
    );
    assert_eq!(nodes[1]["personalEmail"], true);
    assert_eq!(
        nodes[1]["account"],
        Value::Null,
        "personal email domains create no account"
    );
    assert_eq!(
        nodes[2]["account"]["domain"], "acme-corp.com",
        "an explicit domain wins"
    );

    // The external id finds Ana even under a new email; the email alone finds Bo.
    let updated = upsert_contacts(
        &app,
        &owner,
        json!([
            {"externalId": "crm-1", "email": "ana.lopez@acme.com", "title": "CRO"},
            {"email": "BO@gmail.com", "title": "Founder"},
            {"externalId": "crm-1", "title": "twice"}
        ]),
    )
    .await;
    assert_eq!(updated[0]["status"], "UPDATED");
    assert_eq!(updated[0]["id"], created[0]["id"]);
    assert_eq!(updated[1]["id"], created[1]["id"]);
    assert_eq!(
        updated[2]["status"], "REJECTED",
        "the same person twice in one batch"
    );
    let ana = app
        .gql(
            Some(&owner.access),
            "query($id: ID!) { lead(id: $id) { email title externalId } }",
            json!({"id": created[0]["id"]}),
        )
        .await;
    assert_eq!(
        ana.data("lead"),
        &json!({"email": "ana.lopez@acme.com", "title": "CRO", "externalId": "crm-1"})
    );

    let account = app
        .gql(Some(&owner.access), "{ accounts(filter: {search: \"acme.com\"}) { edges { node { domain contacts { nodes { email } } } } } }", json!({}))
        .await;
    assert_eq!(
        account.data("accounts")["edges"][0]["node"]["contacts"]["nodes"][0]["email"],
        "ana.lopez@acme.com"
    );
}

#[actix_web::test]
async fn references_must_belong_to_the_workspace() {
    let app = TestApp::start().await;
    let owner = app.owner("Records").await;
    let other = app.owner("Elsewhere").await;
    let foreign_source = app
        .gql(
            Some(&other.access),
            "mutation { createSource(input: {name: \"Ads\", kind: PAID_SEARCH}) { id } }",
            json!({}),
        )
        .await;
    let foreign_source = foreign_source.data("createSource")["id"].clone();
    let results = upsert_contacts(
        &app,
        &owner,
        json!([
            {"email": "a@acme.com", "ownerId": other.user_id},
            {"email": "b@acme.com", "sourceId": foreign_source},
            {"email": "c@acme.com", "ownerId": owner.user_id}
        ]),
    )
    .await;
    assert_eq!(
        results[0]["error"],
        json!({"code": "NOT_FOUND", "field": "contacts[0].ownerId", "message": "member not found"})
    );
    assert_eq!(results[1]["error"]["code"], "NOT_FOUND");
    assert_eq!(results[1]["error"]["field"], "contacts[1].sourceId");
    assert_eq!(results[2]["status"], "CREATED");
}

#[actix_web::test]
async fn batches_are_bounded_and_need_the_right_role_or_scope() {
    let app = TestApp::start().await;
    let owner = app.owner("Records").await;
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"domain": format!("d{i}.com")}))
        .collect();
    let reply = app
        .gql(Some(&owner.access), UPSERT_ACCOUNTS, json!({"a": too_many}))
        .await;
    assert_eq!(reply.code(), "BAD_USER_INPUT");
    assert_eq!(reply.field(), Some("accounts"));

    let viewer = app.member(&owner, "VIEWER").await;
    let reply = app
        .gql(
            Some(&viewer.access),
            UPSERT_ACCOUNTS,
            json!({"a": [{"domain": "x.com"}]}),
        )
        .await;
    assert_eq!(reply.code(), "FORBIDDEN");

    let (token, _) = app.api_token(&owner, &["contacts:write"]).await;
    let by_token = app
        .gql(
            Some(&token),
            UPSERT_CONTACTS,
            json!({"c": [{"email": "t@acme.com"}]}),
        )
        .await;
    assert_eq!(by_token.data("upsertContacts")[0]["status"], "CREATED");
    let no_scope = app
        .gql(
            Some(&token),
            UPSERT_ACCOUNTS,
            json!({"a": [{"domain": "x.com"}]}),
        )
        .await;
    assert_eq!(no_scope.code(), "FORBIDDEN");
    let read = app
        .gql(Some(&token), "{ leads { totalCount } }", json!({}))
        .await;
    assert_eq!(
        read.code(),
        "FORBIDDEN",
        "contacts:write does not grant leads:read"
    );
}

#[actix_web::test]
async fn lists_filter_order_and_paginate() {
    let app = TestApp::start().await;
    let owner = app.owner("Lists").await;
    let rep = app.member(&owner, "REP").await;
    upsert_accounts(
        &app,
        &owner,
        json!([
            {"domain": "alpha.com", "name": "Alpha", "segment": "ENTERPRISE", "lifecycle": "PROSPECT", "ownerId": rep.user_id},
            {"domain": "beta.com", "name": "Beta", "segment": "MID_MARKET"},
            {"domain": "gamma.com", "name": "Gamma", "segment": "ENTERPRISE", "namedAccount": true}
        ]),
    )
    .await;
    let query = "query($f: AccountFilter, $o: AccountOrder, $first: Int, $after: String) { accounts(filter: $f, orderBy: $o, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name owner { id } } } } }";
    let names = |reply: &crate::support::Reply| -> Vec<String> {
        reply.data("accounts")["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let enterprise = app
        .gql(
            Some(&owner.access),
            query,
            json!({"f": {"segment": "ENTERPRISE"}, "o": {"field": "NAME", "direction": "DESC"}}),
        )
        .await;
    assert_eq!(names(&enterprise), vec!["Gamma", "Alpha"]);
    let named = app
        .gql(
            Some(&owner.access),
            query,
            json!({"f": {"namedAccount": true}}),
        )
        .await;
    assert_eq!(names(&named), vec!["Gamma"]);
    let owned = app
        .gql(
            Some(&owner.access),
            query,
            json!({"f": {"ownerId": rep.user_id}}),
        )
        .await;
    assert_eq!(names(&owned), vec!["Alpha"]);
    assert_eq!(
        owned.data("accounts")["edges"][0]["node"]["owner"]["id"],
        json!(rep.user_id)
    );
    let prospects = app
        .gql(
            Some(&owner.access),
            query,
            json!({"f": {"lifecycle": ["PROSPECT", "CUSTOMER"]}}),
        )
        .await;
    assert_eq!(names(&prospects), vec!["Alpha"]);
    let search = app
        .gql(Some(&owner.access), query, json!({"f": {"search": "ETA"}}))
        .await;
    assert_eq!(names(&search), vec!["Beta"]);

    let page1 = app
        .gql(
            Some(&owner.access),
            query,
            json!({"o": {"field": "NAME"}, "first": 2}),
        )
        .await;
    assert_eq!(names(&page1), vec!["Alpha", "Beta"]);
    let cursor = page1.data("accounts")["pageInfo"]["endCursor"].clone();
    let page2 = app
        .gql(
            Some(&owner.access),
            query,
            json!({"o": {"field": "NAME"}, "first": 2, "after": cursor}),
        )
        .await;
    assert_eq!(names(&page2), vec!["Gamma"]);
    assert_eq!(page2.data("accounts")["pageInfo"]["hasNextPage"], false);
    let bad_cursor = app
        .gql(
            Some(&owner.access),
            query,
            json!({"first": 2, "after": "zz"}),
        )
        .await;
    assert_eq!(bad_cursor.field(), Some("after"));

    upsert_contacts(
        &app,
        &owner,
        json!([{"email": "x@alpha.com", "ownerId": rep.user_id}, {"email": "y@beta.com"}]),
    )
    .await;
    let leads = app
        .gql(Some(&owner.access), "query($id: ID) { leads(filter: {ownerId: $id, stage: [LEAD]}, orderBy: {field: FIT_SCORE, direction: DESC}) { totalCount edges { node { email } } } }", json!({"id": rep.user_id}))
        .await;
    assert_eq!(leads.data("leads")["totalCount"], 1);
    assert_eq!(
        leads.data("leads")["edges"][0]["node"]["email"],
        "x@alpha.com"
    );
}
