//! Authentication reads the database once per credential and TTL, not once per request: a
//! session's liveness, a member's role and an API token are cached per instance. Every change
//! that affects them still applies to the very next request on the instance that made it, on
//! another instance as soon as the bus carries it, and within the TTL when no bus does.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{
    process::{Launch, ServerProcess},
    test_config, wait, Backend, Reply, Session, TestApp,
};

const TYPENAME: &str = "{ __typename }";
const WORKSPACE: &str = "{ workspace { id } }";
/// Owners and admins only (ManageIntegrations).
const TOKENS: &str = "{ apiTokens { id } }";
const SET_ROLE: &str =
    "mutation($id: ID!, $role: Role!) { updateMemberRole(memberId: $id, role: $role) { role } }";
const REMOVE: &str = "mutation($id: ID!) { removeMember(memberId: $id) { id } }";
const REVOKE: &str = "mutation($id: ID!) { revokeApiToken(id: $id) { id } }";
const ALLOW_LIST: &str = "mutation($id: ID!, $on: Boolean!) { setApiTokenTrustedDocumentsOnly(id: $id, enabled: $on) { trustedDocumentsOnly } }";

fn assert_ok(reply: &Reply, what: &str) {
    assert!(reply.body["errors"].is_null(), "{what}: {}", reply.raw);
}

fn assert_unauthenticated(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.raw);
    assert_eq!(reply.code(), "UNAUTHENTICATED", "{what}");
}

fn assert_forbidden(reply: &Reply, what: &str) {
    assert_eq!(reply.code(), "FORBIDDEN", "{what}: {}", reply.raw);
}

async fn set_role(app: &TestApp, owner: &Session, member: &Session, role: &str) {
    let id = member.member_id.as_deref().unwrap();
    app.gql(
        Some(&owner.access),
        SET_ROLE,
        json!({"id": id, "role": role}),
    )
    .await
    .data("updateMemberRole");
}

#[actix_web::test]
async fn a_role_change_applies_to_the_next_request() {
    let app = TestApp::start().await;
    let owner = app.owner("Roles").await;
    let rep = app.member(&owner, "REP").await;
    // Twice, so the second answer comes from the cache.
    for _ in 0..2 {
        assert_forbidden(&app.gql(Some(&rep.access), TOKENS, json!({})).await, "rep");
    }
    set_role(&app, &owner, &rep, "ADMIN").await;
    assert_ok(
        &app.gql(Some(&rep.access), TOKENS, json!({})).await,
        "promoted",
    );
    set_role(&app, &owner, &rep, "REP").await;
    assert_forbidden(
        &app.gql(Some(&rep.access), TOKENS, json!({})).await,
        "demoted",
    );
}

#[actix_web::test]
async fn revocations_refuse_the_next_request_on_the_same_instance() {
    let app = TestApp::start().await;
    let owner = app.owner("Revoked").await;
    let rep = app.member(&owner, "REP").await;
    let second = app.member(&owner, "REP").await;
    let (token, token_id) = app.api_token(&owner, &["workspace:read"]).await;
    for _ in 0..2 {
        for session in [&rep, &second] {
            assert_ok(
                &app.gql(Some(&session.access), WORKSPACE, json!({})).await,
                "warm",
            );
        }
        assert_ok(&app.gql(Some(&token), WORKSPACE, json!({})).await, "warm");
    }

    app.gql(Some(&rep.access), "mutation { logOut }", json!({}))
        .await
        .data("logOut");
    assert_unauthenticated(
        &app.gql(Some(&rep.access), TYPENAME, json!({})).await,
        "logged out",
    );

    app.gql(Some(&owner.access), REVOKE, json!({"id": token_id}))
        .await
        .data("revokeApiToken");
    assert_unauthenticated(
        &app.gql(Some(&token), TYPENAME, json!({})).await,
        "revoked token",
    );

    let id = second.member_id.as_deref().unwrap();
    app.gql(Some(&owner.access), REMOVE, json!({"id": id}))
        .await
        .data("removeMember");
    assert_forbidden(
        &app.gql(Some(&second.access), WORKSPACE, json!({})).await,
        "removed member",
    );
}

#[actix_web::test]
async fn switching_a_token_to_its_allow_list_applies_to_the_next_request() {
    let app = TestApp::start().await;
    let owner = app.owner("Allow list").await;
    let (token, token_id) = app.api_token(&owner, &["workspace:read"]).await;
    for _ in 0..2 {
        assert_ok(&app.gql(Some(&token), WORKSPACE, json!({})).await, "warm");
    }
    app.gql(
        Some(&owner.access),
        ALLOW_LIST,
        json!({"id": token_id, "on": true}),
    )
    .await
    .data("setApiTokenTrustedDocumentsOnly");
    assert_forbidden(
        &app.gql(Some(&token), WORKSPACE, json!({})).await,
        "unregistered document",
    );
}

/// Statements sent by each of `runs` `{ __typename }` requests with `token`, after one request
/// that fills the cache.
async fn statements_after_the_first(app: &TestApp, token: &str, runs: usize) -> (u64, Vec<u64>) {
    let mut costs = Vec::new();
    for _ in 0..=runs {
        let before = app.state.prometheus.statements();
        assert_ok(&app.gql(Some(token), TYPENAME, json!({})).await, "typename");
        costs.push(app.state.prometheus.statements() - before);
    }
    let first = costs.remove(0);
    (first, costs)
}

#[actix_web::test]
async fn a_repeated_credential_costs_no_statement() {
    // No background polling, and a TTL the test cannot outlast.
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.auth_cache_ttl_ms = 600_000;
    })
    .await;
    let owner = app.owner("Counting").await;
    // A person: the session and the seat, then nothing.
    let (first, rest) = statements_after_the_first(&app, &owner.access, 5).await;
    assert!(first >= 2, "a person's first request reads the credential");
    assert_eq!(
        rest,
        vec![0; 5],
        "a person: statements per request after the first"
    );
    // A token: the token and its last use, then nothing (its use is written once a minute).
    let (token, _) = app.api_token(&owner, &["workspace:read"]).await;
    let (first, rest) = statements_after_the_first(&app, &token, 5).await;
    assert!(first >= 2, "a token's first request reads the credential");
    assert_eq!(
        rest,
        vec![0; 5],
        "a token: statements per request after the first"
    );

    // With the cache off every request reads the credential again.
    let uncached = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.auth_cache_ttl_ms = 0;
    })
    .await;
    let owner = uncached.owner("Uncached").await;
    let (_, rest) = statements_after_the_first(&uncached, &owner.access, 3).await;
    assert!(rest.iter().all(|&n| n >= 2), "{rest:?}");
}

/// Two instances on one database, each with a bus of its own (as when the bus loses the
/// message): the other instance learns of a revocation only when its entry expires.
#[actix_web::test]
async fn without_the_bus_another_instance_refuses_within_the_ttl() {
    const TTL_MS: u64 = 500;
    let backend = Backend::fresh();
    let instance = |backend: &Backend| {
        let mut config = test_config(backend);
        config.redis_url = None;
        config.auth_cache_ttl_ms = TTL_MS;
        config
    };
    let a = TestApp::serve(
        accord_api::state::AppState::build(instance(&backend))
            .await
            .unwrap(),
    )
    .await;
    let b = TestApp::serve(
        accord_api::state::AppState::build(instance(&backend))
            .await
            .unwrap(),
    )
    .await;
    let owner = a.owner("Elsewhere").await;
    let rep = a.member(&owner, "REP").await;
    let (token, token_id) = a.api_token(&owner, &["workspace:read"]).await;
    for credential in [&rep.access, &token] {
        assert_ok(&b.gql(Some(credential), WORKSPACE, json!({})).await, "warm");
    }

    a.gql(Some(&rep.access), "mutation { logOut }", json!({}))
        .await
        .data("logOut");
    a.gql(Some(&owner.access), REVOKE, json!({"id": token_id}))
        .await
        .data("revokeApiToken");
    let within = Duration::from_millis(TTL_MS) + Duration::from_secs(3);
    for (what, credential) in [("the session", &rep.access), ("the token", &token)] {
        wait::until(
            &format!("{what} refused on the other instance"),
            within,
            || async {
                let reply = b.gql(Some(credential), TYPENAME, json!({})).await;
                (reply.status == 401).then_some(())
            },
        )
        .await;
    }
}

/// What to wait for on the other instance: a name, a credential, a query and the answer's test.
type Check<'a> = (&'a str, &'a str, &'a str, fn(&Reply) -> bool);

async fn remote(server: &ServerProcess, token: &str, query: &str, variables: Value) -> Reply {
    server.gql(Some(token), query, variables).await
}

/// Two processes on one database and one Redis, with a TTL far longer than the test: the other
/// instance refuses because the bus told it, not because its entry expired.
#[actix_web::test]
async fn over_the_bus_another_instance_refuses_at_once() {
    let backend = Backend::fresh();
    if backend.redis_url.is_none() {
        eprintln!("credential_cache: Redis lane only (set ACCORD_TEST_REDIS_URL)");
        return;
    }
    let launch = || Launch {
        env: &[("ACCORD_AUTH_CACHE_TTL_MS", "600000")],
        ..Launch::default()
    };
    let a = ServerProcess::launch(&backend, launch()).await;
    let b = ServerProcess::launch(&backend, launch()).await;
    let people = crate::support::people::Remote {
        server: &a,
        backend: &backend,
    };
    let owner = crate::support::people::owner(&people, "Bus").await;
    let rep = crate::support::people::member(&people, &owner, "REP").await;
    let leaving = crate::support::people::member(&people, &owner, "REP").await;
    let token = a
        .gql(
            Some(&owner.access),
            "mutation { createApiToken(input: {name: \"p\", scopes: [\"workspace:read\"]}) { token apiToken { id } } }",
            json!({}),
        )
        .await;
    let created = token.data("createApiToken");
    let (token, token_id) = (
        created["token"].as_str().unwrap().to_owned(),
        created["apiToken"]["id"].as_str().unwrap().to_owned(),
    );
    for credential in [&owner.access, &rep.access, &leaving.access, &token] {
        assert_ok(&remote(&b, credential, WORKSPACE, json!({})).await, "warm");
    }
    assert_forbidden(&remote(&b, &rep.access, TOKENS, json!({})).await, "rep");

    let id = rep.member_id.as_deref().unwrap();
    remote(
        &a,
        &owner.access,
        SET_ROLE,
        json!({"id": id, "role": "ADMIN"}),
    )
    .await
    .data("updateMemberRole");
    let id = leaving.member_id.as_deref().unwrap();
    remote(&a, &owner.access, REMOVE, json!({"id": id}))
        .await
        .data("removeMember");
    remote(&a, &owner.access, REVOKE, json!({"id": token_id}))
        .await
        .data("revokeApiToken");
    remote(&a, &owner.access, "mutation { logOut }", json!({}))
        .await
        .data("logOut");

    let within = Duration::from_secs(10);
    let b = &b;
    let checks: [Check; 4] = [
        ("the promotion", &rep.access, TOKENS, |r| {
            r.body["errors"].is_null()
        }),
        ("the removal", &leaving.access, WORKSPACE, |r| {
            r.body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        }),
        ("the token revocation", &token, TYPENAME, |r| {
            r.status == 401
        }),
        ("the log-out", &owner.access, TYPENAME, |r| r.status == 401),
    ];
    for (what, credential, query, holds) in checks {
        wait::until(
            &format!("{what} applies on the other instance"),
            within,
            || async move { holds(&remote(b, credential, query, json!({})).await).then_some(()) },
        )
        .await;
    }
}
