//! Per-record authorization (the permission table's record-level rules): reps act on their own
//! deals and leads, sales managers on their team's, leaders, revops and admins on all; only
//! leaders, revops and admins delete deals; a manager follows only their team's triggers. Plus:
//! the two signatures of a lead contract are two people, and routing skips removed members.

use serde_json::{json, Value};

use crate::{
    support::fixtures::{hot_lead, team},
    support::{ws::WsClient, ws::TRANSPORT_WS, Session, TestApp},
};

const CREATE_DEAL: &str = "mutation($a: ID!, $n: String!, $o: ID) { createOpportunity(input: {name: $n, accountId: $a, amount: 1000, ownerId: $o}) { id owner { id } } }";
const UPDATE_DEAL: &str = "mutation($id: ID!) { updateOpportunity(id: $id, input: {name: \"Renamed\", amount: 1}) { name } }";
const CLOSE_DEAL: &str = "mutation($id: ID!) { closeOpportunity(id: $id, won: true) { stage } }";
const DELETE_DEAL: &str = "mutation($id: ID!) { deleteOpportunity(id: $id) }";
const DEAL: &str = "{ opportunities { edges { node { id name amount stage owner { id } } } } }";
const PLACE: &str = "mutation($m: ID!, $u: ID!) { setMemberManager(memberId: $m, managerUserId: $u) { managerId } }";
const ASSIGN: &str =
    "mutation($id: ID!, $u: ID!) { assignLead(id: $id, userId: $u) { owner { id } } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptLead(id: $id) { stage } }";
const LEAD: &str = "query($id: ID!) { lead(id: $id) { stage owner { id } } }";

async fn place(app: &TestApp, owner: &Session, member: &Session, manager: &Session) {
    let placed = app
        .gql(
            Some(&owner.access),
            PLACE,
            json!({"m": member.member_id, "u": manager.user_id}),
        )
        .await;
    assert_eq!(
        placed.data("setMemberManager")["managerId"],
        json!(manager.user_id)
    );
}

async fn deals(app: &TestApp, owner: &Session) -> Vec<Value> {
    app.gql(Some(&owner.access), DEAL, json!({}))
        .await
        .data("opportunities")["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn new_deal(app: &TestApp, by: &Session, account: &Value, name: &str) -> String {
    let created = app
        .gql(
            Some(&by.access),
            CREATE_DEAL,
            json!({"a": account, "n": name}),
        )
        .await;
    let created = created.data("createOpportunity");
    assert_eq!(
        created["owner"]["id"],
        json!(by.user_id),
        "a person's new deal is theirs"
    );
    created["id"].as_str().unwrap().to_owned()
}

async fn lead_state(app: &TestApp, owner: &Session, lead: &str) -> Value {
    app.gql(Some(&owner.access), LEAD, json!({"id": lead}))
        .await
        .data("lead")
        .clone()
}

fn code(reply: &crate::support::Reply) -> String {
    reply.code().to_owned()
}

#[actix_web::test]
async fn reps_change_only_their_own_deals_and_only_leaders_revops_and_admins_delete() {
    let app = TestApp::start().await;
    let owner = app.owner("Deals by owner").await;
    let rep_a = app.member(&owner, "REP").await;
    let rep_b = app.member(&owner, "REP").await;
    let manager = app.member(&owner, "SALES_MANAGER").await;
    let leader = app.member(&owner, "SALES_LEADER").await;
    let revops = app.member(&owner, "REVOPS").await;
    let admin = app.member(&owner, "ADMIN").await;
    place(&app, &owner, &rep_a, &manager).await;
    let account = app
        .gql(
            Some(&owner.access),
            "mutation { upsertAccounts(accounts: [{domain: \"acme.com\"}]) { id } }",
            json!({}),
        )
        .await
        .data("upsertAccounts")[0]["id"]
        .clone();
    let a1 = new_deal(&app, &rep_a, &account, "A1").await;
    let a2 = new_deal(&app, &rep_a, &account, "A2").await;
    let b1 = new_deal(&app, &rep_b, &account, "B1").await;
    let before = deals(&app, &owner).await;

    // Another rep's deal: no update, close, delete, hand-over or upsert; nothing written.
    for query in [UPDATE_DEAL, CLOSE_DEAL, DELETE_DEAL] {
        let refused = app.gql(Some(&rep_b.access), query, json!({"id": a1})).await;
        assert_eq!(code(&refused), "FORBIDDEN", "{query}: {}", refused.raw);
    }
    let for_other = app
        .gql(
            Some(&rep_b.access),
            CREATE_DEAL,
            json!({"a": account, "n": "Planted", "o": rep_a.user_id}),
        )
        .await;
    assert_eq!(
        code(&for_other),
        "FORBIDDEN",
        "a rep opens deals for themselves"
    );
    let handed = app
        .gql(
            Some(&rep_b.access),
            "mutation($id: ID!, $o: ID!) { updateOpportunity(id: $id, input: {ownerId: $o}) { id } }",
            json!({"id": b1, "o": rep_a.user_id}),
        )
        .await;
    assert_eq!(
        code(&handed),
        "FORBIDDEN",
        "a rep cannot push a deal onto another"
    );
    let upsert = app
        .gql(
            Some(&rep_b.access),
            "mutation { upsertOpportunities(opportunities: [{externalId: \"x\", name: \"X\", accountDomain: \"acme.com\", amount: 1}]) { status } }",
            json!({}),
        )
        .await;
    assert_eq!(
        code(&upsert),
        "FORBIDDEN",
        "an upsert may land on anyone's deal"
    );
    // The manager of rep A's team is refused rep B's deal, and any delete.
    let refused = app
        .gql(Some(&manager.access), UPDATE_DEAL, json!({"id": b1}))
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    let refused = app
        .gql(Some(&manager.access), DELETE_DEAL, json!({"id": a2}))
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    assert_eq!(deals(&app, &owner).await, before, "refusals wrote nothing");

    // A rep changes and closes their own deal but cannot delete it; their manager changes it.
    let renamed = app
        .gql(Some(&rep_a.access), UPDATE_DEAL, json!({"id": a1}))
        .await;
    assert_eq!(renamed.data("updateOpportunity")["name"], "Renamed");
    let own_delete = app
        .gql(Some(&rep_a.access), DELETE_DEAL, json!({"id": a1}))
        .await;
    assert_eq!(code(&own_delete), "FORBIDDEN", "reps do not delete deals");
    let by_manager = app
        .gql(Some(&manager.access), UPDATE_DEAL, json!({"id": a2}))
        .await;
    assert_eq!(by_manager.data("updateOpportunity")["name"], "Renamed");
    let closed = app
        .gql(Some(&rep_a.access), CLOSE_DEAL, json!({"id": a1}))
        .await;
    assert_eq!(closed.data("closeOpportunity")["stage"], "CLOSED_WON");

    // Leaders, revops and admins act on every deal and delete.
    let by_leader = app
        .gql(Some(&leader.access), UPDATE_DEAL, json!({"id": b1}))
        .await;
    assert_eq!(by_leader.data("updateOpportunity")["name"], "Renamed");
    let by_revops = app
        .gql(Some(&revops.access), CLOSE_DEAL, json!({"id": b1}))
        .await;
    assert_eq!(by_revops.data("closeOpportunity")["stage"], "CLOSED_WON");
    for (who, deal) in [(&admin, &a1), (&leader, &a2), (&revops, &b1)] {
        let deleted = app
            .gql(Some(&who.access), DELETE_DEAL, json!({"id": deal}))
            .await;
        assert_eq!(deleted.data("deleteOpportunity"), &json!(deal));
    }
    assert!(deals(&app, &owner).await.is_empty());
}

#[actix_web::test]
async fn sales_managers_reassign_and_work_only_their_teams_leads() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let revops = app.member(&team.owner, "REVOPS").await;
    let rep2 = app.member(&team.owner, "REP").await;
    let rep3 = app.member(&team.owner, "REP").await;
    let manager1 = app.member(&team.owner, "SALES_MANAGER").await;
    let manager2 = app.member(&team.owner, "SALES_MANAGER").await;
    place(&app, &team.owner, &team.rep, &manager1).await;
    place(&app, &team.owner, &rep3, &manager1).await;
    place(&app, &team.owner, &rep2, &manager2).await;
    // Routed to team.rep, on manager 1's team.
    let lead = hot_lead(&app, &team, "ana@acme.com", "Website").await;
    let before = lead_state(&app, &team.owner, &lead).await;
    assert_eq!(before["owner"]["id"], json!(team.rep.user_id));

    // Another manager's team's lead: no reassigning, no working it; nor for another rep.
    let refused = app
        .gql(
            Some(&manager2.access),
            ASSIGN,
            json!({"id": lead, "u": rep2.user_id}),
        )
        .await;
    assert_eq!(code(&refused), "FORBIDDEN", "{}", refused.raw);
    for who in [&manager2, &rep2] {
        let refused = app
            .gql(Some(&who.access), ACCEPT, json!({"id": lead}))
            .await;
        assert_eq!(code(&refused), "FORBIDDEN");
    }
    // A manager gives their team's lead to nobody outside the team.
    let outside = app
        .gql(
            Some(&manager1.access),
            ASSIGN,
            json!({"id": lead, "u": rep2.user_id}),
        )
        .await;
    assert_eq!(code(&outside), "FORBIDDEN");
    let marketer = app
        .gql(
            Some(&team.cro.access),
            ASSIGN,
            json!({"id": lead, "u": team.marketer.user_id}),
        )
        .await;
    assert_eq!(
        (marketer.code(), marketer.field()),
        ("BAD_USER_INPUT", Some("userId")),
        "a marketer takes no leads"
    );
    assert_eq!(
        lead_state(&app, &team.owner, &lead).await,
        before,
        "refusals wrote nothing"
    );

    // Their own team's lead: the manager works it and moves it inside the team.
    let accepted = app
        .gql(Some(&manager1.access), ACCEPT, json!({"id": lead}))
        .await;
    assert_eq!(accepted.data("acceptLead")["stage"], "SAL");
    let moved = app
        .gql(
            Some(&manager1.access),
            ASSIGN,
            json!({"id": lead, "u": rep3.user_id}),
        )
        .await;
    assert_eq!(moved.data("assignLead")["owner"]["id"], json!(rep3.user_id));

    // Leaders and revops reassign across teams.
    for (who, to) in [(&team.cro, &rep2), (&revops, &team.rep)] {
        let moved = app
            .gql(
                Some(&who.access),
                ASSIGN,
                json!({"id": lead, "u": to.user_id}),
            )
            .await;
        assert_eq!(moved.data("assignLead")["owner"]["id"], json!(to.user_id));
    }
}

/// Subscribes `who` to `recipient`'s triggers; the first message: a replayed trigger or an error.
async fn follow(app: &TestApp, who: &Session, recipient: &Session) -> Value {
    let mut socket = WsClient::connect(app, TRANSPORT_WS).await;
    socket.init(&who.access).await;
    socket
        .subscribe(
            "follow",
            &format!(
                "subscription {{ playTriggers(recipientId: \"{}\") {{ kind }} }}",
                recipient.user_id
            ),
        )
        .await;
    socket.message().await
}

fn refusal(message: &Value) -> Option<&str> {
    message["payload"][0]["extensions"]["code"].as_str()
}

#[actix_web::test]
async fn managers_follow_and_set_availability_only_for_their_team() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let revops = app.member(&team.owner, "REVOPS").await;
    let rep2 = app.member(&team.owner, "REP").await;
    let manager1 = app.member(&team.owner, "SALES_MANAGER").await;
    let manager2 = app.member(&team.owner, "SALES_MANAGER").await;
    place(&app, &team.owner, &team.rep, &manager1).await;
    place(&app, &team.owner, &rep2, &manager2).await;
    // team.rep holds triggers (the lead's assignment) that a permitted follower sees replayed.
    hot_lead(&app, &team, "bo@acme.com", "Website").await;

    for (who, recipient) in [
        (&manager1, &team.rep),
        (&team.cro, &team.rep),
        (&revops, &team.rep),
    ] {
        let first = follow(&app, who, recipient).await;
        assert!(
            first["payload"]["data"]["playTriggers"]["kind"].is_string(),
            "a replayed trigger: {first}"
        );
    }
    for (who, recipient) in [
        (&manager2, &team.rep),
        (&manager1, &rep2),
        (&manager1, &team.cro),
        (&manager1, &team.owner),
        (&rep2, &team.rep),
    ] {
        let first = follow(&app, who, recipient).await;
        assert_eq!(refusal(&first), Some("FORBIDDEN"), "{first}");
    }

    let away = "mutation($id: ID!) { setMemberAvailability(memberId: $id, outOfOffice: true) { outOfOffice } }";
    let refused = app
        .gql(
            Some(&manager2.access),
            away,
            json!({"id": team.rep.member_id}),
        )
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    let set = app
        .gql(
            Some(&manager1.access),
            away,
            json!({"id": team.rep.member_id}),
        )
        .await;
    assert_eq!(set.data("setMemberAvailability")["outOfOffice"], true);
}

#[actix_web::test]
async fn the_two_signatures_of_a_contract_are_two_people() {
    let app = TestApp::start().await;
    let owner = app.owner("Two signers").await;
    let cmo = app.member(&owner, "MARKETING_LEADER").await;
    let cro = app.member(&owner, "SALES_LEADER").await;
    let draft = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { id } } } }",
            json!({}),
        )
        .await
        .data("leadContracts")["edges"][0]["node"]["id"]
        .clone();
    let sign = "mutation($id: ID!) { signLeadContract(id: $id) { status marketingSignedBy { id } salesSignedBy { id } } }";
    let signed = app.gql(Some(&cmo.access), sign, json!({"id": draft})).await;
    assert_eq!(signed.data("signLeadContract")["status"], "DRAFT");
    // The marketing signer becomes the sales leader and tries to sign the other side.
    app.gql(
        Some(&owner.access),
        "mutation($id: ID!) { updateMemberRole(memberId: $id, role: SALES_LEADER) { role } }",
        json!({"id": cmo.member_id}),
    )
    .await
    .data("updateMemberRole");
    let twice = app.gql(Some(&cmo.access), sign, json!({"id": draft})).await;
    assert_eq!(code(&twice), "FORBIDDEN", "{}", twice.raw);
    let contract = app
        .gql(
            Some(&owner.access),
            "{ leadContracts { edges { node { status salesSignedBy { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        contract.data("leadContracts")["edges"][0]["node"],
        json!({"status": "DRAFT", "salesSignedBy": null}),
        "the refusal wrote nothing"
    );
    let second = app.gql(Some(&cro.access), sign, json!({"id": draft})).await;
    let second = second.data("signLeadContract");
    assert_eq!(second["status"], "ACTIVE");
    assert_eq!(second["marketingSignedBy"]["id"], json!(cmo.user_id));
    assert_eq!(second["salesSignedBy"]["id"], json!(cro.user_id));
}

#[actix_web::test]
async fn removed_members_stop_receiving_routed_leads() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let rep2 = app.member(&team.owner, "REP").await;
    // After the team's rule naming team.rep alone, a pool of team.rep and rep2.
    app.gql(
        Some(&team.owner.access),
        "mutation($a: ID!, $b: ID!) { createRoutingRule(input: {name: \"Pool\", position: 2, criteria: {field: \"lead.stage\", op: EXISTS}, targets: [{userId: $a}, {userId: $b}]}) { id } }",
        json!({"a": team.rep.user_id, "b": rep2.user_id}),
    )
    .await
    .data("createRoutingRule");
    let remove = |who: &Session| {
        app.gql(
            Some(&team.owner.access),
            "mutation($id: ID!) { removeMember(memberId: $id) { id } }",
            json!({"id": who.member_id}),
        )
    };
    remove(&team.rep).await.data("removeMember");
    // The first rule is skipped; the pool's remaining member gets the lead.
    let routed = hot_lead(&app, &team, "cy@acme.com", "Website").await;
    let routed = lead_state(&app, &team.owner, &routed).await;
    assert_eq!(routed["owner"]["id"], json!(rep2.user_id), "{routed}");
    // With nobody left in either rule, the lead waits in the queue.
    remove(&rep2).await.data("removeMember");
    let waiting = hot_lead(&app, &team, "di@acme.com", "Website").await;
    let waiting = lead_state(&app, &team.owner, &waiting).await;
    assert_eq!(waiting["owner"], Value::Null, "{waiting}");
}
