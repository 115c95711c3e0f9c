//! Outbound webhooks against a real HTTP receiver started by the test: signed deliveries that
//! fail, time out and recover; a receiver that answers 410; one that stays down for a day; the
//! owner's trigger; refusals.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use serde_json::{json, Value};

use crate::support::{
    fixtures::{hot_lead, team},
    wait,
    webhook_receiver::{start_receiver, wait_for, Answer, Shared},
    TestApp,
};

#[actix_web::test]
async fn deliveries_are_signed_retried_and_disabled() {
    // The receiver's "hang" outlasts a 500 ms timeout; jobs only run when woken; the receiver
    // is on this machine.
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.webhook_timeout_ms = 500;
        config.webhook_allow_private = true;
    })
    .await;
    let team = team(&app).await;
    let owner = &team.owner.access;
    let shared: Shared = Arc::default();
    {
        let mut receiver = shared.lock().unwrap();
        receiver.scripts.insert(
            "/hook".into(),
            VecDeque::from([Answer::Status(500), Answer::Hang, Answer::Status(204)]),
        );
        receiver
            .defaults
            .insert("/gone".into(), Answer::Status(410));
        receiver
            .defaults
            .insert("/down".into(), Answer::Status(503));
    }
    let base = start_receiver(shared.clone());
    let create = "mutation($u: String!, $e: [String!]!, $s: String) { createWebhook(input: {url: $u, events: $e, secret: $s}) { secret webhook { id status events } } }";
    let secret = "a-long-shared-secret";
    let hook = app
        .gql(
            Some(owner),
            create,
            json!({"u": format!("{base}/hook"), "e": ["lead.mql"], "s": secret}),
        )
        .await;
    let hook_id = hook.data("createWebhook")["webhook"]["id"].clone();
    assert_eq!(hook.data("createWebhook")["secret"], secret);
    let gone = app
        .gql(
            Some(owner),
            create,
            json!({"u": format!("{base}/gone"), "e": ["lead.assigned"]}),
        )
        .await;
    let gone_id = gone.data("createWebhook")["webhook"]["id"].clone();
    assert!(gone.data("createWebhook")["secret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));
    let down = app
        .gql(
            Some(owner),
            create,
            json!({"u": format!("{base}/down"), "e": ["lead.mql"]}),
        )
        .await;
    let down_id = down.data("createWebhook")["webhook"]["id"].clone();

    // One demo request: the lead becomes an MQL (to /hook and /down) and is assigned (/gone).
    let clock = &app.state.clock;
    clock.freeze_at(clock.now());
    hot_lead(&app, &team, "pat@receiver-test.io", "Webinar").await;

    // First attempt: 500.
    let first = wait_for(&app, owner, &hook_id, |d| d[0]["attempts"] == 1).await;
    assert_eq!(first[0]["status"], "PENDING");
    assert_eq!(first[0]["lastStatusCode"], 500);
    assert_eq!(first[0]["lastError"], "http 500");
    // The retry is due 30-36 s later: nothing happens before, however often the sender runs.
    app.state.webhooks_wakeup.notify_one();
    wait::quiet_for(StdDuration::from_millis(200)).await;
    assert_eq!(shared.lock().unwrap().received["/hook"].len(), 1);
    clock.advance(Duration::seconds(37));
    app.state.webhooks_wakeup.notify_one();
    // Second attempt: the receiver hangs past the timeout.
    let second = wait_for(&app, owner, &hook_id, |d| d[0]["attempts"] == 2).await;
    assert!(second[0]["lastStatusCode"].is_null());
    assert_eq!(second[0]["lastError"], "timeout");
    clock.advance(Duration::seconds(73));
    app.state.webhooks_wakeup.notify_one();
    let third = wait_for(&app, owner, &hook_id, |d| d[0]["status"] == "DELIVERED").await;
    let log = third[0]["attemptLog"].as_array().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["statusCode"], 500);
    assert!(log[1]["statusCode"].is_null() && log[1]["error"] == "timeout");
    assert!(log[2]["error"].is_null());
    assert!(log[1]["latencyMs"].as_i64().unwrap() >= 500, "{}", log[1]);
    assert_eq!(log[2]["statusCode"], 204);

    // Every attempt carried the same event id and a valid signature over timestamp and body.
    let received = shared.lock().unwrap().received["/hook"].clone();
    assert_eq!(received.len(), 3);
    let event_id = third[0]["eventId"].as_str().unwrap();
    for request in &received {
        assert_eq!(request.headers["accord-event-id"], event_id);
        assert_eq!(request.headers["accord-event"], "lead.mql");
        let timestamp: i64 = request.headers["accord-timestamp"].parse().unwrap();
        assert!(accord_api::domain::webhooks::verify(
            secret,
            timestamp,
            &request.body,
            &request.headers["accord-signature"]
        ));
        assert!(!accord_api::domain::webhooks::verify(
            "not-the-secret-at-all",
            timestamp,
            &request.body,
            &request.headers["accord-signature"]
        ));
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["id"], event_id);
        assert_eq!(body["type"], "lead.mql");
        assert_eq!(body["data"]["lead"]["email"], "pat@receiver-test.io");
        assert_eq!(body["data"]["lead"]["stage"], "MQL");
    }

    // 410 Gone: the webhook is disabled at once and its owner told.
    let hooks = "{ webhooks { nodes { id status disabledReason } } }";
    let gone_now = wait_for(&app, owner, &gone_id, |d| d[0]["status"] == "FAILED").await;
    assert_eq!(gone_now[0]["attempts"], 1);
    let listed = app.gql(Some(owner), hooks, json!({})).await;
    let gone_row = listed.data("webhooks")["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == gone_id)
        .unwrap()
        .clone();
    assert_eq!(gone_row["status"], "DISABLED");
    assert!(gone_row["disabledReason"].as_str().unwrap().contains("410"));

    // /down answers 503 for a day: attempts back off until 24 hours have passed, then the
    // delivery is given up and the webhook disabled.
    for _ in 0..8 {
        let before = wait_for(&app, owner, &down_id, |_| true).await[0]["attempts"].clone();
        if before.as_i64().unwrap() > 0 {
            clock.advance(Duration::hours(7));
        }
        app.state.webhooks_wakeup.notify_one();
        let after = wait_for(&app, owner, &down_id, |d| d[0]["attempts"] != before).await;
        if after[0]["status"] == "FAILED" {
            break;
        }
    }
    let down_now = wait_for(&app, owner, &down_id, |_| true).await;
    assert_eq!(down_now[0]["status"], "FAILED");
    // Attempts: at 0, 37 s and 110 s (while /hook was retried, the clock moved for both), then
    // at 7, 14 and 21 hours (each retry due minutes after the previous), and at 28 hours, past
    // the day: given up. Seven.
    assert_eq!(down_now[0]["attempts"], 7);
    let listed = app.gql(Some(owner), hooks, json!({})).await;
    let down_row = listed.data("webhooks")["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == down_id)
        .unwrap()
        .clone();
    assert_eq!(down_row["status"], "DISABLED");
    assert!(down_row["disabledReason"]
        .as_str()
        .unwrap()
        .contains("24 hours"));
    let inbox = app
        .gql(Some(owner), "{ triggers { kind message } }", json!({}))
        .await;
    let disabled: Vec<&Value> = inbox
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "WEBHOOK_DISABLED")
        .collect();
    assert_eq!(disabled.len(), 2, "{disabled:?}");

    // Re-enabled, it receives again.
    let enabled = app
        .gql(
            Some(owner),
            "mutation($id: ID!) { updateWebhook(id: $id, input: {active: true}) { status disabledReason } }",
            json!({"id": down_id}),
        )
        .await;
    assert_eq!(
        enabled.data("updateWebhook"),
        &json!({"status": "ACTIVE", "disabledReason": null})
    );
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    let metrics = String::from_utf8_lossy(&metrics);
    for line in [
        "accord_webhook_attempts_total{outcome=\"failed\"}",
        "accord_webhook_attempts_total{outcome=\"delivered\"} 1",
        "accord_ingested_events_total{status=\"accepted\"} 1",
        "accord_job_queue_depth{queue=\"webhook_deliveries\"} 0",
        "accord_job_queue_depth{queue=\"sla_clocks\"}",
        "accord_trigger_delivery_seconds_count",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
}

/// A delivery whose attempt is still out when its webhook is turned off stays cancelled and
/// keeps its place: the late attempt is logged, but it schedules no retry (lists ordered by the
/// next attempt must not see the row move).
#[actix_web::test]
async fn an_attempt_that_ends_after_its_webhook_is_disabled_schedules_nothing() {
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.webhook_timeout_ms = 1_000;
        config.webhook_allow_private = true;
    })
    .await;
    let team = team(&app).await;
    let owner = &team.owner.access;
    let shared: Shared = Arc::default();
    shared
        .lock()
        .unwrap()
        .defaults
        .insert("/slow".into(), Answer::Hang);
    let base = start_receiver(shared.clone());
    let hook_id = app
        .gql(
            Some(owner),
            "mutation($u: String!) { createWebhook(input: {url: $u, events: [\"lead.mql\"]}) { webhook { id } } }",
            json!({"u": format!("{base}/slow")}),
        )
        .await
        .data("createWebhook")["webhook"]["id"]
        .clone();
    hot_lead(&app, &team, "kim@in-flight.io", "Webinar").await;
    wait::until(
        "the attempt reaches the receiver",
        StdDuration::from_secs(10),
        || async {
            let received = shared.lock().unwrap().received.contains_key("/slow");
            received.then_some(())
        },
    )
    .await;
    let query = "query($id: ID!) { webhookDeliveries(webhookId: $id) { nodes { status attempts nextAttemptAt lastError } } }";
    let deliveries =
        |reply: crate::support::Reply| reply.data("webhookDeliveries")["nodes"][0].clone();
    let leased = deliveries(app.gql(Some(owner), query, json!({"id": hook_id})).await);
    assert_eq!(leased["attempts"], 0, "still out: {leased}");
    app.gql(
        Some(owner),
        "mutation($id: ID!) { updateWebhook(id: $id, input: {active: false}) { id } }",
        json!({"id": hook_id}),
    )
    .await
    .data("updateWebhook");
    wait_for(&app, owner, &hook_id, |d| d[0]["attempts"] == 1).await;
    let after = deliveries(app.gql(Some(owner), query, json!({"id": hook_id})).await);
    assert_eq!(after["status"], "CANCELLED");
    assert_eq!(
        after["lastError"], "timeout",
        "the attempt is logged: {after}"
    );
    assert_eq!(
        after["nextAttemptAt"], leased["nextAttemptAt"],
        "a cancelled delivery is not rescheduled"
    );
}

#[actix_web::test]
async fn webhooks_are_validated_and_only_managers_register_them() {
    let app = TestApp::start().await;
    let team = team(&app).await;
    let create = "mutation($u: String!, $e: [String!]!, $s: String) { createWebhook(input: {url: $u, events: $e, secret: $s}) { webhook { id createdBy } } }";
    let bad_url = app
        .gql(
            Some(&team.owner.access),
            create,
            json!({"u": "ftp://x", "e": ["lead.mql"]}),
        )
        .await;
    assert_eq!(bad_url.code(), "BAD_USER_INPUT");
    assert_eq!(bad_url.field(), Some("input.url"));
    let bad_event = app
        .gql(
            Some(&team.owner.access),
            create,
            json!({"u": "https://example.com/h", "e": ["lead.nope"]}),
        )
        .await;
    assert_eq!(bad_event.field(), Some("input.events"));
    let short_secret = app
        .gql(
            Some(&team.owner.access),
            create,
            json!({"u": "https://example.com/h", "e": ["*"], "s": "short"}),
        )
        .await;
    assert_eq!(short_secret.field(), Some("input.secret"));
    let by_rep = app
        .gql(
            Some(&team.rep.access),
            create,
            json!({"u": "https://example.com/h", "e": ["*"]}),
        )
        .await;
    assert_eq!(by_rep.code(), "FORBIDDEN");
    let listed = app
        .gql(
            Some(&team.owner.access),
            "{ webhooks { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data("webhooks")["nodes"], json!([]));

    // A partner app with `webhooks:write` registers one; its owner is the token's creator.
    let (token, _) = app.api_token(&team.owner, &["webhooks:write"]).await;
    let made = app
        .gql(
            Some(&token),
            create,
            json!({"u": "https://partner.example.com/accord", "e": ["opportunity.won"]}),
        )
        .await;
    assert_eq!(
        made.data("createWebhook")["webhook"]["createdBy"],
        team.owner.user_id
    );
    let id = made.data("createWebhook")["webhook"]["id"].clone();
    let (reader, _) = app.api_token(&team.owner, &["leads:read"]).await;
    let refused = app
        .gql(Some(&reader), "{ webhooks { nodes { id } } }", json!({}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let deleted = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(deleted.data("deleteWebhook"), &id);
    let again = app
        .gql(
            Some(&token),
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(again.code(), "NOT_FOUND");
}
