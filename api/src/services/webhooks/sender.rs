//! Delivers the outbox: claims due deliveries with a lease (so several instances never send the
//! same one at once, and one that dies mid-send is retried when the lease runs out), POSTs each
//! signed on a task of its own, logs every attempt, and retries, gives up or disables as
//! `domain::webhooks` decides. Delivery is at least once: receivers de-duplicate on
//! `Accord-Event-Id`.
//!
//! Each delivery is sent and recorded on its own, within the slots [`InFlight`] grants: a
//! receiver that never answers holds one slot for the timeout, and the other deliveries (and
//! other workspaces') go on around it.

use std::{cell::RefCell, rc::Rc, time::Duration as StdDuration};

use chrono::{DateTime, Duration, Utc};
use entity::{webhook, webhook_delivery, TriggerKind, WebhookStatus};
use rand::RngExt as _;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::transport;
use crate::{
    domain::webhooks::{
        next_attempt, signature, InFlight, Retry, MAX_IN_FLIGHT, MAX_IN_FLIGHT_PER_WORKSPACE,
    },
    error::AppResult,
    services::{
        notices::Notices,
        triggers::{self, NewTrigger},
        unit_of_work::UnitOfWork,
    },
    state::AppState,
    store::{
        self,
        webhooks::{Attempt, DeliveryState, WebhookChange},
        Tenant,
    },
};

/// A claimed delivery is hidden from other senders this much longer than the receiver's timeout.
const LEASE_MARGIN: Duration = Duration::seconds(20);

/// What one attempt came to.
struct Outcome {
    delivery: webhook_delivery::Model,
    answer: transport::Answer,
}

/// The sender of one instance: its client and the deliveries it has in flight.
#[derive(Clone)]
struct Sender {
    state: AppState,
    client: awc::Client,
    in_flight: Rc<RefCell<InFlight>>,
}

impl Sender {
    fn timeout(&self) -> StdDuration {
        StdDuration::from_millis(self.state.config.webhook_timeout_ms)
    }

    /// Starts every due delivery there is a slot for; returns how many it started.
    async fn deliver_due(&self) -> AppResult<usize> {
        let mut started = 0;
        loop {
            let (free, full) = {
                let in_flight = self.in_flight.borrow();
                (in_flight.free(), in_flight.full_workspaces())
            };
            if free == 0 || !full.is_empty() {
                // Due work may wait for a slot: a delivery that finishes looks again.
                self.in_flight.borrow_mut().hold_back();
            }
            if free == 0 {
                return Ok(started);
            }
            let now = self.state.clock.now();
            let lease =
                Duration::milliseconds(self.state.config.webhook_timeout_ms as i64) + LEASE_MARGIN;
            let claimed = claim(&self.state, now, lease, free, &full, &self.in_flight).await?;
            if claimed.is_empty() {
                return Ok(started);
            }
            for (delivery, hook) in claimed {
                self.in_flight.borrow_mut().start(delivery.workspace_id);
                let sender = self.clone();
                actix_web::rt::spawn(async move { sender.deliver(delivery, hook).await });
                started += 1;
            }
        }
    }

    /// Sends one delivery and records the attempt. If recording fails the lease brings the
    /// delivery back later.
    async fn deliver(self, delivery: webhook_delivery::Model, hook: webhook::Model) {
        let workspace_id = delivery.workspace_id;
        let outcome = send(&self.client, delivery, hook, self.timeout()).await;
        if let Err(err) = record(&self.state, outcome).await {
            tracing::error!(error = ?err, "could not record a webhook attempt; retried later");
        }
        if self.in_flight.borrow_mut().finish(workspace_id) {
            self.state.webhooks_wakeup.notify_one();
        }
    }
}

/// Leases up to `limit` due deliveries, none of the `full` workspaces' and no more of each
/// workspace's than `in_flight` has slots for.
async fn claim(
    state: &AppState,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
    full: &[Uuid],
    in_flight: &RefCell<InFlight>,
) -> AppResult<Vec<(webhook_delivery::Model, webhook::Model)>> {
    let work = UnitOfWork::begin_global(state).await?;
    let rows = store::webhooks::due(&work.global(), now, limit, full).await?;
    let workspaces: Vec<Uuid> = rows.iter().map(|d| d.workspace_id).collect();
    let fits = in_flight.borrow().pick(&workspaces);
    let rows: Vec<webhook_delivery::Model> = rows
        .into_iter()
        .zip(fits)
        .filter_map(|(row, fits)| fits.then_some(row))
        .collect();
    if rows.is_empty() {
        work.commit().await?;
        return Ok(Vec::new());
    }
    let hooks = store::webhooks::lease(&work.global(), &rows, now + lease).await?;
    work.commit().await?;
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
    timeout: StdDuration,
) -> Outcome {
    let body = serde_json::to_vec(&delivery.payload).unwrap_or_default();
    // The signature's time is the wall clock, which receivers compare with theirs.
    let timestamp = Utc::now().timestamp();
    let headers = vec![
        ("Content-Type", "application/json".to_owned()),
        ("User-Agent", "Accord-Webhooks/1".to_owned()),
        ("Accord-Event-Id", delivery.event_id.to_string()),
        ("Accord-Event", delivery.event.clone()),
        ("Accord-Delivery-Id", delivery.id.to_string()),
        ("Accord-Timestamp", timestamp.to_string()),
        (
            "Accord-Signature",
            signature(&hook.secret, timestamp, &body),
        ),
    ];
    let answer = transport::post(client, &hook.url, headers, body, timeout).await;
    Outcome { delivery, answer }
}

/// Logs the attempt and moves the delivery on: delivered, retried later, or given up (which,
/// like an HTTP 410, disables the webhook and tells its owner).
async fn record(state: &AppState, outcome: Outcome) -> AppResult<()> {
    let now = state.clock.now();
    let Outcome { delivery, answer } = outcome;
    let attempt = Attempt {
        at: now,
        status_code: answer.status_code.map(i32::from),
        latency_ms: i32::try_from(answer.latency.as_millis()).unwrap_or(i32::MAX),
        error: answer.failure.map(|failure| failure.label()),
    };
    let succeeded = answer.failure.is_none();
    let gone = answer.status_code == Some(410);
    let retry = if succeeded {
        None
    } else if gone {
        Some(Retry::GiveUp)
    } else {
        let jitter: f64 = rand::rng().random();
        let attempts = delivery.attempts + 1;
        Some(next_attempt(
            delivery.created_at,
            attempts as u32,
            now,
            jitter,
        ))
    };
    let webhook_id = delivery.webhook_id;
    let mut work = UnitOfWork::begin(state, delivery.workspace_id).await?;
    let (tenant, notices) = work.parts();
    match retry {
        None => {
            let state = DeliveryState::Delivered;
            store::webhooks::record_attempt(&tenant, delivery, attempt, state).await?;
        }
        Some(Retry::At(at)) => {
            let state = DeliveryState::RetryAt(at);
            store::webhooks::record_attempt(&tenant, delivery, attempt, state).await?;
        }
        Some(Retry::GiveUp) => {
            let state = DeliveryState::Failed;
            store::webhooks::record_attempt(&tenant, delivery, attempt, state).await?;
            let reason = if gone {
                "the receiver answered 410 Gone"
            } else {
                "deliveries kept failing for 24 hours"
            };
            disable(&tenant, webhook_id, reason, now, notices).await?;
        }
    }
    work.commit().await?;
    let outcome = if succeeded { "delivered" } else { "failed" };
    state
        .prometheus
        .webhook_attempts
        .with_label_values(&[outcome])
        .inc();
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
    let change = WebhookChange {
        status: Some(WebhookStatus::Disabled),
        disabled: Some(Some((reason.to_owned(), now))),
        ..WebhookChange::default()
    };
    store::webhooks::change(tenant, hook, change, now).await?;
    store::webhooks::cancel_pending(tenant, webhook_id).await?;
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
                intel: None,
                message: format!("Webhook {url} was disabled: {reason}. Fix it and re-enable it."),
            },
            now,
        )
        .await?,
    );
    Ok(())
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
    let timeout = StdDuration::from_millis(state.config.webhook_timeout_ms);
    let sender = Sender {
        client: transport::client(timeout, state.config.webhook_allow_private),
        in_flight: Rc::new(RefCell::new(InFlight::new(
            MAX_IN_FLIGHT,
            MAX_IN_FLIGHT_PER_WORKSPACE,
        ))),
        state: state.clone(),
    };
    let poll = StdDuration::from_millis(state.config.job_poll_ms);
    let mut shutdown = state.shutdown.clone();
    loop {
        if let Err(err) = sender.deliver_due().await {
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
