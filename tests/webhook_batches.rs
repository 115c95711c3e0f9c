//! The webhook sender records attempts together: many deliveries that finish at once are each
//! logged and moved on (delivered, retried, given up with their webhook disabled and its owner
//! told) in one transaction whose statements do not grow with the number of attempts, across
//! workspaces, each row kept in its own.

use std::{collections::HashMap, time::Duration as StdDuration};

use accord_api::{
    domain::webhooks::Failure,
    services::webhooks::{
        sender::{self, Outcome},
        Answer,
    },
    store::{webhooks as hooks_store, Tenant},
    telemetry::prometheus::Prometheus,
};
use chrono::Duration;
use entity::{webhook, webhook_attempt, webhook_delivery, DeliveryStatus, WebhookStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{
    wait,
    webhook_receiver::{start_receiver, Answer as Reply, Shared},
    Session, TestApp,
};

const CREATE: &str = "mutation($u: String!) { createWebhook(input: {url: $u, events: [\"lead.mql\"]}) { webhook { id } } }";

async fn create(app: &TestApp, owner: &Session, url: &str) -> Uuid {
    let reply = app
        .gql(Some(&owner.access), CREATE, json!({"u": url}))
        .await;
    id(&reply.data("createWebhook")["webhook"]["id"])
}

fn id(value: &Value) -> Uuid {
    value.as_str().unwrap().parse().unwrap()
}

fn workspace(owner: &Session) -> Uuid {
    owner.workspace_id.as_deref().unwrap().parse().unwrap()
}

/// `n` deliveries to `hook` as the sender holds them once claimed: pending, leased for an hour
/// (so the sender would not pick them up itself).
async fn leased(app: &TestApp, hook: Uuid, workspace_id: Uuid, n: usize) {
    let now = app.state.clock.now();
    for i in 0..n {
        webhook_delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(workspace_id),
            webhook_id: Set(hook),
            event_id: Set(Uuid::now_v7()),
            event: Set("lead.mql".into()),
            payload: Set(json!({"n": i})),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now + Duration::hours(1)),
            last_status_code: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
        }
        .insert(app.db())
        .await
        .unwrap();
    }
}

async fn deliveries_of(app: &TestApp, hook: Uuid) -> Vec<webhook_delivery::Model> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook))
        .all(app.db())
        .await
        .unwrap()
}

async fn attempts_of(app: &TestApp, delivery: Uuid) -> Vec<webhook_attempt::Model> {
    webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(delivery))
        .all(app.db())
        .await
        .unwrap()
}

async fn status_of(app: &TestApp, hook: Uuid) -> WebhookStatus {
    webhook::Entity::find_by_id(hook)
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .status
}

/// The owner's WEBHOOK_DISABLED triggers.
async fn disabled_notices(app: &TestApp, owner: &Session) -> usize {
    let inbox = app
        .gql(Some(&owner.access), "{ triggers { kind } }", json!({}))
        .await;
    inbox
        .data("triggers")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "WEBHOOK_DISABLED")
        .count()
}

fn counted(app: &TestApp, outcome: &str) -> u64 {
    app.state
        .prometheus
        .webhook_attempts
        .with_label_values(&[outcome])
        .get()
}

fn answer(code: u16) -> Answer {
    Answer {
        status_code: Some(code),
        failure: Failure::of_status(code),
        latency: StdDuration::from_millis(12),
    }
}

#[actix_web::test]
async fn attempts_finishing_together_are_recorded_in_constant_statements() {
    // The sender only runs when woken, and nothing here wakes it.
    let app = TestApp::start_with(|config| config.job_poll_ms = 3_600_000).await;
    let clock = &app.state.clock;
    clock.freeze_at(clock.now());
    let owner = app.owner("Recording together").await;
    let workspace_id = workspace(&owner);
    let mut costs = Vec::new();
    for n in [3, 30] {
        let ok = create(&app, &owner, &format!("https://ok{n}.example.com/")).await;
        let retry = create(&app, &owner, &format!("https://retry{n}.example.com/")).await;
        let gone = create(&app, &owner, &format!("https://gone{n}.example.com/")).await;
        let mut outcomes = Vec::new();
        for (hook, code) in [(ok, 200), (retry, 500), (gone, 410)] {
            leased(&app, hook, workspace_id, n / 3).await;
            for delivery in deliveries_of(&app, hook).await {
                outcomes.push(Outcome {
                    delivery,
                    answer: answer(code),
                });
            }
        }
        let (delivered, failed) = (counted(&app, "delivered"), counted(&app, "failed"));
        let notices = disabled_notices(&app, &owner).await;
        let before = app.state.clock.now();

        let (recorded, statements) =
            Prometheus::counting(sender::record_finished(&app.state, &outcomes)).await;
        assert_eq!(recorded, n);
        costs.push(statements);

        for delivery in deliveries_of(&app, ok).await {
            assert_eq!(delivery.status, DeliveryStatus::Delivered);
            assert_eq!(delivery.attempts, 1);
            assert_eq!(delivery.last_status_code, Some(200));
            assert!(delivery.delivered_at.is_some());
            let log = attempts_of(&app, delivery.id).await;
            assert_eq!(log.len(), 1);
            assert_eq!((log[0].status_code, log[0].latency_ms), (Some(200), 12));
            assert_eq!(log[0].error, None);
        }
        for delivery in deliveries_of(&app, retry).await {
            assert_eq!(delivery.status, DeliveryStatus::Pending);
            assert_eq!(delivery.attempts, 1);
            assert_eq!(delivery.last_error.as_deref(), Some("http 500"));
            // Due again 30 to 36 seconds on, no longer at the lease's end.
            assert!(delivery.next_attempt_at >= before + Duration::seconds(30));
            assert!(delivery.next_attempt_at <= before + Duration::seconds(36));
            let log = attempts_of(&app, delivery.id).await;
            assert_eq!(log.len(), 1);
            assert_eq!(log[0].error.as_deref(), Some("http 500"));
        }
        for delivery in deliveries_of(&app, gone).await {
            assert_eq!(delivery.status, DeliveryStatus::Failed);
            assert_eq!(delivery.attempts, 1);
            assert_eq!(delivery.delivered_at, None);
            assert_eq!(attempts_of(&app, delivery.id).await.len(), 1);
        }
        // Given up: that webhook alone is disabled, and its owner told once.
        assert_eq!(status_of(&app, gone).await, WebhookStatus::Disabled);
        assert_eq!(status_of(&app, ok).await, WebhookStatus::Active);
        assert_eq!(status_of(&app, retry).await, WebhookStatus::Active);
        assert_eq!(disabled_notices(&app, &owner).await, notices + 1);
        assert_eq!(counted(&app, "delivered"), delivered + n as u64 / 3);
        assert_eq!(counted(&app, "failed"), failed + 2 * n as u64 / 3);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements to record 3 and 30 attempts: {costs:?}"
    );
}

/// One workspace's webhooks on the receiver: one that takes everything, one that answers 500,
/// and `gone` that answer 410 (each with one delivery, so none is cancelled by another's 410).
struct Hooks {
    owner: Session,
    ok: Uuid,
    retry: Uuid,
    gone: Vec<Uuid>,
}

async fn hooks(app: &TestApp, base: &str, name: &str) -> Hooks {
    let owner = app.owner(name).await;
    let ok = create(app, &owner, &format!("{base}/{name}/ok")).await;
    let retry = create(app, &owner, &format!("{base}/{name}/retry")).await;
    let mut gone = Vec::new();
    for i in 0..2 {
        gone.push(create(app, &owner, &format!("{base}/{name}/gone{i}")).await);
    }
    Hooks {
        owner,
        ok,
        retry,
        gone,
    }
}

#[actix_web::test]
async fn many_deliveries_of_two_workspaces_are_each_recorded() {
    let app = TestApp::start_with(|config| {
        config.job_poll_ms = 3_600_000;
        config.webhook_allow_private = true;
    })
    .await;
    // Retries are due 30 s on: with the clock stopped they stay pending.
    let clock = &app.state.clock;
    clock.freeze_at(clock.now());
    let shared: Shared = Shared::default();
    let base = start_receiver(shared.clone());
    {
        let mut receiver = shared.lock().unwrap();
        for name in ["a", "b"] {
            receiver
                .defaults
                .insert(format!("/{name}/retry"), Reply::Status(500));
            for i in 0..2 {
                receiver
                    .defaults
                    .insert(format!("/{name}/gone{i}"), Reply::Status(410));
            }
        }
    }
    let workspaces = [hooks(&app, &base, "a").await, hooks(&app, &base, "b").await];
    let (delivered, failed) = (counted(&app, "delivered"), counted(&app, "failed"));
    // Twelve events to the first two webhooks of each workspace, one to each of the others: 56
    // deliveries, more than one instance sends at once, queued as a change would queue them.
    let now = clock.now();
    for hooks in &workspaces {
        let tenant = Tenant::new(app.db(), workspace(&hooks.owner));
        for i in 0..12 {
            let to = if i < 2 {
                vec![hooks.ok, hooks.retry, hooks.gone[i]]
            } else {
                vec![hooks.ok, hooks.retry]
            };
            let payload = json!({"n": i});
            hooks_store::queue(&tenant, &to, Uuid::now_v7(), "lead.mql", &payload, now)
                .await
                .unwrap();
        }
    }
    app.state.webhooks_wakeup.notify_one();

    wait::until(
        "every delivery is recorded",
        StdDuration::from_secs(20),
        || async {
            let mut done = true;
            for hooks in &workspaces {
                let ok = deliveries_of(&app, hooks.ok).await;
                let retry = deliveries_of(&app, hooks.retry).await;
                done &= ok.iter().all(|d| d.status == DeliveryStatus::Delivered);
                done &= retry.iter().all(|d| d.attempts == 1);
                for gone in &hooks.gone {
                    let gone = deliveries_of(&app, *gone).await;
                    done &= gone.iter().all(|d| d.status == DeliveryStatus::Failed);
                }
            }
            done.then_some(())
        },
    )
    .await;

    let received: HashMap<String, usize> = shared
        .lock()
        .unwrap()
        .received
        .iter()
        .map(|(path, requests)| (path.clone(), requests.len()))
        .collect();
    for (hooks, name) in workspaces.iter().zip(["a", "b"]) {
        let workspace_id = workspace(&hooks.owner);
        // Each delivery was sent once and logged once, in its own workspace.
        assert_eq!(received[&format!("/{name}/ok")], 12);
        assert_eq!(received[&format!("/{name}/retry")], 12);
        for delivery in deliveries_of(&app, hooks.ok).await {
            assert_eq!(delivery.attempts, 1);
            assert_eq!(delivery.last_status_code, Some(200));
            let log = attempts_of(&app, delivery.id).await;
            assert_eq!(log.len(), 1);
            assert_eq!(log[0].workspace_id, workspace_id);
            assert_eq!(log[0].status_code, Some(200));
        }
        for delivery in deliveries_of(&app, hooks.retry).await {
            assert_eq!(delivery.status, DeliveryStatus::Pending);
            assert_eq!(delivery.last_status_code, Some(500));
            assert!(delivery.next_attempt_at >= now + Duration::seconds(30));
            let log = attempts_of(&app, delivery.id).await;
            assert_eq!(log.len(), 1);
            assert_eq!(log[0].workspace_id, workspace_id);
        }
        assert_eq!(status_of(&app, hooks.ok).await, WebhookStatus::Active);
        assert_eq!(status_of(&app, hooks.retry).await, WebhookStatus::Active);
        for (i, gone) in hooks.gone.iter().enumerate() {
            assert_eq!(received[&format!("/{name}/gone{i}")], 1);
            assert_eq!(status_of(&app, *gone).await, WebhookStatus::Disabled);
            let delivery = &deliveries_of(&app, *gone).await[0];
            assert_eq!(delivery.last_status_code, Some(410));
            assert_eq!(attempts_of(&app, delivery.id).await.len(), 1);
        }
        assert_eq!(disabled_notices(&app, &hooks.owner).await, 2);
        // Each owner reads only their own deliveries.
        let page = app
            .gql(
                Some(&hooks.owner.access),
                "query($id: ID!) { webhookDeliveries(webhookId: $id) { nodes { status } } }",
                json!({"id": workspaces[0].ok}),
            )
            .await;
        if name == "a" {
            assert_eq!(
                page.data("webhookDeliveries")["nodes"]
                    .as_array()
                    .unwrap()
                    .len(),
                12
            );
        } else {
            assert_eq!(page.code(), "NOT_FOUND");
        }
    }
    assert_eq!(counted(&app, "delivered"), delivered + 24);
    assert_eq!(counted(&app, "failed"), failed + 24 + 4);
}
