//! Errors carry a code and a request id; internal detail never reaches the client.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn a_broken_database_gives_internal_without_detail() {
    let app = TestApp::start().await;
    let person = app.sign_up("hal@example.com").await;
    // Break the database under the running server.
    app.state
        .store
        .db()
        .execute_unprepared("DROP TABLE refresh_tokens")
        .await
        .unwrap();
    let reply = app
        .gql(
            None,
            "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
            json!({"t": person.refresh}),
        )
        .await;
    assert_eq!(reply.code(), "INTERNAL", "{}", reply.raw);
    let error = &reply.body["errors"][0];
    assert_eq!(error["message"], "internal error");
    let request_id = error["extensions"]["requestId"].as_str().unwrap();
    assert_eq!(reply.header("x-request-id"), Some(request_id));
    let text = reply.raw.to_lowercase();
    for leak in [
        "refresh_tokens",
        "select",
        "sqlite",
        "postgres",
        "relation",
        "no such table",
    ] {
        assert!(!text.contains(leak), "leaked `{leak}`: {}", reply.raw);
    }
}

#[actix_web::test]
async fn a_client_request_id_is_echoed() {
    let app = TestApp::start().await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .insert_header(("content-type", "application/json"))
        .insert_header(("x-request-id", "trace-abc-123"))
        .send_body(json!({"query": "{ me { id } }"}).to_string())
        .await
        .unwrap();
    let reply = crate::support::Reply::read(response).await;
    assert_eq!(reply.header("x-request-id"), Some("trace-abc-123"));
    assert_eq!(
        reply.body["errors"][0]["extensions"]["requestId"],
        "trace-abc-123"
    );
}
