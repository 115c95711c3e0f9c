//! Limits a hostile caller tries to slip past: forged forwarding headers, parallel password
//! guesses, floods of subscriptions.

use serde_json::json;

use crate::support::{Reply, TestApp};

const ANONYMOUS_QUERY: &str = "{ __typename }";

async fn anonymous(app: &TestApp, forwarded_for: &str) -> Reply {
    let response = app
        .client
        .post(app.url("/graphql"))
        .insert_header(("content-type", "application/json"))
        .insert_header(("x-forwarded-for", forwarded_for))
        .send_body(json!({ "query": ANONYMOUS_QUERY }).to_string())
        .await
        .expect("request sent");
    Reply::read(response).await
}

/// How many of `count` anonymous requests, each claiming another client address, got through.
async fn served_with_forged_addresses(app: &TestApp, count: u32) -> u32 {
    let mut served = 0;
    for i in 0..count {
        let reply = anonymous(app, &format!("198.51.100.{}", i % 250 + 1)).await;
        match reply.status {
            200 => served += 1,
            429 => assert_eq!(reply.code(), "RATE_LIMITED"),
            other => panic!("unexpected status {other}: {}", reply.raw),
        }
    }
    served
}

#[actix_web::test]
async fn forged_forwarding_headers_share_the_peers_budget() {
    let app = TestApp::start_with(|config| config.rate_limit_budget = 10).await;
    // The loopback peer is not a trusted proxy: its header is ignored, so one budget for all.
    let served = served_with_forged_addresses(&app, 30).await;
    assert!(
        served <= 10,
        "{served} requests escaped the anonymous limit"
    );
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let app = TestApp::start_with(|config| {
        config.rate_limit_budget = 10;
        config.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    assert_eq!(served_with_forged_addresses(&app, 30).await, 30);
    // One client behind the proxy still runs out; a forged left-most entry changes nothing.
    let mut last = anonymous(&app, "203.0.113.5").await;
    for i in 0..30 {
        last = anonymous(&app, &format!("10.9.9.{i}, 203.0.113.5")).await;
        if last.status == 429 {
            break;
        }
    }
    assert_eq!(last.status, 429, "{}", last.raw);
}

#[actix_web::test]
async fn parallel_wrong_passwords_each_count_toward_the_lock_out() {
    let app = TestApp::start_with(|config| {
        config.login_max_failures = 5;
        config.login_lockout_secs = 60;
    })
    .await;
    app.sign_up("par@example.com").await;
    let attempt = "mutation { logIn(input: {email: \"par@example.com\", password: \"not the password\"}) { accessToken } }";
    let guesses = (0..5).map(|_| app.gql(None, attempt, json!({})));
    let answers = futures_util::future::join_all(guesses).await;
    for answer in &answers {
        assert!(
            matches!(answer.code(), "UNAUTHENTICATED" | "RATE_LIMITED"),
            "{}",
            answer.raw
        );
    }
    // Five guesses at once are five failures: the account is locked, right password or not.
    let right = app.log_in("par@example.com", None).await;
    assert_eq!(right.code(), "RATE_LIMITED", "{}", right.raw);
}

#[actix_web::test]
async fn absurd_contract_terms_are_refused_by_path_and_write_nothing() {
    let app = TestApp::start().await;
    let owner = app.owner("Bounds").await;
    let contracts = "{ leadContracts { edges { node { id terms } } } }";
    let before = app.gql(Some(&owner.access), contracts, json!({})).await;
    let draft = before.data("leadContracts")["edges"][0]["node"].clone();
    let update = "mutation($id: ID!, $t: JSON!) { updateLeadContract(id: $id, terms: $t) { id } }";
    let spoilt = [
        (
            "terms.slas.statusUpdateHours",
            "/slas/statusUpdateHours",
            json!(4_000_000_000u64),
        ),
        (
            "terms.rejection.windowHours",
            "/rejection/windowHours",
            json!(100_000),
        ),
        (
            "terms.slas.firstTouchWarmMinutes",
            "/slas/firstTouchWarmMinutes",
            json!(99_999_999),
        ),
        (
            "terms.scoring.nurtureAfterDays",
            "/scoring/nurtureAfterDays",
            json!(4_000_000_000u64),
        ),
    ];
    for (field, pointer, value) in spoilt {
        let mut terms = draft["terms"].clone();
        *terms.pointer_mut(pointer).expect(pointer) = value;
        let reply = app
            .gql(
                Some(&owner.access),
                update,
                json!({"id": draft["id"], "t": terms}),
            )
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.raw);
        assert_eq!(reply.field(), Some(field), "{}", reply.raw);
    }
    let after = app.gql(Some(&owner.access), contracts, json!({})).await;
    assert_eq!(
        after.body["data"], before.body["data"],
        "a refused update wrote something"
    );
}
