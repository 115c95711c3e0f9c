//! ICPs and the records they score (accounts, contacts), and reading a record's fit: the
//! GraphQL calls the fit-scoring and insight tests share.

use serde_json::{json, Value};

use super::{Session, TestApp};

/// The ICP fields the helpers read back.
pub const ICP_FIELDS: &str = "id familyId version name motion status activatedAt";

/// A comparison node of the criteria language.
pub fn compare(field: &str, op: &str, value: Value) -> Value {
    json!({"field": field, "op": op, "value": value})
}

/// A weighted criterion as `IcpInput` takes it.
pub fn rule(name: &str, weight: i64, criteria: Value) -> Value {
    json!({"name": name, "weight": weight, "criteria": criteria})
}

/// Creates an ICP draft; returns it.
pub async fn create_icp(app: &TestApp, session: &Session, input: Value) -> Value {
    let query =
        format!("mutation($input: IcpInput!) {{ createIcp(input: $input) {{ {ICP_FIELDS} }} }}");
    app.gql(Some(&session.access), &query, json!({ "input": input }))
        .await
        .data("createIcp")
        .clone()
}

pub async fn update_icp(app: &TestApp, session: &Session, id: &Value, input: Value) -> Value {
    let query = format!(
        "mutation($id: ID!, $input: IcpInput!) {{ updateIcp(id: $id, input: $input) {{ {ICP_FIELDS} }} }}"
    );
    app.gql(
        Some(&session.access),
        &query,
        json!({ "id": id, "input": input }),
    )
    .await
    .data("updateIcp")
    .clone()
}

/// Activates an ICP version; returns it.
pub async fn activate_icp(app: &TestApp, session: &Session, id: &Value) -> Value {
    let query = format!("mutation($id: ID!) {{ activateIcp(id: $id) {{ {ICP_FIELDS} }} }}");
    app.gql(Some(&session.access), &query, json!({ "id": id }))
        .await
        .data("activateIcp")
        .clone()
}

pub async fn icp(app: &TestApp, session: &Session, id: &Value) -> Value {
    let query = format!(
        "query($id: ID!) {{ icp(id: $id) {{ {ICP_FIELDS} versions {{ id version status }} }} }}"
    );
    app.gql(Some(&session.access), &query, json!({ "id": id }))
        .await
        .data("icp")
        .clone()
}

pub async fn icp_count(app: &TestApp, session: &Session) -> i64 {
    app.gql(Some(&session.access), "{ icps { totalCount } }", json!({}))
        .await
        .data("icps")["totalCount"]
        .as_i64()
        .unwrap()
}

/// Runs `upsertAccounts` or `upsertContacts`; fails on a rejected item; returns the ids in order.
async fn upsert(app: &TestApp, session: &Session, mutation: &str, items: Value) -> Vec<Value> {
    let (argument, input_type) = match mutation {
        "upsertAccounts" => ("accounts", "AccountInput"),
        "upsertContacts" => ("contacts", "ContactInput"),
        other => panic!("not an upsert: {other}"),
    };
    let query = format!(
        "mutation($items: [{input_type}!]!) {{ {mutation}({argument}: $items) {{ index status id error {{ field message }} }} }}"
    );
    let reply = app
        .gql(Some(&session.access), &query, json!({ "items": items }))
        .await;
    reply
        .data(mutation)
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            assert_ne!(result["status"], "REJECTED", "{result}");
            result["id"].clone()
        })
        .collect()
}

/// Upserts accounts; returns their ids in order.
pub async fn upsert_accounts(app: &TestApp, session: &Session, accounts: Value) -> Vec<Value> {
    upsert(app, session, "upsertAccounts", accounts).await
}

/// Upserts contacts; returns their ids in order.
pub async fn upsert_contacts(app: &TestApp, session: &Session, contacts: Value) -> Vec<Value> {
    upsert(app, session, "upsertContacts", contacts).await
}

/// `fitScore` and `fitBreakdown` of a `lead` or an `account`.
pub async fn fit(app: &TestApp, session: &Session, record: &str, id: &Value) -> (i64, Value) {
    let query = format!(
        "query($id: ID!) {{ {record}(id: $id) {{ fitScore fitBreakdown {{ criterion weight met }} }} }}"
    );
    let reply = app
        .gql(Some(&session.access), &query, json!({ "id": id }))
        .await;
    let found = reply.data(record);
    (
        found["fitScore"].as_i64().expect("fitScore"),
        found["fitBreakdown"].clone(),
    )
}
