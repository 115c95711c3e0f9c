//! The revenue teams and leads the tests start from, each written once: a team working leads
//! ([`team`]), a team on the seed ICP and cadence ([`seed_team`]), the contract signing and ICP
//! they share ([`revenue_team`]), a hot lead ([`hot_lead`]), the seed scenario's events
//! ([`vp_events`]), an owner with one rep on any server ([`owner_and_rep`]) and three messaging
//! tests ([`three_messaging_tests`]).

use serde_json::{json, Value};

use super::{
    documents::{INGEST, ROUTE_EVERYONE, SIGN_CONTRACT},
    people::{self, Server},
    Session, TestApp,
};

/// A workspace working leads: its owner, a rep every lead goes to, both contract signers, a
/// marketer, and an `events:write` token.
pub struct Team {
    pub owner: Session,
    pub rep: Session,
    pub cmo: Session,
    pub cro: Session,
    pub marketer: Session,
    pub token: String,
}

/// An active seed contract, no ICP (fit 0: a demo request alone, +50, makes a HOT MQL), and one
/// rule sending every lead to `rep`.
pub async fn team(app: &TestApp) -> Team {
    let owner = app.owner("Working leads").await;
    let rep = app.member(&owner, "REP").await;
    let cmo = app.member(&owner, "MARKETING_LEADER").await;
    let cro = app.member(&owner, "SALES_LEADER").await;
    let marketer = app.member(&owner, "MARKETER").await;
    let draft = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = draft.data("leadContracts")["edges"][0]["node"]["id"].clone();
    // The seed contract wants a fit of 25; these tests run without an ICP.
    let mut terms = app
        .gql(
            Some(&owner.access),
            "query { leadContracts { edges { node { terms } } } }",
            json!({}),
        )
        .await
        .data("leadContracts")["edges"][0]["node"]["terms"]
        .clone();
    terms["acceptance"]["minFit"] = json!(0);
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": id, "t": terms}),
    )
    .await
    .data("updateLeadContract");
    for signer in [&cmo, &cro] {
        app.gql(Some(&signer.access), SIGN_CONTRACT, json!({"id": id}))
            .await
            .data("signLeadContract");
    }
    app.gql(
        Some(&owner.access),
        ROUTE_EVERYONE,
        json!({"field": "lead.stage", "rep": rep.user_id}),
    )
    .await
    .data("createRoutingRule");
    let (token, _) = app.api_token(&owner, &["events:write"]).await;
    Team {
        owner,
        rep,
        cmo,
        cro,
        marketer,
        token,
    }
}

/// Ingests a demo request for `email` from `source`; returns the lead's id.
pub async fn hot_lead(app: &TestApp, team: &Team, email: &str, source: &str) -> String {
    let events = json!([{"idempotencyKey": format!("demo-{email}"), "type": "demo_request", "contact": {"email": email, "name": email}, "source": source}]);
    let reply = app
        .gql(Some(&team.token), INGEST, json!({"e": events}))
        .await;
    assert_eq!(
        reply.data("ingestEvents")["results"][0]["status"],
        "ACCEPTED",
        "{}",
        reply.raw
    );
    let lead = app
        .gql(Some(&team.owner.access), "query($q: String) { leads(filter: {search: $q}) { edges { node { id stage owner { id } } } } }", json!({"q": email}))
        .await;
    lead.data("leads")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Signs the draft contract by both leaders, activates the seed ICP and makes an
/// `events:write` token. Returns the sales leader (who can read leads), the marketing leader and
/// the token.
pub async fn revenue_team(app: &TestApp, owner: &Session) -> (Session, Session, String) {
    let cmo = app.member(owner, "MARKETING_LEADER").await;
    let cro = app.member(owner, "SALES_LEADER").await;
    let contracts = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    let draft = contracts.data("leadContracts")["edges"][0]["node"].clone();
    assert_eq!(
        draft["status"], "DRAFT",
        "a new workspace starts with a draft contract"
    );
    let half = app
        .gql(Some(&cmo.access), SIGN_CONTRACT, json!({"id": draft["id"]}))
        .await;
    assert_eq!(
        half.data("signLeadContract")["status"],
        "DRAFT",
        "one signature is not enough"
    );
    let full = app
        .gql(Some(&cro.access), SIGN_CONTRACT, json!({"id": draft["id"]}))
        .await;
    assert_eq!(full.data("signLeadContract")["status"], "ACTIVE");

    let icp = app
        .gql(
            Some(&owner.access),
            r#"mutation { createIcp(input: {name: "Seed ICP", motion: LAND,
                accountCriteria: [
                  {name: "Company size in range", weight: 20, criteria: {field: "account.employees", op: BETWEEN, value: [200, 5000]}},
                  {name: "Industry match", weight: 15, criteria: {field: "account.industry", op: IN, value: ["Software", "SaaS"]}},
                  {name: "Geographic fit", weight: 10, criteria: {field: "account.country", op: IN, value: ["US", "CA", "GB"]}}],
                contactCriteria: [
                  {name: "Title matches ICP", weight: 25, criteria: {field: "contact.title", op: MATCHES, value: ["vp sales", "head of sales"]}},
                  {name: "Business email", weight: 5, criteria: {field: "contact.personalEmail", op: EQ, value: false}},
                  {name: "Personal email", weight: -10, criteria: {field: "contact.personalEmail", op: EQ, value: true}}]}) { id } }"#,
            json!({}),
        )
        .await;
    let icp_id = icp.data("createIcp")["id"].clone();
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!) { activateIcp(id: $id) { status } }",
        json!({"id": icp_id}),
    )
    .await
    .data("activateIcp");
    let (token, _) = app.api_token(owner, &["events:write"]).await;
    (cro, cmo, token)
}

/// The seed scenario's hand-raiser: a VP of Sales at a 400-person software company visits the
/// pricing page and requests a demo. `prefix` makes the idempotency keys.
pub fn vp_events(prefix: &str) -> Value {
    let person =
        json!({"email": "dana.vp@acmesoft.com", "name": "Dana Whitfield", "title": "VP Sales"});
    let company = json!({"domain": "acmesoft.com", "name": "AcmeSoft", "industry": "Software", "employees": 400, "country": "US"});
    json!([
        {"idempotencyKey": format!("{prefix}-1"), "type": "pricing_page_visit", "contact": person, "account": company, "source": "Website"},
        {"idempotencyKey": format!("{prefix}-2"), "type": "demo_request", "contact": person, "account": company, "source": "Website"}
    ])
}

/// A workspace running plays: its owner, a rep every lead with an account goes to, the sales
/// leader, an `events:write` token and the seed cadence.
pub struct SeedTeam {
    pub owner: Session,
    pub rep: Session,
    pub cro: Session,
    pub token: String,
    pub cadence_id: Value,
}

/// A workspace with a signed contract, the seed ICP, every lead routed to one rep, and the
/// seed's cadence. The job loop is off: the test runs due work itself after moving time.
pub async fn seed_team(app: &TestApp, name: &str) -> SeedTeam {
    let owner = app.owner(name).await;
    let rep = app.member(&owner, "REP").await;
    let (cro, _cmo, token) = revenue_team(app, &owner).await;
    app.gql(
        Some(&owner.access),
        ROUTE_EVERYONE,
        json!({"field": "account.country", "rep": rep.user_id}),
    )
    .await
    .data("createRoutingRule");
    let cadences = app
        .gql(
            Some(&owner.access),
            "{ cadences { edges { node { id name steps { dayOffset channel theme instructions } } } } }",
            json!({}),
        )
        .await;
    let seed = cadences.data("cadences")["edges"][0]["node"].clone();
    assert_eq!(seed["name"], "Two-week follow-up");
    let channels: Vec<&str> = seed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["channel"].as_str().unwrap())
        .collect();
    assert_eq!(
        channels,
        ["EMAIL", "CALL", "LINKEDIN", "EMAIL", "CALL", "EMAIL"]
    );
    SeedTeam {
        owner,
        rep,
        cro,
        token,
        cadence_id: seed["id"].clone(),
    }
}

/// A new workspace (named `workspace`) with its owner and one rep, on any server (an
/// in-process [`TestApp`] or a process through [`people::Remote`]). Returns (owner, rep).
pub async fn owner_and_rep(server: &impl Server, workspace: &str) -> (Session, Session) {
    let owner = people::owner(server, workspace).await;
    let rep = people::member(server, &owner, "REP").await;
    (owner, rep)
}

/// Three messaging tests of two assets, created out of start order: January (ended), March and
/// February (running).
pub async fn three_messaging_tests(app: &TestApp, owner: &str) {
    let mut assets = Vec::new();
    for name in ["A copy", "B copy"] {
        let made = app
            .gql(
                Some(owner),
                "mutation($n: String!) { createAsset(input: {name: $n, kind: EBOOK, funnelStage: AWARENESS}) { id } }",
                json!({"n": name}),
            )
            .await;
        assets.push(made.data("createAsset")["id"].clone());
    }
    for (name, started, ended) in [
        (
            "January",
            "2026-01-05T09:00:00Z",
            Some("2026-01-19T09:00:00Z"),
        ),
        ("March", "2026-03-02T09:00:00Z", None),
        ("February", "2026-02-02T09:00:00Z", None),
    ] {
        app.gql(
            Some(owner),
            "mutation($n: String!, $s: DateTime!, $e: DateTime, $a: ID!, $b: ID!) { createMessagingTest(input: {name: $n, startedAt: $s, endedAt: $e, variants: [{label: \"A\", assetId: $a}, {label: \"B\", assetId: $b}]}) { id } }",
            json!({"n": name, "s": started, "e": ended, "a": assets[0], "b": assets[1]}),
        )
        .await
        .data("createMessagingTest");
    }
}
