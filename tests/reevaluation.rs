//! A lead that meets the contract becomes an MQL whenever its facts change, not only on its next
//! event: after `upsertContacts`/`upsertAccounts` lift its fit, after an ICP activation rescores
//! it, after a contract with a lower threshold is signed; routed, clocked and announced as
//! ingestion does. And the source rule's month in progress only warns.

use serde_json::{json, Value};

use crate::support::{
    documents::{INGEST, ROUTE_EVERYONE, SIGN_CONTRACT},
    fixtures::{hot_lead, revenue_team, team, Team},
    Session, TestApp,
};

/// A workspace on the seed contract (a fit of 25 accepted) and the seed ICP, every lead routed
/// to one rep; returns the owner, the rep and an `events:write` token.
struct Workspace {
    owner: Session,
    rep: Session,
    token: String,
}

async fn seed_workspace(app: &TestApp) -> Workspace {
    let owner = app.owner("Re-evaluation").await;
    let rep = app.member(&owner, "REP").await;
    let (_cro, _cmo, token) = revenue_team(app, &owner).await;
    app.gql(
        Some(&owner.access),
        ROUTE_EVERYONE,
        json!({"field": "lead.stage", "rep": rep.user_id}),
    )
    .await
    .data("createRoutingRule");
    // The activation's rescoring has nothing to change yet; let it finish.
    run_background(app).await;
    Workspace { owner, rep, token }
}

/// Runs the background work a test server's (switched off) job loop would: fit rescoring, then
/// the re-evaluations it and other changes queued.
async fn run_background(app: &TestApp) {
    while accord_api::jobs::fit::run_once(&app.state).await.unwrap() {}
    accord_api::jobs::requalify::run_all(&app.state)
        .await
        .unwrap();
}

/// Ingests events of `kind` for `email` (one each); returns the lead's id.
async fn engaged(
    app: &TestApp,
    token: &str,
    owner: &Session,
    email: &str,
    kinds: &[&str],
) -> String {
    let events: Vec<Value> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| json!({"idempotencyKey": format!("{email}-{i}"), "type": kind, "contact": {"email": email, "name": email}, "source": "Website"}))
        .collect();
    let reply = app.gql(Some(token), INGEST, json!({"e": events})).await;
    let results = reply.data("ingestEvents")["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["status"] == "ACCEPTED"),
        "{}",
        reply.raw
    );
    let lead = app
        .gql(
            Some(&owner.access),
            "query($q: String) { leads(filter: {search: $q}) { edges { node { id } } } }",
            json!({"q": email}),
        )
        .await;
    lead.data("leads")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn lead(app: &TestApp, owner: &Session, id: &str) -> Value {
    app.gql(
        Some(&owner.access),
        "query($id: ID!) { lead(id: $id) { stage mqlKind fitScore owner { id } stageHistory(first: 10) { nodes { from to reason } } } }",
        json!({"id": id}),
    )
    .await
    .data("lead")
    .clone()
}

/// Asserts the lead became an MQL routed to `rep` the way ingestion routes one: its owner, the
/// stage history's move, and the rep's trigger of `kind` (HOT_LEAD_ENGAGED for a hand-raiser,
/// else LEAD_ASSIGNED) carrying the first-touch clock's due time.
async fn assert_routed(app: &TestApp, owner: &Session, rep: &Session, id: &str, kind: &str) {
    let found = lead(app, owner, id).await;
    assert_eq!(found["stage"], "MQL", "{found}");
    assert_eq!(found["owner"]["id"], json!(rep.user_id), "{found}");
    let moves = found["stageHistory"]["nodes"].as_array().unwrap();
    assert!(
        moves
            .iter()
            .any(|m| m["from"] == "LEAD" && m["to"] == "MQL"),
        "{found}"
    );
    let inbox = app
        .gql(
            Some(&rep.access),
            "{ triggers(first: 100) { kind dueAt lead { id } } }",
            json!({}),
        )
        .await;
    let assigned: Vec<&Value> = inbox
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == kind && t["lead"]["id"] == id)
        .collect();
    assert_eq!(assigned.len(), 1, "{}", inbox.raw);
    assert!(
        !assigned[0]["dueAt"].is_null(),
        "the first-touch clock runs"
    );
}

async fn stage(app: &TestApp, owner: &Session, id: &str) -> Value {
    lead(app, owner, id).await["stage"].clone()
}

#[actix_web::test]
async fn upserted_facts_that_lift_the_fit_make_the_lead_an_mql() {
    let app = TestApp::start().await;
    let ws = seed_workspace(&app).await;
    // Demo requests (HOT), but the fit is a business email's 5, short of the contract's 25.
    let by_title = engaged(
        &app,
        &ws.token,
        &ws.owner,
        "sam@smallco.io",
        &["demo_request"],
    )
    .await;
    let by_size = engaged(
        &app,
        &ws.token,
        &ws.owner,
        "kim@tinyco.io",
        &["demo_request"],
    )
    .await;
    let stays = engaged(
        &app,
        &ws.token,
        &ws.owner,
        "lou@otherco.io",
        &["demo_request"],
    )
    .await;
    for id in [&by_title, &by_size, &stays] {
        let found = lead(&app, &ws.owner, id).await;
        assert_eq!(found["stage"], "LEAD", "{found}");
        assert_eq!(found["fitScore"], 5, "{found}");
    }

    // Sam's title is an ICP title (+25): 30 meets the contract. Lou's is not.
    let upserted = app
        .gql(
            Some(&ws.owner.access),
            "mutation { upsertContacts(contacts: [{email: \"sam@smallco.io\", title: \"VP Sales\"}, {email: \"lou@otherco.io\", title: \"Intern\"}]) { status error { message } } }",
            json!({}),
        )
        .await;
    assert!(
        upserted
            .data("upsertContacts")
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "UPDATED"),
        "{}",
        upserted.raw
    );
    assert_routed(&app, &ws.owner, &ws.rep, &by_title, "HOT_LEAD_ENGAGED").await;
    assert_eq!(lead(&app, &ws.owner, &by_title).await["mqlKind"], "HOT");
    assert_eq!(stage(&app, &ws.owner, &stays).await, "LEAD");

    // Kim's company turns out to have 400 people (+20 on the account): 25 meets it.
    let accounts = app
        .gql(
            Some(&ws.owner.access),
            "mutation { upsertAccounts(accounts: [{domain: \"tinyco.io\", employees: 400}]) { status error { message } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        accounts.data("upsertAccounts")[0]["status"],
        "UPDATED",
        "{}",
        accounts.raw
    );
    assert_routed(&app, &ws.owner, &ws.rep, &by_size, "HOT_LEAD_ENGAGED").await;
    assert_eq!(stage(&app, &ws.owner, &stays).await, "LEAD");
}

#[actix_web::test]
async fn an_icp_activation_whose_rescoring_lifts_the_fit_makes_the_lead_an_mql() {
    let app = TestApp::start().await;
    let ws = seed_workspace(&app).await;
    let intern = engaged(
        &app,
        &ws.token,
        &ws.owner,
        "ivy@intern.io",
        &["demo_request"],
    )
    .await;
    let analyst = engaged(
        &app,
        &ws.token,
        &ws.owner,
        "abe@analyst.io",
        &["demo_request"],
    )
    .await;
    app.gql(
        Some(&ws.owner.access),
        "mutation { upsertContacts(contacts: [{email: \"ivy@intern.io\", title: \"Intern\"}, {email: \"abe@analyst.io\", title: \"Analyst\"}]) { status } }",
        json!({}),
    )
    .await
    .data("upsertContacts");
    assert_eq!(stage(&app, &ws.owner, &intern).await, "LEAD");

    // A new LAND ICP that values interns (30): activating it rescores in the background, then
    // re-evaluates the leads.
    let icp = app
        .gql(
            Some(&ws.owner.access),
            r#"mutation { createIcp(input: {name: "Interns", motion: LAND, accountCriteria: [],
                contactCriteria: [{name: "Intern", weight: 30, criteria: {field: "contact.title", op: MATCHES, value: ["intern"]}}]}) { id } }"#,
            json!({}),
        )
        .await;
    let icp_id = icp.data("createIcp")["id"].clone();
    app.gql(
        Some(&ws.owner.access),
        "mutation($id: ID!) { activateIcp(id: $id) { status } }",
        json!({"id": icp_id}),
    )
    .await
    .data("activateIcp");
    assert_eq!(
        stage(&app, &ws.owner, &intern).await,
        "LEAD",
        "not before the rescoring"
    );
    run_background(&app).await;

    assert_routed(&app, &ws.owner, &ws.rep, &intern, "HOT_LEAD_ENGAGED").await;
    assert_eq!(lead(&app, &ws.owner, &intern).await["fitScore"], 30);
    assert_eq!(stage(&app, &ws.owner, &analyst).await, "LEAD");
    let progress = app
        .gql(
            Some(&ws.owner.access),
            "{ leadReevaluation { reason status total processed qualified finishedAt } }",
            json!({}),
        )
        .await;
    let progress = progress.data("leadReevaluation");
    assert_eq!(progress["reason"], "ICP_ACTIVATED", "{progress}");
    assert_eq!(progress["status"], "DONE", "{progress}");
    assert_eq!(progress["qualified"], 1, "{progress}");
    assert_eq!(progress["processed"], progress["total"], "{progress}");
    assert!(!progress["finishedAt"].is_null());
}

#[actix_web::test]
async fn signing_a_contract_with_a_lower_threshold_makes_the_lead_an_mql() {
    let app = TestApp::start().await;
    let team: Team = team(&app).await;
    // The seed threshold is 50: a case study (+15) and an email open (+2) are short of it.
    let reader = engaged(
        &app,
        &team.token,
        &team.owner,
        "rae@reader.io",
        &["case_study_download"],
    )
    .await;
    let opener = engaged(
        &app,
        &team.token,
        &team.owner,
        "oli@opener.io",
        &["email_open"],
    )
    .await;
    assert_eq!(stage(&app, &team.owner, &reader).await, "LEAD");

    let active = app
        .gql(
            Some(&team.owner.access),
            "{ leadContract { id terms } }",
            json!({}),
        )
        .await;
    let active = active.data("leadContract").clone();
    let draft = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID) { draftLeadContract(fromId: $id) { id } }",
            json!({"id": active["id"]}),
        )
        .await;
    let draft_id = draft.data("draftLeadContract")["id"].clone();
    let mut terms = active["terms"].clone();
    terms["scoring"]["mqlThreshold"] = json!(10);
    app.gql(
        Some(&team.owner.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": draft_id, "t": terms}),
    )
    .await
    .data("updateLeadContract");
    app.gql(
        Some(&team.cmo.access),
        SIGN_CONTRACT,
        json!({"id": draft_id}),
    )
    .await
    .data("signLeadContract");
    assert_eq!(
        stage(&app, &team.owner, &reader).await,
        "LEAD",
        "one signature is not a contract"
    );
    let signed = app
        .gql(
            Some(&team.cro.access),
            SIGN_CONTRACT,
            json!({"id": draft_id}),
        )
        .await;
    assert_eq!(signed.data("signLeadContract")["status"], "ACTIVE");
    run_background(&app).await;

    assert_routed(&app, &team.owner, &team.rep, &reader, "LEAD_ASSIGNED").await;
    assert_eq!(lead(&app, &team.owner, &reader).await["mqlKind"], "WARM");
    assert_eq!(
        stage(&app, &team.owner, &opener).await,
        "LEAD",
        "2 is below 10 too"
    );
    let progress = app
        .gql(
            Some(&team.owner.access),
            "{ leadReevaluation { reason status qualified } }",
            json!({}),
        )
        .await;
    assert_eq!(
        progress.data("leadReevaluation"),
        &json!({"reason": "CONTRACT_SIGNED", "status": "DONE", "qualified": 1})
    );
}

#[actix_web::test]
async fn rejections_in_the_month_in_progress_only_warn() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(hot_lead(&app, &team, &format!("w{i}@warned{i}.io"), "Warned list").await);
    }
    let reject = "mutation($id: ID!) { rejectLead(id: $id, reason: WRONG_SEGMENT) { stage } }";
    // 4 of 10 rejected this month: 40%, twice the contract's limit.
    for id in &ids[..4] {
        app.gql(Some(&team.rep.access), reject, json!({"id": id}))
            .await
            .data("rejectLead");
    }
    let sources = app
        .gql(
            Some(&team.owner.access),
            "{ sources { edges { node { name paused } } } }",
            json!({}),
        )
        .await;
    assert!(sources.data("sources")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"] == json!({"name": "Warned list", "paused": false})));
    let told = app
        .gql(
            Some(&team.cmo.access),
            "{ triggers(first: 100) { kind message } }",
            json!({}),
        )
        .await;
    let kinds: Vec<&Value> = told
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["kind"])
        .collect();
    assert!(!kinds.contains(&&json!("SOURCE_PAUSED")), "{}", told.raw);
    let warnings: Vec<&Value> = told
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "SOURCE_AT_RISK")
        .collect();
    assert_eq!(warnings.len(), 1, "warned once this month: {}", told.raw);
    assert!(warnings[0]["message"]
        .as_str()
        .unwrap()
        .contains("Warned list"));
    // Its next lead still becomes an MQL.
    let next = hot_lead(&app, &team, "after@warned.io", "Warned list").await;
    assert_eq!(stage(&app, &team.owner, &next).await, "MQL");
}
