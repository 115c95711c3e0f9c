//! The two workspaces of the matrix: a victim with a record of every kind, and an attacker
//! with a member of every role.

use serde_json::{json, Value};

use super::cases::VictimIds;
use crate::support::{documents::INGEST, Session, TestApp};

/// Every role a member can have, the owner first.
pub const ROLES: [&str; 9] = [
    "OWNER",
    "ADMIN",
    "MARKETING_LEADER",
    "SALES_LEADER",
    "REVOPS",
    "MARKETER",
    "SALES_MANAGER",
    "REP",
    "VIEWER",
];

/// The victim (its owner), the attacker workspace's owner, and the ids the cases aim at.
pub struct World {
    pub victim: Session,
    pub attacker: Session,
    pub ids: VictimIds,
}

/// Builds the victim's workspace with one record of every kind, and the attacker's.
pub async fn world(app: &TestApp) -> World {
    let victim = app.owner("Victim").await;
    let victim_rep = app.member(&victim, "REP").await;
    let (_, api_token_id) = app.api_token(&victim, &["leads:read"]).await;
    let invited = app
        .gql(
            Some(&victim.access),
            "mutation { addMember(input: {email: \"pending@victim.example.com\", role: REP}) { id } }",
            json!({}),
        )
        .await;
    let invitation_id = invited.data("addMember")["id"].as_str().unwrap().to_owned();
    let records = victim_records(app, &victim).await;
    let (cadence_id, play_id) = victim_plays(app, &victim).await;
    let [contract_id, routing_rule_id, mql_id, rejection_id, trigger_id] =
        victim_pipeline(app, &victim).await;
    let ids = VictimIds {
        workspace_id: victim.workspace_id.clone().unwrap(),
        member_id: victim_rep.member_id.clone().unwrap(),
        api_token_id,
        invitation_id,
        account_id: id(&records, "account"),
        lead_id: id(&records, "lead"),
        source_id: id(&records, "source"),
        campaign_id: id(&records, "campaign"),
        asset_id: id(&records, "asset"),
        opportunity_id: id(&records, "opportunity"),
        icp_id: id(&records, "icp"),
        contract_id,
        routing_rule_id,
        mql_id,
        rejection_id,
        trigger_id,
        owner_user_id: victim.user_id.clone(),
        cadence_id,
        play_id,
        task_id: String::new(),
        attacker_lead_id: String::new(),
        attacker_member_id: String::new(),
        attacker_cadence_id: String::new(),
        review_id: String::new(),
        action_item_id: String::new(),
        webhook_id: String::new(),
        messaging_test_id: String::new(),
        goal_id: String::new(),
        attacker_review_id: String::new(),
        attacker_user_id: String::new(),
        attacker_asset_id: String::new(),
        actor_email: String::new(),
    };
    let tasks = app
        .gql(
            Some(&victim.access),
            "{ myTasks { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let mut ids = ids;
    ids.task_id = tasks.data("myTasks")["edges"][0]["node"]["id"]
        .as_str()
        .expect("the victim's MQL runs the play")
        .to_owned();
    let attacker = app.owner("Attacker").await;
    let mine = app
        .gql(
            Some(&attacker.access),
            "mutation { upsertContacts(contacts: [{email: \"me@attacker.io\"}]) { id } }",
            json!({}),
        )
        .await;
    ids.attacker_lead_id = mine.data("upsertContacts")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let review = app
        .gql(
            Some(&victim.access),
            "mutation { startRevenueReview { id } }",
            json!({}),
        )
        .await;
    ids.review_id = review.data("startRevenueReview")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item = app
        .gql(
            Some(&victim.access),
            "mutation($r: ID!, $o: ID!) { createActionItem(input: {reviewId: $r, title: \"Victim item\", ownerId: $o}) { id } }",
            json!({"r": ids.review_id, "o": victim.user_id}),
        )
        .await;
    ids.action_item_id = item.data("createActionItem")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hook = app
        .gql(
            Some(&victim.access),
            "mutation { createWebhook(input: {url: \"https://victim.example.com/hook\", events: [\"*\"]}) { webhook { id } } }",
            json!({}),
        )
        .await;
    ids.webhook_id = hook.data("createWebhook")["webhook"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let test = app
        .gql(
            Some(&victim.access),
            "mutation { b: createAsset(input: {name: \"Victim B\", kind: EBOOK, funnelStage: AWARENESS}) { id } }",
            json!({}),
        )
        .await;
    let second_asset = test.data("b")["id"].as_str().unwrap().to_owned();
    let test = app
        .gql(
            Some(&victim.access),
            "mutation($a: ID!, $b: ID!) { createMessagingTest(input: {name: \"Victim test\", startedAt: \"2026-01-01T00:00:00Z\", variants: [{label: \"A\", assetId: $a}, {label: \"B\", assetId: $b}]}) { id } }",
            json!({"a": ids.asset_id, "b": second_asset}),
        )
        .await;
    ids.messaging_test_id = test.data("createMessagingTest")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cmo = app.member(&victim, "MARKETING_LEADER").await;
    let goal = app
        .gql(
            Some(&victim.access),
            "mutation($o: [ID!]!) { createGoal(input: {name: \"Victim goal\", metric: SALS, target: 4, period: {start: \"2026-01-01\", months: 1}, ownerIds: $o}) { id } }",
            json!({"o": [cmo.user_id, victim_rep.user_id]}),
        )
        .await;
    ids.goal_id = goal.data("createGoal")["id"].as_str().unwrap().to_owned();
    let own = app
        .gql(
            Some(&attacker.access),
            "mutation { startRevenueReview { id } createAsset(input: {name: \"Mine\", kind: EBOOK, funnelStage: AWARENESS}) { id } }",
            json!({}),
        )
        .await;
    ids.attacker_review_id = own.data("startRevenueReview")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ids.attacker_asset_id = own.data("createAsset")["id"].as_str().unwrap().to_owned();
    ids.attacker_user_id = attacker.user_id.clone();
    let seats = app
        .gql(
            Some(&attacker.access),
            "{ members(first: 5) { edges { node { id } } } cadences { edges { node { id } } } }",
            json!({}),
        )
        .await;
    ids.attacker_member_id = seats.data("members")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ids.attacker_cadence_id = seats.data("cadences")["edges"][0]["node"]["id"]
        .as_str()
        .expect("every workspace starts with the seed cadence")
        .to_owned();
    World {
        victim,
        attacker,
        ids,
    }
}

/// The attacker workspace's owner and one member of every other role, with their role.
pub async fn attackers(app: &TestApp, owner: &Session) -> Vec<(&'static str, Session)> {
    let mut people = vec![("OWNER", owner.clone())];
    for role in &ROLES[1..] {
        people.push((role, app.member(owner, role).await));
    }
    people
}

/// An active play on MQL assignment using the victim's seed cadence, so the victim's MQL gets
/// tasks. Returns (cadence, play) ids.
async fn victim_plays(app: &TestApp, victim: &Session) -> (String, String) {
    let cadences = app
        .gql(
            Some(&victim.access),
            "{ cadences { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let cadence = cadences.data("cadences")["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let play = app
        .gql(
            Some(&victim.access),
            "mutation($c: ID!) { createPlay(input: {name: \"Victim play\", cadenceId: $c, trigger: {kind: MQL_ASSIGNED}}) { id } }",
            json!({"c": cadence}),
        )
        .await;
    let play = play.data("createPlay")["id"].as_str().unwrap().to_owned();
    app.gql(
        Some(&victim.access),
        "mutation($id: ID!) { activatePlay(id: $id) { status } }",
        json!({"id": play}),
    )
    .await
    .data("activatePlay");
    (cadence, play)
}

/// The victim's lead pipeline: a signed contract, a routing rule, an MQL with its trigger, and
/// a rejected lead. Returns (contract, rule, mql, rejection, trigger) ids.
async fn victim_pipeline(app: &TestApp, victim: &Session) -> [String; 5] {
    let cmo = app.member(victim, "MARKETING_LEADER").await;
    let cro = app.member(victim, "SALES_LEADER").await;
    let contracts = app
        .gql(
            Some(&victim.access),
            "{ leadContracts { edges { node { id terms } } } }",
            json!({}),
        )
        .await;
    let node = contracts.data("leadContracts")["edges"][0]["node"].clone();
    let mut terms = node["terms"].clone();
    terms["acceptance"]["minFit"] = json!(0);
    app.gql(
        Some(&victim.access),
        "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }",
        json!({"id": node["id"], "t": terms}),
    )
    .await
    .data("updateLeadContract");
    for signer in [&cmo, &cro] {
        app.gql(
            Some(&signer.access),
            "mutation($id: ID!) { signLeadContract(id: $id) { status } }",
            json!({"id": node["id"]}),
        )
        .await
        .data("signLeadContract");
    }
    let rule = app
        .gql(
            Some(&victim.access),
            "mutation($u: ID!) { createRoutingRule(input: {name: \"All\", position: 1, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $u}]}) { id } }",
            json!({"u": victim.user_id}),
        )
        .await;
    let rule_id = rule.data("createRoutingRule")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (token, _) = app.api_token(victim, &["events:write"]).await;
    let ingest = INGEST;
    for email in ["mql@victim.com", "rejected@victim.com"] {
        app.gql(Some(&token), ingest, json!({"e": [{"idempotencyKey": email, "type": "demo_request", "contact": {"email": email}}]}))
            .await
            .data("ingestEvents");
    }
    let leads = app
        .gql(
            Some(&victim.access),
            "{ leads(filter: {stage: [MQL]}) { edges { node { id email } } } }",
            json!({}),
        )
        .await;
    let id_of = |email: &str| {
        leads.data("leads")["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["email"] == email)
            .unwrap()["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (mql, doomed) = (id_of("mql@victim.com"), id_of("rejected@victim.com"));
    app.gql(
        Some(&victim.access),
        "mutation($id: ID!) { rejectLead(id: $id, reason: WRONG_SEGMENT) { id } }",
        json!({"id": doomed}),
    )
    .await
    .data("rejectLead");
    let rejection = app
        .gql(
            Some(&victim.access),
            "{ rejections { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let trigger = app
        .gql(Some(&victim.access), "{ triggers { id } }", json!({}))
        .await;
    [
        node["id"].as_str().unwrap().to_owned(),
        rule_id,
        mql,
        rejection.data("rejections")["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        trigger.data("triggers")[0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    ]
}

/// Creates one record of every kind in the victim's workspace.
async fn victim_records(app: &TestApp, victim: &Session) -> Value {
    let reply = app
        .gql(
            Some(&victim.access),
            "mutation {
                upsertAccounts(accounts: [{domain: \"victim.com\"}]) { id }
                upsertContacts(contacts: [{email: \"ceo@victim.com\"}]) { id }
                createSource(input: {name: \"Victim source\", kind: OTHER}) { id }
                createAsset(input: {name: \"Victim asset\", kind: EBOOK, funnelStage: AWARENESS}) { id }
                createIcp(input: {name: \"Victim ICP\", motion: LAND}) { id }
            }",
            json!({}),
        )
        .await;
    let data = reply.body["data"].clone();
    assert!(reply.body["errors"].is_null(), "{}", reply.raw);
    let account_id = data["upsertAccounts"][0]["id"].clone();
    let more = app
        .gql(
            Some(&victim.access),
            "mutation($a: ID!, $s: ID) { createCampaign(input: {name: \"Victim campaign\", sourceId: $s}) { id } createOpportunity(input: {name: \"Victim deal\", accountId: $a, amount: 100}) { id } }",
            json!({"a": account_id, "s": data["createSource"]["id"]}),
        )
        .await;
    assert!(more.body["errors"].is_null(), "{}", more.raw);
    json!({
        "account": account_id,
        "lead": data["upsertContacts"][0]["id"],
        "source": data["createSource"]["id"],
        "asset": data["createAsset"]["id"],
        "icp": data["createIcp"]["id"],
        "campaign": more.body["data"]["createCampaign"]["id"],
        "opportunity": more.body["data"]["createOpportunity"]["id"],
    })
}

fn id(records: &Value, key: &str) -> String {
    records[key].as_str().unwrap().to_owned()
}

/// What the victim's workspace looks like, to prove nothing changed.
pub async fn snapshot(app: &TestApp, victim: &Session) -> Value {
    let reply = app
        .gql(
            Some(&victim.access),
            "{ members(first: 50) { edges { node { id role outOfOffice managerId } } } apiTokens { id revokedAt trustedDocumentsOnly }
               invitations(first: 50) { edges { node { id revokedAt acceptedAt } } }
               accounts { edges { node { id name updatedAt } } } leads { edges { node { id updatedAt } } }
               sources { edges { node { id name spend { amount } } } } campaigns { totalCount edges { node { id name } } }
               assets { edges { node { id name } } } opportunities { edges { node { id amount stage } } }
               icps { totalCount edges { node { id name status version } } }
               leadContracts { totalCount edges { node { id status terms } } } routingRules { nodes { id name assignedCount } }
               rejections { edges { node { id disputedAt resolution } } } triggers { id acknowledgedAt }
               cadences { edges { node { id name updatedAt } } } plays { edges { node { id name status updatedAt } } }
               myTasks(filter: {status: OPEN}) { edges { node { id status } } }
               mql: leads(filter: {stage: [MQL]}) { edges { node { id enrollments { nodes { status } } touches { nodes { id } } } } }
               revenueReview { meeting { id attendance { userId present } decisions { decision } logPublishedAt actionItems { id } } }
               actionItems(openOnly: false) { nodes { id completedAt } } goals(includeClosed: true) { nodes { id name target closedAt } } messagingTests { nodes { id } }
               webhooks { nodes { id url status events } } }",
            json!({}),
        )
        .await;
    reply.body["data"].clone()
}
