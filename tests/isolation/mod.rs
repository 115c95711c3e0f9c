//! The workspace-isolation matrix, derived from the schema ([`coverage`]): every root field
//! that takes an id has a case, and a case is data ([`cases`]): a document, the variables that
//! aim it at another workspace's ids, and the answer. Each case is sent once per role of the
//! attacker's workspace (the Hasura way):
//!
//! - the owner (or the case's API token) gets exactly the case's answer: NOT_FOUND, or for
//!   batches the refusal at the item's field; the victim's
//!   workspace is unchanged after every case;
//! - every other role gets the same answer, or FORBIDDEN when the role may not call the
//!   operation at all, and then the same FORBIDDEN for ids that exist nowhere: no answer tells
//!   another workspace's row from no row. The victim is unchanged after each role's run.
//!
//! A list filter naming another workspace's record is NOT_FOUND at its field too; a filter by a
//! person (`ownerId`) finds nothing, since a user holding no seat here owns nothing here.

mod cases;
mod coverage;
mod victim;

use serde_json::{json, Value};

use self::{
    cases::{cases, Actor, Case, Expect, VictimIds},
    coverage::root_field,
    victim::{attackers, snapshot, world},
};
use crate::support::{
    ws::{WsClient, TRANSPORT_WS},
    TestApp,
};

/// What came back: an error code, or the root field's data.
#[derive(Debug, PartialEq)]
enum Answer {
    Code(String),
    Data(Value),
}

impl Expect {
    fn holds(self, answer: &Answer) -> bool {
        match (self, answer) {
            (Expect::NotFound, Answer::Code(code)) => code == "NOT_FOUND",
            (Expect::Data(expected), Answer::Data(found)) => *found == expected(),
            _ => false,
        }
    }
}

/// One sender of cases: a credential (none for anonymous cases) and, for subscriptions, a
/// socket opened once.
struct Sender<'a> {
    app: &'a TestApp,
    credential: Option<String>,
    socket: Option<WsClient>,
    subscriptions: u32,
}

impl<'a> Sender<'a> {
    fn new(app: &'a TestApp, credential: Option<&str>) -> Self {
        Sender {
            app,
            credential: credential.map(str::to_owned),
            socket: None,
            subscriptions: 0,
        }
    }

    async fn send(&mut self, case: &Case, ids: &VictimIds) -> Answer {
        let root = root_field(case.query);
        let variables = (case.variables)(ids);
        if !case.query.trim_start().starts_with("subscription") {
            let reply = self
                .app
                .gql(self.credential.as_deref(), case.query, variables)
                .await;
            return match reply.body.get("errors") {
                Some(_) => Answer::Code(reply.code().to_owned()),
                None => Answer::Data(reply.body["data"][&root].clone()),
            };
        }
        if self.socket.is_none() {
            let mut socket = WsClient::connect(self.app, TRANSPORT_WS).await;
            socket
                .init(
                    self.credential
                        .as_deref()
                        .expect("subscriptions need a credential"),
                )
                .await;
            self.socket = Some(socket);
        }
        let socket = self.socket.as_mut().unwrap();
        self.subscriptions += 1;
        let id = self.subscriptions.to_string();
        socket.subscribe_with(&id, case.query, variables).await;
        let message = socket.message().await;
        match message["type"].as_str() {
            Some("error") => Answer::Code(
                message["payload"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
            Some("next") => {
                socket.send(json!({"type": "complete", "id": id})).await;
                Answer::Data(message["payload"]["data"][&root].clone())
            }
            _ => panic!("{}: {message}", case.name),
        }
    }
}

#[actix_web::test]
async fn another_workspaces_ids_are_not_found_for_every_role_and_nothing_changes() {
    // The victim's snapshot is a large query, taken after every case: no rate limit here.
    let app = TestApp::start_with(|config| config.rate_limit_budget = u64::MAX / 2).await;
    let world = world(&app).await;
    let mut ids = world.ids.clone();
    let before = snapshot(&app, &world.victim).await;
    let people = attackers(&app, &world.attacker).await;

    // The owner, or the case's own credential: exactly the case's answer.
    for case in cases() {
        let credential = match case.actor {
            Actor::Owner => Some(world.attacker.access.clone()),
            Actor::Token(scope) => Some(app.api_token(&world.attacker, &[scope]).await.0),
            Actor::Anonymous => None,
        };
        ids.actor_email = world.attacker.email.clone();
        let answer = Sender::new(&app, credential.as_deref())
            .send(&case, &ids)
            .await;
        assert!(case.expect.holds(&answer), "{}: {answer:?}", case.name);
        assert_eq!(
            snapshot(&app, &world.victim).await,
            before,
            "{} changed the victim",
            case.name
        );
    }

    // Every role: the same answer, or a FORBIDDEN that does not depend on the id.
    for (role, person) in &people[1..] {
        ids.actor_email = person.email.clone();
        let ghosts = ids.ghosts();
        let mut sender = Sender::new(&app, Some(&person.access));
        let mut anonymous = Sender::new(&app, None);
        for case in cases() {
            let sender = match case.actor {
                Actor::Anonymous => &mut anonymous,
                Actor::Owner | Actor::Token(_) => &mut sender,
            };
            let answer = sender.send(&case, &ids).await;
            if case.expect.holds(&answer) {
                continue;
            }
            assert_eq!(
                answer,
                Answer::Code("FORBIDDEN".into()),
                "{} as {role}",
                case.name
            );
            assert_eq!(
                sender.send(&case, &ghosts).await,
                answer,
                "{} as {role}: another workspace's id is told apart from no id",
                case.name
            );
        }
        assert_eq!(
            snapshot(&app, &world.victim).await,
            before,
            "the cases sent as {role} changed the victim"
        );
    }

    // No document was registered for the victim's token.
    let trusted = app
        .gql(
            Some(&world.victim.access),
            "query($id: ID!) { trustedDocuments(tokenId: $id) { id } }",
            json!({"id": world.ids.api_token_id}),
        )
        .await;
    assert_eq!(trusted.data("trustedDocuments"), &json!([]));

    // Refused deals made nothing in the attacker's workspace either.
    let mine = app
        .gql(
            Some(&world.attacker.access),
            "{ opportunities { totalCount } accounts(filter: {search: \"victim\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(mine.data("opportunities")["totalCount"], 0);
    assert_eq!(
        mine.data("accounts")["totalCount"],
        0,
        "no account for refused deals"
    );

    // An API token of the attacker's workspace cannot reach the victim either.
    let (token, _) = app.api_token(&world.attacker, &["workspace:read"]).await;
    let ws = app
        .gql(Some(&token), "{ workspace { id } }", json!({}))
        .await;
    assert_eq!(
        ws.data("workspace")["id"],
        json!(world.attacker.workspace_id)
    );
}

#[actix_web::test]
async fn malformed_ids_are_not_found_too() {
    let app = TestApp::start().await;
    let owner = app.owner("Solo").await;
    let ids = VictimIds::filled(|| "not-a-uuid".to_owned());
    for case in cases() {
        let by_owner = matches!(case.actor, Actor::Owner)
            && matches!(case.expect, Expect::NotFound)
            && !case.query.trim_start().starts_with("subscription");
        if !by_owner {
            continue;
        }
        let reply = app
            .gql(Some(&owner.access), case.query, (case.variables)(&ids))
            .await;
        assert_eq!(reply.code(), "NOT_FOUND", "{}", case.name);
    }
}
