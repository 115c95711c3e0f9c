//! A workspace that exercises the whole ingestion walk, set up through the public API the way a
//! revenue team would: an active lead contract signed by the marketing and sales leaders, two
//! routing rules with reps to route to, two active plays and one active webhook pointing at a
//! local sink that answers 200. Re-runs against the same database find it set up and only
//! point the webhook at this run's sink.

use std::net::SocketAddr;

use accord_api::state::AppState;
use serde_json::{json, Value};

use super::gql;

const PASSWORD: &str = "bench password 123";

/// Makes `owner`'s workspace honest (once) and returns an `events:write` token.
pub async fn honest(state: &AppState, addr: SocketAddr, owner: &str, workspace: &str) -> String {
    let contracts = gql(
        addr,
        Some(owner),
        "{ leadContracts { edges { node { id status } } } }",
        json!({}),
    )
    .await;
    let active = contracts["leadContracts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["node"]["status"] == "ACTIVE");
    if !active {
        set_up(state, addr, owner, workspace).await;
    }
    point_webhook(addr, owner, sink().await).await;
    let created = gql(addr, Some(owner), "mutation { createApiToken(input: {name: \"bench\", scopes: [\"events:write\"]}) { token } }", json!({})).await;
    created["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn set_up(state: &AppState, addr: SocketAddr, owner: &str, workspace: &str) {
    let cmo = member(state, addr, owner, workspace, "MARKETING_LEADER").await;
    let cro = member(state, addr, owner, workspace, "SALES_LEADER").await;
    let reps = [
        member(state, addr, owner, workspace, "REP").await,
        member(state, addr, owner, workspace, "REP").await,
    ];
    let draft = gql(
        addr,
        Some(owner),
        "{ leadContracts { edges { node { id terms } } } }",
        json!({}),
    )
    .await["leadContracts"]["edges"][0]["node"]
        .clone();
    // No ICP is active, so every fit is 0: the seed contract's minimum fit of 25 would keep
    // every lead from qualifying and skip routing, clocks, triggers and webhooks.
    let mut terms = draft["terms"].clone();
    terms["acceptance"]["minFit"] = json!(0);
    gql(
        addr,
        Some(owner),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": draft["id"], "t": terms}),
    )
    .await;
    for signer in [&cmo.0, &cro.0] {
        gql(
            addr,
            Some(signer),
            "mutation($id: ID!) { signLeadContract(id: $id) { status } }",
            json!({"id": draft["id"]}),
        )
        .await;
    }
    let rule = "mutation($name: String!, $p: Int!, $c: CriteriaInput!, $t: [RoutingTargetInput!]!) { createRoutingRule(input: {name: $name, position: $p, criteria: $c, targets: $t}) { id } }";
    gql(addr, Some(owner), rule, json!({"name": "VPs", "p": 1, "c": {"field": "contact.title", "op": "MATCHES", "value": ["vp"]}, "t": [{"userId": reps[0].1}]})).await;
    gql(addr, Some(owner), rule, json!({"name": "Everyone else", "p": 2, "c": {"field": "lead.stage", "op": "EXISTS"}, "t": [{"userId": reps[0].1}, {"userId": reps[1].1}]})).await;
    let cadence = gql(
        addr,
        Some(owner),
        "{ cadences { edges { node { id } } } }",
        json!({}),
    )
    .await["cadences"]["edges"][0]["node"]["id"]
        .clone();
    let plays = [
        json!({"name": "Demo follow-up", "cadenceId": cadence, "exclusive": false, "trigger": {"kind": "EVENT", "eventTypes": ["demo_request", "webinar_attended"]}}),
        json!({"name": "New MQL", "cadenceId": cadence, "exclusive": false, "trigger": {"kind": "MQL_ASSIGNED"}}),
    ];
    for play in plays {
        let id = gql(
            addr,
            Some(owner),
            "mutation($input: PlayInput!) { createPlay(input: $input) { id } }",
            json!({"input": play}),
        )
        .await["createPlay"]["id"]
            .clone();
        gql(
            addr,
            Some(owner),
            "mutation($id: ID!) { activatePlay(id: $id) { status } }",
            json!({"id": id}),
        )
        .await;
    }
    gql(
        addr,
        Some(owner),
        "mutation($u: String!) { createWebhook(input: {url: $u, events: [\"*\"]}) { webhook { id } } }",
        json!({"u": "http://127.0.0.1:9/placeholder"}),
    )
    .await;
}

/// Points the workspace's webhook at this run's sink.
async fn point_webhook(addr: SocketAddr, owner: &str, sink: SocketAddr) {
    let hooks = gql(
        addr,
        Some(owner),
        "{ webhooks { nodes { id } } }",
        json!({}),
    )
    .await;
    let id = hooks["webhooks"]["nodes"][0]["id"].clone();
    gql(
        addr,
        Some(owner),
        "mutation($id: ID!, $u: String!) { updateWebhook(id: $id, input: {url: $u, active: true}) { id } }",
        json!({"id": id, "u": format!("http://{sink}/hook")}),
    )
    .await;
}

/// A loopback receiver that answers every delivery 200.
async fn sink() -> SocketAddr {
    let server = actix_web::HttpServer::new(|| {
        actix_web::App::new().default_service(actix_web::web::to(actix_web::HttpResponse::Ok))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("sink binds");
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    addr
}

/// A person joining the workspace with `role` the way people do (sign up, confirm the mailed
/// link, accept the mailed invitation); returns their access token and user id.
async fn member(
    state: &AppState,
    addr: SocketAddr,
    owner: &str,
    workspace: &str,
    role: &str,
) -> (String, Value) {
    let email = format!(
        "{}-{}@ingest.bench",
        role.to_lowercase(),
        uuid::Uuid::now_v7().simple()
    );
    let signed = gql(addr, None, "mutation($e: String!, $p: String!) { signUp(input: {email: $e, password: $p, name: \"Bench Person\"}) { accessToken user { id } } }", json!({"e": email, "p": PASSWORD})).await;
    let user_id = signed["signUp"]["user"]["id"].clone();
    let person = signed["signUp"]["accessToken"].as_str().unwrap().to_owned();
    let token = mailed_token(state, &email, "verify_email").await;
    gql(
        addr,
        None,
        "mutation($t: String!) { verifyEmail(token: $t) { id } }",
        json!({"t": token}),
    )
    .await;
    gql(
        addr,
        Some(owner),
        "mutation($e: String!, $r: Role!) { addMember(input: {email: $e, role: $r}) { id } }",
        json!({"e": email, "r": role}),
    )
    .await;
    let invitation = mailed_token(state, &email, "invitation").await;
    gql(
        addr,
        Some(&person),
        "mutation($t: String!) { acceptInvitation(token: $t) { id } }",
        json!({"t": invitation}),
    )
    .await;
    let logged = gql(addr, None, "mutation($e: String!, $p: String!, $w: ID) { logIn(input: {email: $e, password: $p, workspaceId: $w}) { accessToken } }", json!({"e": email, "p": PASSWORD, "w": workspace})).await;
    (
        logged["logIn"]["accessToken"].as_str().unwrap().to_owned(),
        user_id,
    )
}

async fn mailed_token(state: &AppState, email: &str, kind: &str) -> String {
    let mail = accord_api::store::outbox::mail_to(&state.store.global(), email)
        .await
        .expect("outbox read");
    let body = &mail
        .iter()
        .rev()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} mail to {email}"))
        .body;
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}
