//! Every lead field of the criteria catalogue evaluates in every context (issue 19, item 1): a
//! table of fields × {acceptance, routing, play trigger, ICP}. Each case runs in its own
//! workspace with two leads, one whose facts meet the criterion and one whose facts do not, and
//! reads from the API that the rule acted on the first only. `lead.source` and `lead.pqlScore`
//! were once always empty outside validation, so no rule naming them ever held.

use serde_json::{json, Value};

use crate::support::{
    documents::{INGEST, SIGN_CONTRACT},
    fixtures::{seed_team, team},
    icps::{activate_icp, compare, create_icp, rule},
    Session, TestApp,
};

/// A field, a criterion on it, and the events (one batch each, in order) of a lead that meets
/// it and of one that does not.
struct FieldCase {
    field: &'static str,
    criterion: Value,
    meets: Vec<Value>,
    misses: Vec<Value>,
}

fn event(key: &str, kind: &str, email: &str, source: &str) -> Value {
    json!({
        "idempotencyKey": key,
        "type": kind,
        "contact": {"email": email, "name": email, "title": "VP Sales"},
        "account": {"domain": email.split('@').nth(1).unwrap(), "name": "Acme", "industry": "Software", "employees": 400, "country": "US"},
        "source": source,
    })
}

fn cases(tag: &str) -> Vec<FieldCase> {
    let yes = format!("yes-{tag}@acme-{tag}.io");
    let no = format!("no-{tag}@beta-{tag}.io");
    vec![
        FieldCase {
            field: "lead.source",
            criterion: compare("lead.source", "EQ", json!("webinar")),
            meets: vec![event(&format!("{tag}-s1"), "demo_request", &yes, "Webinar")],
            misses: vec![event(&format!("{tag}-s2"), "demo_request", &no, "Website")],
        },
        FieldCase {
            field: "lead.pqlScore",
            // A pricing page visit is a PQL signal worth 10 in the seed model. Where the seed
            // ICP is active (the play context), both leads fit it and earn the "company matches
            // the ICP" signal too (+10), so the one that visited pricing has 20.
            criterion: compare(
                "lead.pqlScore",
                "GTE",
                json!(if tag == "play" { 20 } else { 10 }),
            ),
            meets: vec![
                event(
                    &format!("{tag}-p1"),
                    "pricing_page_visit",
                    &format!("p{yes}"),
                    "Website",
                ),
                event(
                    &format!("{tag}-p2"),
                    "demo_request",
                    &format!("p{yes}"),
                    "Website",
                ),
            ],
            misses: vec![
                event(
                    &format!("{tag}-p3"),
                    "case_study_download",
                    &format!("p{no}"),
                    "Website",
                ),
                event(
                    &format!("{tag}-p4"),
                    "demo_request",
                    &format!("p{no}"),
                    "Website",
                ),
            ],
        },
    ]
}

async fn ingest(app: &TestApp, token: &str, events: &[Value]) {
    for event in events {
        let reply = app.gql(Some(token), INGEST, json!({"e": [event]})).await;
        assert_eq!(
            reply.data("ingestEvents")["results"][0]["status"],
            "ACCEPTED",
            "{}",
            reply.raw
        );
    }
}

const LEAD: &str = "query($q: String) { leads(filter: {search: $q}) { edges { node { id stage fitScore owner { id } enrollments { nodes { play { id } } } } } } }";

/// The lead of the case's events.
async fn lead(app: &TestApp, owner: &Session, events: &[Value]) -> Value {
    let email = events[0]["contact"]["email"].as_str().unwrap();
    let reply = app
        .gql(Some(&owner.access), LEAD, json!({"q": email}))
        .await;
    reply.data("leads")["edges"][0]["node"].clone()
}

/// A workspace whose signed contract accepts leads meeting `criteria` (any fit), with every lead
/// routed to one rep. Returns the owner and an `events:write` token.
pub async fn accepting(app: &TestApp, name: &str, criteria: &Value) -> (Session, String) {
    let owner = app.owner(name).await;
    let rep = app.member(&owner, "REP").await;
    let cmo = app.member(&owner, "MARKETING_LEADER").await;
    let cro = app.member(&owner, "SALES_LEADER").await;
    let contracts = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { id terms } } } }",
            json!({}),
        )
        .await;
    let draft = contracts.data("leadContracts")["edges"][0]["node"].clone();
    let mut terms = draft["terms"].clone();
    terms["acceptance"]["minFit"] = json!(0);
    terms["acceptance"]["criteria"] = criteria.clone();
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": draft["id"], "t": terms}),
    )
    .await
    .data("updateLeadContract");
    for signer in [&cmo, &cro] {
        app.gql(
            Some(&signer.access),
            SIGN_CONTRACT,
            json!({"id": draft["id"]}),
        )
        .await
        .data("signLeadContract");
    }
    app.gql(
        Some(&owner.access),
        crate::support::documents::ROUTE_EVERYONE,
        json!({"field": "lead.stage", "rep": rep.user_id}),
    )
    .await
    .data("createRoutingRule");
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    (owner, token)
}

#[actix_web::test]
async fn every_lead_field_evaluates_in_acceptance() {
    let app = TestApp::start().await;
    for case in cases("acc") {
        let name = format!("Acceptance {}", case.field);
        let (owner, token) = accepting(&app, &name, &case.criterion).await;
        ingest(&app, &token, &case.meets).await;
        ingest(&app, &token, &case.misses).await;
        let met = lead(&app, &owner, &case.meets).await;
        let missed = lead(&app, &owner, &case.misses).await;
        assert_eq!(met["stage"], "MQL", "{}: {met}", case.field);
        assert_eq!(missed["stage"], "LEAD", "{}: {missed}", case.field);
    }
}

#[actix_web::test]
async fn every_lead_field_evaluates_in_routing() {
    let app = TestApp::start().await;
    for case in cases("rt") {
        let team = team(&app).await;
        let closer = app.member(&team.owner, "REP").await;
        let created = app
            .gql(
                Some(&team.owner.access),
                "mutation($input: RoutingRuleInput!) { createRoutingRule(input: $input) { id } }",
                json!({"input": {"name": case.field, "position": 0, "criteria": case.criterion, "targets": [{"userId": closer.user_id}]}}),
            )
            .await;
        created.data("createRoutingRule");
        ingest(&app, &team.token, &case.meets).await;
        ingest(&app, &team.token, &case.misses).await;
        let met = lead(&app, &team.owner, &case.meets).await;
        let missed = lead(&app, &team.owner, &case.misses).await;
        assert_eq!(met["stage"], "MQL", "{}: {met}", case.field);
        assert_eq!(missed["stage"], "MQL", "{}: {missed}", case.field);
        assert_eq!(
            met["owner"]["id"],
            json!(closer.user_id),
            "{}: {met}",
            case.field
        );
        assert_eq!(
            missed["owner"]["id"],
            json!(team.rep.user_id),
            "{}: {missed}",
            case.field
        );
    }
}

#[actix_web::test]
async fn every_lead_field_evaluates_in_play_triggers() {
    let app = TestApp::start().await;
    for case in cases("play") {
        let team = seed_team(&app, &format!("Plays {}", case.field)).await;
        let created = app
            .gql(
                Some(&team.owner.access),
                "mutation($input: PlayInput!) { createPlay(input: $input) { id } }",
                json!({"input": {
                    "name": case.field,
                    "cadenceId": team.cadence_id,
                    "trigger": {"kind": "EVENT", "eventTypes": ["demo_request"], "criteria": case.criterion},
                }}),
            )
            .await;
        let play = created.data("createPlay")["id"].clone();
        app.gql(
            Some(&team.owner.access),
            "mutation($id: ID!) { activatePlay(id: $id) { status } }",
            json!({"id": play}),
        )
        .await
        .data("activatePlay");
        ingest(&app, &team.token, &case.meets).await;
        ingest(&app, &team.token, &case.misses).await;
        let met = lead(&app, &team.owner, &case.meets).await;
        let missed = lead(&app, &team.owner, &case.misses).await;
        assert_eq!(
            met["enrollments"]["nodes"],
            json!([{"play": {"id": play}}]),
            "{}: {met}",
            case.field
        );
        assert_eq!(
            missed["enrollments"]["nodes"],
            json!([]),
            "{}: {missed}",
            case.field
        );
    }
}

#[actix_web::test]
async fn every_lead_field_evaluates_in_icp_fit() {
    let app = TestApp::start().await;
    for case in cases("icp") {
        let owner = app.owner(&format!("Fit {}", case.field)).await;
        let icp = create_icp(
            &app,
            &owner,
            json!({
                "name": case.field,
                "motion": "LAND",
                "accountCriteria": [],
                "contactCriteria": [rule(case.field, 40, case.criterion.clone())],
            }),
        )
        .await;
        activate_icp(&app, &owner, &icp["id"]).await;
        let (token, _) = app.api_token(&owner, &["events:write"]).await;
        ingest(&app, &token, &case.meets).await;
        ingest(&app, &token, &case.misses).await;
        let met = lead(&app, &owner, &case.meets).await;
        let missed = lead(&app, &owner, &case.misses).await;
        assert_eq!(met["fitScore"], 40, "{}: {met}", case.field);
        assert_eq!(missed["fitScore"], 0, "{}: {missed}", case.field);
    }
}
