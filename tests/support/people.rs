//! People joining workspaces the way they do in production (sign up, confirm the mailed link,
//! accept the mailed invitation, log in), written once for every kind of test server: the
//! in-process [`TestApp`](super::TestApp) and a server process ([`Remote`]).

use serde_json::{json, Value};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use super::{outbox_token, process::ServerProcess, Backend, Reply, Session, TestApp};

/// The password every test person signs up with.
pub const PASSWORD: &str = "correct horse battery";

/// A server the people fixtures speak to: GraphQL over HTTP, and the outbox its mail goes to.
#[allow(async_fn_in_trait)]
pub trait Server {
    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply;
    /// The token in the latest mail of `kind` to `email`.
    async fn mailed_token(&self, email: &str, kind: &str) -> String;
}

/// A server process and the backend its outbox lives in.
pub struct Remote<'a> {
    pub server: &'a ServerProcess,
    pub backend: &'a Backend,
}

impl Server for Remote<'_> {
    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        self.server.gql(token, query, variables).await
    }

    async fn mailed_token(&self, email: &str, kind: &str) -> String {
        outbox_token(self.backend, email, kind).await
    }
}

/// Signs a person up; returns their access token, refresh token and user id.
pub async fn sign_up(server: &impl Server, email: &str) -> Session {
    sign_up_named(server, email, "Test Person").await
}

/// Signs a person called `name` up.
pub async fn sign_up_named(server: &impl Server, email: &str, name: &str) -> Session {
    let reply = server
        .gql(
            None,
            "mutation($email: String!, $password: String!, $name: String!) { signUp(input: {email: $email, password: $password, name: $name}) { accessToken refreshToken user { id } } }",
            json!({ "email": email, "password": PASSWORD, "name": name }),
        )
        .await;
    let mut session = Session::from_payload(reply.data("signUp"));
    session.email = email.to_owned();
    session
}

/// A new person who owns a new workspace; the session acts in it.
pub async fn owner(server: &impl Server, workspace_name: &str) -> Session {
    let email = format!("owner-{}@example.com", uuid::Uuid::now_v7().simple());
    let person = sign_up(server, &email).await;
    let reply = server
        .gql(
            Some(&person.access),
            "mutation($name: String!) { createWorkspace(input: {name: $name}) { accessToken refreshToken user { id } workspace { id } } }",
            json!({ "name": workspace_name }),
        )
        .await;
    let mut session = Session::from_payload(reply.data("createWorkspace"));
    session.email = email;
    session
}

/// Adds a new person to `owner`'s workspace with `role` the way people join: they sign up,
/// confirm their address with the mailed link, the owner invites the address and they accept
/// the mailed invitation. Returns their session in the workspace.
pub async fn member(server: &impl Server, owner: &Session, role: &str) -> Session {
    member_named(server, owner, role, "Test Person").await
}

/// [`member`], for a person called `name`.
pub async fn member_named(
    server: &impl Server,
    owner: &Session,
    role: &str,
    name: &str,
) -> Session {
    let email = format!(
        "{}-{}@example.com",
        role.to_lowercase(),
        uuid::Uuid::now_v7().simple()
    );
    let person = sign_up_named(server, &email, name).await;
    verify(server, &email).await;
    server
        .gql(
            Some(&owner.access),
            "mutation($email: String!, $role: Role!) { addMember(input: {email: $email, role: $role}) { id } }",
            json!({ "email": email, "role": role }),
        )
        .await
        .data("addMember");
    let token = server.mailed_token(&email, "invitation").await;
    let accepted = accept(server, &person, &token).await;
    let member_id = accepted.data("acceptInvitation")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = log_in(server, &email, owner.workspace_id.as_deref()).await;
    let mut session = Session::from_payload(reply.data("logIn"));
    session.email = email;
    session.member_id = Some(member_id);
    session
}

/// Follows the latest verification link mailed to `email`.
pub async fn verify(server: &impl Server, email: &str) -> Reply {
    let token = server.mailed_token(email, "verify_email").await;
    let reply = server
        .gql(
            None,
            "mutation($token: String!) { verifyEmail(token: $token) { id emailVerified } }",
            json!({ "token": token }),
        )
        .await;
    assert_eq!(
        reply.data("verifyEmail")["emailVerified"],
        true,
        "{}",
        reply.raw
    );
    reply
}

/// `person` accepts the invitation `token`.
pub async fn accept(server: &impl Server, person: &Session, token: &str) -> Reply {
    server
        .gql(
            Some(&person.access),
            "mutation($token: String!) { acceptInvitation(token: $token) { id role } }",
            json!({ "token": token }),
        )
        .await
}

pub async fn log_in(server: &impl Server, email: &str, workspace_id: Option<&str>) -> Reply {
    server
        .gql(
            None,
            "mutation($email: String!, $password: String!, $ws: ID) { logIn(input: {email: $email, password: $password, workspaceId: $ws}) { accessToken refreshToken expiresAt user { id } workspace { id } } }",
            json!({ "email": email, "password": PASSWORD, "ws": workspace_id }),
        )
        .await
}

/// The session (refresh-token family) an access token belongs to, read from its claims.
pub fn session_id_of(access_token: &str) -> String {
    let payload = access_token.split('.').nth(1).expect("a JWT has a payload");
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).unwrap();
    claims["sid"].as_str().expect("sid claim").to_owned()
}

/// A demo person's access token (every demo person shares the demo password).
pub async fn demo_access_token(app: &TestApp, email: &str) -> String {
    let reply = app
        .gql(
            None,
            "mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { accessToken } }",
            json!({"e": email, "p": accord_api::demo::DEMO_PASSWORD}),
        )
        .await;
    reply.data("logIn")["accessToken"]
        .as_str()
        .expect("the demo person logs in")
        .to_owned()
}
