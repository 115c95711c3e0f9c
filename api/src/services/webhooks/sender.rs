//! Delivers the outbox: claims due deliveries with a lease (so several instances never send the
//! same one at once, and one that dies mid-send is retried when the lease runs out), POSTs each
//! signed, logs every attempt, and retries, gives up or disables as `domain::webhooks` decides.
//! Delivery is at least once: receivers de-duplicate on `Accord-Event-Id`.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use entity::{
    webhook, webhook_attempt, webhook_delivery, DeliveryStatus, TriggerKind, WebhookStatus,
};
use futures_util::future::join_all;
use rand::RngExt as _;
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::cancel_pending;
use crate::{
    domain::webhooks::{next_attempt, signature, Retry},
    error::AppResult,
    services::{
        notices::Notices,
        triggers::{self, NewTrigger},
    },
    state::AppState,
    store::Tenant,
};

/// Deliveries claimed per round.
const BATCH: u64 = 32;
/// A claimed delivery is hidden from other senders this much longer than the receiver's timeout.
const LEASE_MARGIN: Duration = Duration::seconds(20);

/// What one attempt came to.
struct Outcome {
    delivery: webhook_delivery::Model,
    status_code: Option<u16>,
    error: Option<String>,
    latency: StdDuration,
}

/// Sends every delivery due at the state's clock; returns how many attempts were made.
pub async fn deliver_due(state: &AppState, client: &awc::Client) -> AppResult<usize> {
    let mut attempts = 0;
    loop {
        let now = state.clock.now();
        let lease = Duration::milliseconds(state.config.webhook_timeout_ms as i64) + LEASE_MARGIN;
        let claimed = claim(state, now, lease).await?;
        if claimed.is_empty() {
            return Ok(attempts);
        }
        attempts += claimed.len();
        let outcomes = join_all(
            claimed
                .into_iter()
                .map(|(delivery, hook)| send(client, delivery, hook)),
        )
        .await;
        for outcome in outcomes {
            record(state, outcome).await?;
        }
    }
}

async fn claim(
    state: &AppState,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<Vec<(webhook_delivery::Model, webhook::Model)>> {
    let txn = state.store.begin_write().await?;
    let mut due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(BATCH);
    if txn.get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = due.all(&txn).await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(now + lease),
        )
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    let hook_ids: Vec<Uuid> = rows.iter().map(|d| d.webhook_id).collect();
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(hook_ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .filter_map(|d| {
            let hook = hooks.iter().find(|h| h.id == d.webhook_id)?.clone();
            Some((d, hook))
        })
        .collect())
}

async fn send(
    client: &awc::Client,
    delivery: webhook_delivery::Model,
    hook: webhook::Model,
) -> Outcome {
    let body = serde_json::to_vec(&delivery.payload).unwrap_or_default();
    // The signature's time is the wall clock, which receivers compare with theirs.
    let timestamp = Utc::now().timestamp();
    let started = Instant::now();
    let sent = client
        .post(&hook.url)
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("User-Agent", "Accord-Webhooks/1"))
        .insert_header(("Accord-Event-Id", delivery.event_id.to_string()))
        .insert_header(("Accord-Event", delivery.event.clone()))
        .insert_header(("Accord-Delivery-Id", delivery.id.to_string()))
        .insert_header(("Accord-Timestamp", timestamp.to_string()))
        .insert_header((
            "Accord-Signature",
            signature(&hook.secret, timestamp, &body),
        ))
        .send_body(body)
        .await;
    let latency = started.elapsed();
    match sent {
        Ok(response) => Outcome {
            delivery,
            status_code: Some(response.status().as_u16()),
            error: None,
            latency,
        },
        Err(err) => Outcome {
            delivery,
            status_code: None,
            error: Some(err.to_string()),
            latency,
        },
    }
}

/// Logs the attempt and moves the delivery on: delivered, retried later, or given up (which,
/// like an HTTP 410, disables the webhook and tells its owner).
async fn record(state: &AppState, outcome: Outcome) -> AppResult<()> {
    let now = state.clock.now();
    let delivery = outcome.delivery;
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, delivery.workspace_id);
    webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(delivery.workspace_id),
        delivery_id: Set(delivery.id),
        attempted_at: Set(now),
        status_code: Set(outcome.status_code.map(i32::from)),
        latency_ms: Set(i32::try_from(outcome.latency.as_millis()).unwrap_or(i32::MAX)),
        error: Set(outcome.error.clone()),
    }
    .insert(&txn)
    .await?;
    let attempts = delivery.attempts + 1;
    let (created_at, webhook_id, workspace_id) = (
        delivery.created_at,
        delivery.webhook_id,
        delivery.workspace_id,
    );
    let mut row = delivery.into_active_model();
    row.attempts = Set(attempts);
    row.last_status_code = Set(outcome.status_code.map(i32::from));
    row.last_error = Set(outcome.error.clone());
    let succeeded = outcome.status_code.is_some_and(|c| (200..300).contains(&c));
    let gone = outcome.status_code == Some(410);
    let mut notices = Notices::default();
    if succeeded {
        row.status = Set(DeliveryStatus::Delivered);
        row.delivered_at = Set(Some(now));
        row.update(&txn).await?;
    } else {
        let jitter: f64 = rand::rng().random();
        let retry = if gone {
            Retry::GiveUp
        } else {
            next_attempt(created_at, attempts as u32, now, jitter)
        };
        match retry {
            Retry::At(at) => {
                row.next_attempt_at = Set(at);
                row.update(&txn).await?;
            }
            Retry::GiveUp => {
                row.status = Set(DeliveryStatus::Failed);
                row.update(&txn).await?;
                let reason = if gone {
                    "the receiver answered 410 Gone".to_owned()
                } else {
                    "deliveries kept failing for 24 hours".to_owned()
                };
                disable(&tenant, webhook_id, &reason, now, &mut notices).await?;
            }
        }
    }
    txn.commit().await?;
    let outcome = if succeeded { "delivered" } else { "failed" };
    state
        .metrics
        .webhook_attempts
        .with_label_values(&[outcome])
        .inc();
    notices.publish(state, workspace_id).await;
    Ok(())
}

async fn disable<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    webhook_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
    notices: &mut Notices,
) -> AppResult<()> {
    let hook = tenant.get::<webhook::Entity>(webhook_id).await?;
    if hook.status == WebhookStatus::Disabled {
        return Ok(());
    }
    let owner = hook.created_by;
    let url = hook.url.clone();
    let mut row = hook.into_active_model();
    row.status = Set(WebhookStatus::Disabled);
    row.disabled_reason = Set(Some(reason.to_owned()));
    row.disabled_at = Set(Some(now));
    row.updated_at = Set(now);
    row.update(tenant.conn()).await?;
    cancel_pending(tenant, webhook_id).await?;
    notices.triggers.push(
        triggers::write(
            tenant,
            NewTrigger {
                recipient_id: owner,
                kind: TriggerKind::WebhookDisabled,
                lead_id: None,
                play_id: None,
                step: None,
                due_at: None,
                message: format!("Webhook {url} was disabled: {reason}. Fix it and re-enable it."),
            },
            now,
        )
        .await?,
    );
    Ok(())
}

/// The HTTP client deliveries go out with, answering within `ACCORD_WEBHOOK_TIMEOUT_MS`.
pub fn client(state: &AppState) -> awc::Client {
    awc::Client::builder()
        .timeout(StdDuration::from_millis(state.config.webhook_timeout_ms))
        .finish()
}

/// Starts the sender on a thread of its own running an actix runtime (the client needs one,
/// and the binary's main runtime is plain tokio). It runs when a transaction filled the outbox
/// and at least every `ACCORD_JOB_POLL_MS`, until shutdown or until the runtime that started it
/// is gone (a test's server), so it never outlives the state it was given.
pub fn start(state: &AppState) {
    let state = state.clone();
    let (alive, gone) = tokio::sync::oneshot::channel::<()>();
    // Held by a task of the caller's runtime: dropped with it.
    tokio::spawn(async move {
        let _alive = alive;
        std::future::pending::<()>().await
    });
    let spawned = std::thread::Builder::new()
        .name("accord-webhooks".into())
        .spawn(move || actix_web::rt::System::new().block_on(run(state, gone)));
    if let Err(err) = spawned {
        tracing::error!(error = ?err, "could not start the webhook sender");
    }
}

async fn run(state: AppState, mut gone: tokio::sync::oneshot::Receiver<()>) {
    let client = client(&state);
    let poll = StdDuration::from_millis(state.config.job_poll_ms);
    let mut shutdown = state.shutdown.clone();
    loop {
        if let Err(err) = deliver_due(&state, &client).await {
            tracing::error!(error = ?err, "webhook deliveries failed; retrying later");
        }
        tokio::select! {
            _ = state.webhooks_wakeup.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => return,
            _ = &mut gone => return,
        }
    }
}
