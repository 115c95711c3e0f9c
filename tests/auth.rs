//! Sign-up, log-in, sessions and the attacks on them.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::support::{people::session_id_of, TestApp};

const ME: &str = "{ me { id email } }";

#[actix_web::test]
async fn sign_up_then_me_and_emails_are_case_insensitive() {
    let app = TestApp::start().await;
    let ana = app.sign_up("Ana.Lopez@Example.com").await;
    let me = app.gql(Some(&ana.access), ME, json!({})).await;
    assert_eq!(me.data("me")["email"], "ana.lopez@example.com");

    // A second sign-up with the address answers like any sign-up (it must not tell that the
    // address is registered): a new, unverified account that can take no seat.
    let again = app
        .gql(
            None,
            "mutation { signUp(input: {email: \"ANA.LOPEZ@example.COM\", password: \"another long password\", name: \"Ana\"}) { accessToken user { id email emailVerified } } }",
            json!({}),
        )
        .await;
    let user = &again.data("signUp")["user"];
    assert_ne!(user["id"], json!(ana.user_id));
    assert_eq!(user["email"], "ana.lopez@example.com");
    assert_eq!(user["emailVerified"], false);
}

#[actix_web::test]
async fn bad_sign_up_input_names_the_field_and_writes_nothing() {
    let app = TestApp::start().await;
    let cases = [
        (
            "not-an-email",
            "correct horse battery",
            "Ana",
            "input.email",
        ),
        ("ana@example.com", "short", "Ana", "input.password"),
        (
            "ana@example.com",
            "correct horse battery",
            "   ",
            "input.name",
        ),
    ];
    for (email, password, name, field) in cases {
        let reply = app
            .gql(
                None,
                "mutation($e: String!, $p: String!, $n: String!) { signUp(input: {email: $e, password: $p, name: $n}) { accessToken } }",
                json!({"e": email, "p": password, "n": name}),
            )
            .await;
        assert_eq!(reply.code(), "BAD_USER_INPUT", "{}", reply.raw);
        assert_eq!(reply.field(), Some(field));
    }
    // Nothing was written: the address is still free.
    app.sign_up("ana@example.com").await;
}

#[actix_web::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let app = TestApp::start().await;
    app.sign_up("bo@example.com").await;
    let wrong = app
        .gql(None, "mutation { logIn(input: {email: \"bo@example.com\", password: \"not the password\"}) { accessToken } }", json!({}))
        .await;
    let unknown = app
        .gql(None, "mutation { logIn(input: {email: \"nobody@example.com\", password: \"not the password\"}) { accessToken } }", json!({}))
        .await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(wrong.code(), unknown.code());
    assert_eq!(
        wrong.body["errors"][0]["message"],
        unknown.body["errors"][0]["message"]
    );
}

#[actix_web::test]
async fn failed_log_ins_are_throttled_per_account() {
    let app = TestApp::start_with(|config| {
        config.login_max_failures = 3;
        config.login_lockout_secs = 60;
    })
    .await;
    app.sign_up("cy@example.com").await;
    let attempt = "mutation { logIn(input: {email: \"cy@example.com\", password: \"not the password\"}) { accessToken } }";
    for _ in 0..3 {
        assert_eq!(
            app.gql(None, attempt, json!({})).await.code(),
            "UNAUTHENTICATED"
        );
    }
    let locked = app.gql(None, attempt, json!({})).await;
    assert_eq!(locked.code(), "RATE_LIMITED");
    // Even the right password waits out the lock-out.
    let right = app.log_in("cy@example.com", None).await;
    assert_eq!(right.code(), "RATE_LIMITED");
    // Another account is not affected.
    app.sign_up("di@example.com").await;
    assert!(app.log_in("di@example.com", None).await.body["errors"].is_null());
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::start().await;
    let first = app.sign_up("eve@example.com").await;
    let rotate =
        "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
    let second = app.gql(None, rotate, json!({"t": first.refresh})).await;
    let second = second.data("refreshSession").clone();
    let second_refresh = second["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first.refresh);

    // Replaying the first token is theft: it fails and takes the whole family with it.
    let replay = app.gql(None, rotate, json!({"t": first.refresh})).await;
    assert_eq!(replay.code(), "UNAUTHENTICATED");
    let after = app.gql(None, rotate, json!({"t": second_refresh})).await;
    assert_eq!(after.code(), "UNAUTHENTICATED");
}

#[actix_web::test]
async fn log_out_ends_the_session() {
    let app = TestApp::start().await;
    let person = app.sign_up("fay@example.com").await;
    let out = app
        .gql(Some(&person.access), "mutation { logOut }", json!({}))
        .await;
    assert_eq!(out.data("logOut"), true);
    let refresh = app
        .gql(
            None,
            "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
            json!({"t": person.refresh}),
        )
        .await;
    assert_eq!(refresh.code(), "UNAUTHENTICATED");
}

fn forge(secret: &[u8], claims: serde_json::Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[actix_web::test]
async fn forged_expired_and_misaddressed_tokens_are_refused() {
    let app = TestApp::start().await;
    let person = app.sign_up("gus@example.com").await;
    let secret = b"test-secret-test-secret-test-secret!";
    let now = chrono::Utc::now().timestamp();
    let base = json!({
        "sub": person.user_id, "sid": session_id_of(&person.access), "wid": null,
        "iss": "accord", "aud": "accord-api", "iat": now, "exp": now + 600, "typ": "access"
    });
    // The harness secret really signs valid tokens: the forgeries below differ in one way each.
    assert!(app
        .gql(Some(&forge(secret, base.clone())), ME, json!({}))
        .await
        .body["errors"]
        .is_null());

    let mut expired = base.clone();
    expired["exp"] = json!(now - 600);
    let mut no_aud = base.clone();
    no_aud.as_object_mut().unwrap().remove("aud");
    let mut wrong_aud = base.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut no_sub = base.clone();
    no_sub.as_object_mut().unwrap().remove("sub");
    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(base.to_string());
    let alg_none = format!("{header_none}.{body}.");

    let attacks = [
        ("alg none", alg_none),
        (
            "another key",
            forge(b"some-other-key-some-other-key-!!", base.clone()),
        ),
        ("expired", forge(secret, expired)),
        ("no audience", forge(secret, no_aud)),
        ("wrong audience", forge(secret, wrong_aud)),
        ("no subject", forge(secret, no_sub)),
        ("refresh token as access token", person.refresh.clone()),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (name, token) in attacks {
        let reply = app.gql(Some(&token), ME, json!({})).await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.raw);
        assert_eq!(reply.code(), "UNAUTHENTICATED", "{name}");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    }
}

#[actix_web::test]
async fn anonymous_callers_get_unauthenticated() {
    let app = TestApp::start().await;
    let reply = app.gql(None, ME, json!({})).await;
    assert_eq!(reply.code(), "UNAUTHENTICATED");
    assert!(reply.body["errors"][0]["extensions"]["requestId"].is_string());
}
