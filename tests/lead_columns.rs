//! Issue 16: a lead list reads only the columns of the fields the query selects, and answers
//! exactly what the whole row would.

use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team},
    TestApp,
};

/// Every `Lead` field a list serves from its own columns (`graphql::lead_columns`).
const LISTED: &str = "id email externalId name title persona seniority personalEmail
  account { id name } source { name } sourceDetail owner { email } stage fitScore
  fitBreakdown { met } engagementScore pqlScore mqlKind assignedAt waitingSince routing tags
  recycleTag checkBackOn optedOutAt customAttributes createdAt updatedAt __typename";

async fn seed(app: &TestApp) -> crate::support::fixtures::Team {
    let team = team(app).await;
    let accounts = json!([{"domain": "acme.com", "name": "Acme"}]);
    app.gql(
        Some(&team.owner.access),
        "mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { status } }",
        json!({"a": accounts}),
    )
    .await
    .data("upsertAccounts");
    let contacts = json!([
        {"email": "cfo@acme.com", "externalId": "crm-1", "name": "Ada", "title": "CFO",
         "persona": "Finance", "seniority": "C-level", "accountDomain": "acme.com",
         "sourceDetail": "webinar", "tags": ["vip", "q4"], "customAttributes": {"plan": "pro"}},
        {"email": "someone@gmail.com"},
    ]);
    app.gql(
        Some(&team.owner.access),
        "mutation($c: [ContactInput!]!) { upsertContacts(contacts: $c) { status } }",
        json!({"c": contacts}),
    )
    .await
    .data("upsertContacts");
    // An MQL, routed and owned, with a source and a score.
    hot_lead(app, &team, "buyer@acme.com", "Website").await;
    team
}

#[actix_web::test]
async fn a_lead_list_reads_only_the_selected_columns() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed(&app).await;

    app.state.prometheus.tap_statements();
    let reply = app
        .gql(
            Some(&team.owner.access),
            "{ leads(first: 10) { edges { node { id email account { name } } } } }",
            json!({}),
        )
        .await;
    let statements = app.state.prometheus.untap();
    assert_eq!(reply.data("leads")["edges"].as_array().unwrap().len(), 3);
    let page = statements
        .iter()
        .find(|sql| sql.contains("FROM \"contacts\""))
        .unwrap_or_else(|| panic!("no contacts statement in {statements:#?}"));
    let select = &page[..page.find("FROM").unwrap()];
    for wanted in ["\"id\"", "\"email\"", "\"account_id\"", "\"created_at\""] {
        assert!(select.contains(wanted), "{wanted} missing: {page}");
    }
    for unwanted in [
        "\"custom\"",
        "\"fit_breakdown\"",
        "\"routing\"",
        "\"title\"",
    ] {
        assert!(!select.contains(unwanted), "{unwanted} read: {page}");
    }
}

#[actix_web::test]
async fn a_narrow_list_answers_what_the_whole_row_answers() {
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let team = seed(&app).await;
    let page = |selection: &str| {
        format!(
            "fragment Listed on Lead {{ {LISTED} }}
             {{ leads(first: 10, orderBy: {{field: CREATED_AT, direction: DESC}}) {{ edges {{ cursor node {{ ...Listed {selection} }} }} pageInfo {{ endCursor }} }} }}"
        )
    };
    // Only listed fields: the narrow read. With `scoreBreakdown` (not listed): the whole row.
    let narrow = app
        .gql(Some(&team.owner.access), &page(""), json!({}))
        .await;
    let whole = app
        .gql(
            Some(&team.owner.access),
            &page("scoreBreakdown { total }"),
            json!({}),
        )
        .await;
    let strip = |reply: &Value| -> Value {
        let mut leads = reply["data"]["leads"].clone();
        for edge in leads["edges"].as_array_mut().unwrap() {
            edge["node"]
                .as_object_mut()
                .unwrap()
                .remove("scoreBreakdown");
        }
        leads
    };
    assert!(narrow.body.get("errors").is_none(), "{}", narrow.raw);
    assert!(whole.body.get("errors").is_none(), "{}", whole.raw);
    let (narrow, whole) = (strip(&narrow.body), strip(&whole.body));
    assert_eq!(narrow, whole);
    let lead = |email: &str| -> Value {
        narrow["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|edge| edge["node"].clone())
            .find(|node| node["email"] == email)
            .unwrap_or_else(|| panic!("{email} is listed"))
    };
    let ada = lead("cfo@acme.com");
    assert_eq!(ada["title"], "CFO");
    assert_eq!(ada["account"]["name"], "Acme");
    assert_eq!(ada["tags"], json!(["vip", "q4"]));
    assert_eq!(ada["customAttributes"], json!({"plan": "pro"}));
    let buyer = lead("buyer@acme.com");
    assert_eq!(buyer["stage"], "MQL");
    assert!(buyer["owner"]["email"].is_string(), "{buyer}");
    assert!(buyer["engagementScore"].as_i64().unwrap() > 0, "{buyer}");
}
