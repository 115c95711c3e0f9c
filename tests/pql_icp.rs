//! Issue 19, items 10 and 14, from the API. PQLs are a qualification path of their own: product
//! events reaching the contract's PQL threshold make an MQL of kind PQL (the stage history says
//! so), routed with a HOT MQL's five-minute first touch, and start the PQL play once the lead has
//! its owner; the "company matches the ICP" signal (+10) is scored for a lead whose fit matches.
//! ICPs act by motion and buying committee: a LAND ICP scores leads at non-customers and an
//! EXPAND ICP the contacts of customers; a TRIGGERS persona raises the fit and can start a play,
//! a BLOCKS persona lowers it; `Lead.fitBreakdown` names the ICP and the persona lines.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::support::{
    documents::INGEST,
    fixtures::{seed_team, SeedTeam},
    icps::{activate_icp, compare, create_icp, rule, upsert_accounts, upsert_contacts},
    TestApp,
};

const LEAD: &str = "query($id: ID!) { lead(id: $id) { id stage mqlKind pqlScore fitScore assignedAt
    owner { id }
    fitBreakdown { criterion weight met icp personaRole }
    scoreBreakdown { pql lines { rule kind points } }
    qualification { qualifies kind }
    stageHistory { nodes { from to reason } }
    enrollments { nodes { status play { id } } } } }";

async fn create_play(app: &TestApp, team: &SeedTeam, name: &str, trigger: Value) -> Value {
    let created = app
        .gql(
            Some(&team.owner.access),
            "mutation($input: PlayInput!) { createPlay(input: $input) { id trigger { kind } } }",
            json!({"input": {"name": name, "cadenceId": team.cadence_id, "trigger": trigger}}),
        )
        .await;
    let play = created.data("createPlay").clone();
    assert_eq!(play["trigger"]["kind"], trigger["kind"], "{}", created.raw);
    let active = app
        .gql(
            Some(&team.owner.access),
            "mutation($id: ID!) { activatePlay(id: $id) { status } }",
            json!({"id": play["id"]}),
        )
        .await;
    assert_eq!(active.data("activatePlay")["status"], "ACTIVE");
    play["id"].clone()
}

async fn ingest(app: &TestApp, token: &str, events: Value) {
    let reply = app.gql(Some(token), INGEST, json!({"e": events})).await;
    for result in reply.data("ingestEvents")["results"].as_array().unwrap() {
        assert_eq!(result["status"], "ACCEPTED", "{}", reply.raw);
    }
}

/// A product event of `kind` for the person at `email`, with a company of its own.
fn product(key: &str, kind: &str, email: &str, title: &str, company: Value) -> Value {
    json!({
        "idempotencyKey": key,
        "type": kind,
        "contact": {"email": email, "name": email, "title": title},
        "account": company,
        "source": "Product",
    })
}

/// The lead at `email`, its child lists flattened to their first page's nodes.
async fn lead_at(app: &TestApp, team: &SeedTeam, email: &str) -> Value {
    let found = app
        .gql(
            Some(&team.owner.access),
            "query($q: String) { leads(filter: {search: $q}) { edges { node { id } } } }",
            json!({"q": email}),
        )
        .await;
    let id = found.data("leads")["edges"][0]["node"]["id"].clone();
    assert!(id.is_string(), "no lead at {email}: {}", found.raw);
    let mut lead = app
        .gql(Some(&team.owner.access), LEAD, json!({"id": id}))
        .await
        .data("lead")
        .clone();
    for list in ["stageHistory", "enrollments"] {
        lead[list] = lead[list]["nodes"].clone();
    }
    lead
}

fn pql_lines(lead: &Value) -> Vec<(String, i64)> {
    lead["scoreBreakdown"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "PQL")
        .map(|l| {
            (
                l["rule"].as_str().unwrap().to_owned(),
                l["points"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap().parse().unwrap()
}

#[actix_web::test]
async fn product_signals_make_a_pql_routed_on_a_hot_clock_with_its_play() {
    let app = TestApp::start().await;
    let team = seed_team(&app, "Product-led").await;
    let pql_play = create_play(&app, &team, "PQL outreach", json!({"kind": "PQL_REACHED"})).await;
    let acme = json!({"domain": "acmesoft.com", "name": "AcmeSoft", "industry": "Software", "employees": 400, "country": "US"});
    let email = "dana@acmesoft.com";

    // The seed ICP gives a VP of Sales at AcmeSoft a fit of 75 (over the contract's 25): the
    // company matches the ICP, +10 with the first scored product event. 30 + 25 + 20 + 10 = 85.
    let first = [
        "invited_3_teammates",
        "used_core_feature_10_times",
        "enabled_first_integration",
    ];
    let events: Vec<Value> = first
        .iter()
        .map(|kind| product(&format!("p-{kind}"), kind, email, "VP Sales", acme.clone()))
        .collect();
    ingest(&app, &team.token, json!(events)).await;
    let lead = lead_at(&app, &team, email).await;
    assert_eq!(lead["fitScore"], 75, "{lead}");
    assert_eq!(lead["pqlScore"], 85, "{lead}");
    assert_eq!(
        pql_lines(&lead),
        [
            ("invited_3_teammates".to_owned(), 30),
            ("used_core_feature_10_times".to_owned(), 25),
            ("enabled_first_integration".to_owned(), 20),
            ("icp_match".to_owned(), 10),
        ]
    );
    // No engagement score and under the PQL threshold: not yet qualified, nobody owns it.
    assert_eq!(lead["stage"], "LEAD", "{lead}");
    assert!(lead["owner"].is_null());
    assert_eq!(lead["enrollments"], json!([]));

    // A first project: 85 + 15 = 100, the PQL threshold.
    let event = product(
        "p-project",
        "created_first_project",
        email,
        "VP Sales",
        acme.clone(),
    );
    ingest(&app, &team.token, json!([event])).await;
    let lead = lead_at(&app, &team, email).await;
    assert_eq!(lead["pqlScore"], 100, "{lead}");
    assert_eq!(lead["stage"], "MQL", "{lead}");
    assert_eq!(lead["mqlKind"], "PQL", "{lead}");
    assert_eq!(lead["qualification"]["kind"], "PQL", "{lead}");
    assert_eq!(
        lead["stageHistory"],
        json!([{"from": "LEAD", "to": "MQL",
                "reason": "PQL: product score 100 reached the PQL threshold of 100"}])
    );
    // Routed to the rep, the ICP signal counted once.
    assert_eq!(lead["owner"]["id"], json!(team.rep.user_id), "{lead}");
    assert_eq!(
        pql_lines(&lead)
            .iter()
            .filter(|(r, _)| r == "icp_match")
            .count(),
        1
    );
    // The PQL play started for the lead that had no owner before this batch.
    assert_eq!(
        lead["enrollments"],
        json!([{"status": "ACTIVE", "play": {"id": pql_play}}])
    );
    // Clocked like a HOT MQL: five business minutes to first touch.
    let inbox = app
        .gql(
            Some(&team.rep.access),
            "{ triggers { kind message dueAt createdAt lead { id } } }",
            json!({}),
        )
        .await;
    let triggers = inbox.data("triggers").as_array().unwrap().clone();
    let assigned = triggers
        .iter()
        .find(|t| t["kind"] == "HOT_LEAD_ENGAGED")
        .unwrap_or_else(|| panic!("no assignment trigger: {}", inbox.raw));
    assert_eq!(assigned["lead"]["id"], lead["id"]);
    assert!(
        assigned["message"]
            .as_str()
            .unwrap()
            .starts_with("PQL (product-qualified lead) assigned to you"),
        "{assigned}"
    );
    let calendar = accord_api::domain::calendar::BusinessCalendar::default();
    let expected = calendar.add_business_duration(at(&lead["assignedAt"]), Duration::minutes(5));
    let due = at(&assigned["dueAt"]);
    assert!(
        (due - expected).num_seconds().abs() <= 2,
        "due {due}, expected {expected}"
    );

    // A person whose company does not match (the owner of a small Brazilian retailer: only the
    // business email's 5, under the contract's 25) earns no ICP signal for the same product
    // events: 75, no PQL.
    let shop = json!({"domain": "corner.shop", "name": "Corner", "industry": "Retail", "employees": 5, "country": "BR"});
    let other = "kim@corner.shop";
    let events: Vec<Value> = first
        .iter()
        .map(|kind| product(&format!("q-{kind}"), kind, other, "Owner", shop.clone()))
        .collect();
    ingest(&app, &team.token, json!(events)).await;
    let lead = lead_at(&app, &team, other).await;
    assert_eq!(lead["fitScore"], 5, "{lead}");
    assert_eq!(lead["pqlScore"], 75, "{lead}");
    assert!(pql_lines(&lead).iter().all(|(r, _)| r != "icp_match"));
    // A partner app cannot claim the ICP signal for it.
    let forged = product("q-forged", "icp_match", other, "Owner", shop);
    ingest(&app, &team.token, json!([forged])).await;
    assert_eq!(lead_at(&app, &team, other).await["pqlScore"], 75);
}

/// The ICP lines of a breakdown as `(criterion, weight, met, icp, personaRole)`.
fn lines(lead: &Value) -> Vec<(String, i64, bool, String, Value)> {
    lead["fitBreakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["criterion"].as_str().unwrap().to_owned(),
                l["weight"].as_i64().unwrap(),
                l["met"].as_bool().unwrap(),
                l["icp"].as_str().unwrap_or_default().to_owned(),
                l["personaRole"].clone(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn icp_motion_and_buying_committee_shape_the_fit_and_start_plays() {
    let app = TestApp::start().await;
    let team = seed_team(&app, "Committee").await;
    let owner = &team.owner;
    let software = || {
        rule(
            "Software",
            40,
            compare("account.industry", "EQ", json!("Software")),
        )
    };
    let business = || {
        rule(
            "Business email",
            10,
            compare("contact.personalEmail", "EQ", json!(false)),
        )
    };
    let land = create_icp(
        &app,
        owner,
        json!({"name": "New logos", "motion": "LAND",
               "accountCriteria": [software()], "contactCriteria": [business()],
               "personas": [{"persona": "VP Sales", "role": "TRIGGERS"},
                            {"persona": "Procurement", "role": "BLOCKS"},
                            {"persona": "CFO", "role": "INFLUENCES"}]}),
    )
    .await;
    let expand = create_icp(
        &app,
        owner,
        json!({"name": "Customers", "motion": "EXPAND",
               "contactCriteria": [business(), rule("Admin", 30, compare("contact.title", "MATCHES", json!(["admin"])))]}),
    )
    .await;
    activate_icp(&app, owner, &land["id"]).await;
    activate_icp(&app, owner, &expand["id"]).await;
    let triggering = create_play(
        &app,
        &team,
        "Buying committee",
        json!({"kind": "TRIGGERING_PERSONA"}),
    )
    .await;

    let firmographics = json!({"industry": "Software", "employees": 400, "country": "US"});
    let mut prospect =
        json!({"domain": "prospect.io", "name": "Prospect", "lifecycle": "PROSPECT"});
    let mut customer =
        json!({"domain": "customer.io", "name": "Customer", "lifecycle": "CUSTOMER"});
    for account in [&mut prospect, &mut customer] {
        for (key, value) in firmographics.as_object().unwrap() {
            account[key] = value.clone();
        }
    }
    let accounts = upsert_accounts(&app, owner, json!([prospect, customer])).await;
    let people = [
        ("ann@prospect.io", "VP Sales"),
        ("bob@prospect.io", "Procurement Manager"),
        ("cy@customer.io", "VP Sales"),
        ("dee@customer.io", "IT Admin"),
    ];
    let contacts: Vec<Value> = people
        .iter()
        .map(|(email, title)| json!({"email": email, "name": email, "title": title, "accountDomain": email.split('@').nth(1).unwrap()}))
        .collect();
    upsert_contacts(&app, owner, json!(contacts)).await;

    // LAND scores the prospect's people: Software 40 + business email 10, the VP of Sales
    // TRIGGERS (+15), the procurement manager BLOCKS (-25); the CFO's INFLUENCES scores nothing.
    let ann = lead_at(&app, &team, "ann@prospect.io").await;
    assert_eq!(ann["fitScore"], 65, "{ann}");
    let new_logos =
        |c: &str, w: i64, m: bool, role: Value| (c.to_owned(), w, m, "New logos".to_owned(), role);
    assert_eq!(
        lines(&ann),
        [
            new_logos("Software", 40, true, Value::Null),
            new_logos("Business email", 10, true, Value::Null),
            new_logos("VP Sales", 15, true, json!("TRIGGERS")),
            new_logos("Procurement", -25, false, json!("BLOCKS")),
        ]
    );
    let bob = lead_at(&app, &team, "bob@prospect.io").await;
    assert_eq!(bob["fitScore"], 25, "{bob}");
    assert_eq!(
        lines(&bob)[2..],
        [
            new_logos("VP Sales", 15, false, json!("TRIGGERS")),
            new_logos("Procurement", -25, true, json!("BLOCKS")),
        ]
    );
    // EXPAND scores the customer's contacts, with its own criteria and no committee: the VP of
    // Sales there is only a business email (10), the admin 10 + 30.
    let cy = lead_at(&app, &team, "cy@customer.io").await;
    assert_eq!(cy["fitScore"], 10, "{cy}");
    let customers =
        |c: &str, w: i64, m: bool| (c.to_owned(), w, m, "Customers".to_owned(), Value::Null);
    assert_eq!(
        lines(&cy),
        [
            customers("Business email", 10, true),
            customers("Admin", 30, false)
        ]
    );
    let dee = lead_at(&app, &team, "dee@customer.io").await;
    assert_eq!(dee["fitScore"], 40, "{dee}");

    // The triggering persona engages: a demo request makes a HOT MQL routed to the rep, and the
    // buying-committee play starts. The blocker's same request starts no play.
    for (key, email) in [
        ("ann-demo", "ann@prospect.io"),
        ("bob-demo", "bob@prospect.io"),
    ] {
        let event =
            json!({"idempotencyKey": key, "type": "demo_request", "contact": {"email": email}});
        ingest(&app, &team.token, json!([event])).await;
    }
    let ann = lead_at(&app, &team, "ann@prospect.io").await;
    assert_eq!(ann["stage"], "MQL", "{ann}");
    assert_eq!(ann["owner"]["id"], json!(team.rep.user_id), "{ann}");
    assert_eq!(
        ann["enrollments"],
        json!([{"status": "ACTIVE", "play": {"id": triggering}}])
    );
    let bob = lead_at(&app, &team, "bob@prospect.io").await;
    assert_eq!(bob["stage"], "MQL", "{bob}");
    assert_eq!(bob["enrollments"], json!([]), "{bob}");
    // Once per lead: more engagement does not start it again.
    let again = json!({"idempotencyKey": "ann-pricing", "type": "pricing_page_visit", "contact": {"email": "ann@prospect.io"}});
    ingest(&app, &team.token, json!([again])).await;
    let ann = lead_at(&app, &team, "ann@prospect.io").await;
    assert_eq!(ann["enrollments"].as_array().unwrap().len(), 1, "{ann}");

    // A won deal makes the prospect a customer: its people are the EXPAND ICP's now.
    let deal = app
        .gql(
            Some(&owner.access),
            "mutation($input: OpportunityInput!) { createOpportunity(input: $input) { id } }",
            json!({"input": {"name": "First deal", "accountId": accounts[0], "amount": 20000.0}}),
        )
        .await
        .data("createOpportunity")["id"]
        .clone();
    let won = app
        .gql(
            Some(&owner.access),
            "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { account { lifecycle } } }",
            json!({"id": deal}),
        )
        .await;
    assert_eq!(
        won.data("closeOpportunity")["account"]["lifecycle"],
        "CUSTOMER"
    );
    let bob = lead_at(&app, &team, "bob@prospect.io").await;
    assert_eq!(bob["fitScore"], 10, "{bob}");
    assert_eq!(
        lines(&bob),
        [
            customers("Business email", 10, true),
            customers("Admin", 30, false)
        ]
    );
}
