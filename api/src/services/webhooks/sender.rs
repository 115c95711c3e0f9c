//! Delivers the outbox: claims due deliveries with a lease (so several instances never send the
//! same one at once, and one that dies mid-send is retried when the lease runs out), POSTs each
//! signed on a task of its own, logs every attempt, and retries, gives up or disables as
//! `domain::webhooks` decides. Delivery is at least once: receivers de-duplicate on
//! `Accord-Event-Id`.
//!
//! Each delivery is sent on its own, within the slots [`InFlight`] grants: a receiver that never
//! answers holds one slot for the timeout, and the other deliveries (and other workspaces') go on
//! around it. What the sends come to is recorded together: one recorder task per instance takes
//! every finished attempt queued (up to [`RECORD_AT_ONCE`]) and records them in one transaction
//! of multi-row statements ([`record_finished`]), then frees their slots. Attempts that finish
//! while a transaction runs wait for the next one, so the busier the sender, the more each
//! transaction records.

use std::{cell::RefCell, rc::Rc, time::Duration as StdDuration};

use chrono::{DateTime, Duration, Utc};
use entity::{webhook, webhook_delivery, TriggerKind, WebhookStatus};
use rand::RngExt as _;
use sea_orm::ConnectionTrait;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::transport::{self, Answer};
use crate::{
    domain::webhooks::{
        fate, signature, Fate, GiveUp, InFlight, MAX_IN_FLIGHT, MAX_IN_FLIGHT_PER_WORKSPACE,
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
        webhooks::{Attempt, DeliveryState, Recorded, WebhookChange},
        Tenant,
    },
};

/// A claimed delivery is hidden from other senders this much longer than the receiver's timeout.
const LEASE_MARGIN: Duration = Duration::seconds(20);

/// The most finished attempts one transaction records (an instance has no more in flight).
pub const RECORD_AT_ONCE: usize = MAX_IN_FLIGHT;

/// What one attempt came to: the delivery as it was claimed, and the receiver's answer.
pub struct Outcome {
    pub delivery: webhook_delivery::Model,
    pub answer: Answer,
}

/// The sender of one instance: its client, the deliveries it has in flight, and the queue of
/// finished attempts its recorder takes.
#[derive(Clone)]
struct Sender {
    state: AppState,
    client: awc::Client,
    in_flight: Rc<RefCell<InFlight>>,
    finished: mpsc::UnboundedSender<Outcome>,
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
            let claim = claim(&self.state, now, lease, free, &full, &self.in_flight).await?;
            let nothing = claim.leased.is_empty();
            for (delivery, hook) in claim.leased {
                self.in_flight.borrow_mut().start(delivery.workspace_id);
                let sender = self.clone();
                actix_web::rt::spawn(async move { sender.deliver(delivery, hook).await });
                started += 1;
            }
            // Another look only finds more when this one was cut short.
            if nothing || !claim.more {
                return Ok(started);
            }
        }
    }

    /// Sends one delivery and hands the outcome to the recorder, which frees its slot once it is
    /// recorded.
    async fn deliver(self, delivery: webhook_delivery::Model, hook: webhook::Model) {
        let workspace_id = delivery.workspace_id;
        let outcome = send(&self.client, delivery, hook, self.timeout()).await;
        if self.finished.send(outcome).is_err() {
            // The recorder is gone (the sender is stopping): the lease brings the delivery back.
            self.release(&[workspace_id]);
        }
    }

    /// Frees the slots of deliveries of these workspaces.
    fn release(&self, workspaces: &[Uuid]) {
        release(&self.state, &self.in_flight, workspaces);
    }
}

/// Frees the slots of deliveries of these workspaces, and looks for due work they held back.
fn release(state: &AppState, in_flight: &RefCell<InFlight>, workspaces: &[Uuid]) {
    let mut look_again = false;
    {
        let mut in_flight = in_flight.borrow_mut();
        for workspace_id in workspaces {
            look_again |= in_flight.finish(*workspace_id);
        }
    }
    if look_again {
        state.webhooks_wakeup.notify_one();
    }
}

/// The recorder: records whatever attempts have finished, up to [`RECORD_AT_ONCE`] a
/// transaction, then frees their slots; until the sender and its deliveries are gone.
async fn record_queued(
    state: AppState,
    in_flight: Rc<RefCell<InFlight>>,
    mut queue: mpsc::UnboundedReceiver<Outcome>,
) {
    let mut batch = Vec::with_capacity(RECORD_AT_ONCE);
    while queue.recv_many(&mut batch, RECORD_AT_ONCE).await > 0 {
        let recorded = record_finished(&state, &batch).await;
        tracing::debug!(
            finished = batch.len(),
            recorded,
            "webhook attempts recorded"
        );
        let workspaces: Vec<Uuid> = batch.drain(..).map(|o| o.delivery.workspace_id).collect();
        release(&state, &in_flight, &workspaces);
    }
}

/// What one claim leased, and whether more may be due (it read as many as it could take, or
/// some did not fit their workspace's slots).
struct Claim {
    leased: Vec<(webhook_delivery::Model, webhook::Model)>,
    more: bool,
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
) -> AppResult<Claim> {
    let work = UnitOfWork::begin_global(state).await?;
    let rows = store::webhooks::due(&work.global(), now, limit, full).await?;
    let found = rows.len();
    let workspaces: Vec<Uuid> = rows.iter().map(|d| d.workspace_id).collect();
    let fits = in_flight.borrow().pick(&workspaces);
    let rows: Vec<webhook_delivery::Model> = rows
        .into_iter()
        .zip(fits)
        .filter_map(|(row, fits)| fits.then_some(row))
        .collect();
    let more = found == limit || rows.len() < found;
    if rows.is_empty() {
        work.commit().await?;
        return Ok(Claim {
            leased: Vec::new(),
            more,
        });
    }
    let hooks = store::webhooks::lease(&work.global(), &rows, now + lease).await?;
    work.commit().await?;
    let leased = rows
        .into_iter()
        .filter_map(|d| {
            let hook = hooks.iter().find(|h| h.id == d.webhook_id)?.clone();
            Some((d, hook))
        })
        .collect();
    Ok(Claim { leased, more })
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

/// Records finished attempts: logs each and moves its delivery on (delivered, retried later, or
/// given up, which, like an HTTP 410, disables the webhook and tells its owner), all in one
/// transaction with a constant number of statements (more only for webhooks it disables). If
/// that fails, each is tried on its own so one bad row (a delivery whose webhook was deleted
/// meanwhile) does not hold back the others. Returns how many were recorded: the lease brings
/// the others back.
pub async fn record_finished(state: &AppState, outcomes: &[Outcome]) -> usize {
    let err = match record_together(state, outcomes).await {
        Ok(()) => return outcomes.len(),
        Err(err) => err,
    };
    if outcomes.len() == 1 {
        tracing::error!(error = ?err, "could not record a webhook attempt; retried later");
        return 0;
    }
    tracing::warn!(error = ?err, attempts = outcomes.len(), "could not record webhook attempts together; recording each");
    let mut recorded = 0;
    for outcome in outcomes {
        if let Err(err) = record_together(state, std::slice::from_ref(outcome)).await {
            tracing::error!(error = ?err, "could not record a webhook attempt; retried later");
        } else {
            recorded += 1;
        }
    }
    recorded
}

/// Records `outcomes` in one unit of work, then counts them.
async fn record_together(state: &AppState, outcomes: &[Outcome]) -> AppResult<()> {
    let now = state.clock.now();
    let fates: Vec<Fate> = {
        let mut rng = rand::rng();
        outcomes
            .iter()
            .map(|o| {
                let attempts = u32::try_from(o.delivery.attempts + 1).unwrap_or(u32::MAX);
                let jitter: f64 = rng.random();
                fate(
                    o.answer.failure,
                    o.delivery.created_at,
                    attempts,
                    now,
                    jitter,
                )
            })
            .collect()
    };
    let rows: Vec<Recorded<'_>> = outcomes
        .iter()
        .zip(&fates)
        .map(|(o, fate)| Recorded {
            delivery: &o.delivery,
            attempt: Attempt {
                at: now,
                status_code: o.answer.status_code.map(i32::from),
                latency_ms: i32::try_from(o.answer.latency.as_millis()).unwrap_or(i32::MAX),
                error: o.answer.failure.map(|failure| failure.label()),
            },
            state: match fate {
                Fate::Delivered => DeliveryState::Delivered,
                Fate::RetryAt(at) => DeliveryState::RetryAt(*at),
                Fate::GiveUp(_) => DeliveryState::Failed,
            },
        })
        .collect();
    let mut work = UnitOfWork::begin_global(state).await?;
    store::webhooks::record_attempts(&work.global(), &rows).await?;
    let mut notices = Notices::default();
    for (workspace_id, webhook_id, why) in given_up(outcomes, &fates) {
        let tenant = work.tenant_of(workspace_id);
        disable(&tenant, webhook_id, why.reason(), now, &mut notices).await?;
    }
    work.notices().extend(notices);
    work.commit().await?;
    for outcome in outcomes {
        let label = if outcome.answer.failure.is_none() {
            "delivered"
        } else {
            "failed"
        };
        state
            .prometheus
            .webhook_attempts
            .with_label_values(&[label])
            .inc();
    }
    Ok(())
}

/// The webhooks to disable: each webhook with a delivery given up, once, with the first
/// reason, and its workspace.
fn given_up(outcomes: &[Outcome], fates: &[Fate]) -> Vec<(Uuid, Uuid, GiveUp)> {
    let mut hooks: Vec<(Uuid, Uuid, GiveUp)> = Vec::new();
    for (outcome, fate) in outcomes.iter().zip(fates) {
        let Fate::GiveUp(why) = fate else { continue };
        let hook = outcome.delivery.webhook_id;
        if !hooks.iter().any(|(_, h, _)| *h == hook) {
            hooks.push((outcome.delivery.workspace_id, hook, *why));
        }
    }
    hooks
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
    let (finished, queue) = mpsc::unbounded_channel();
    let sender = Sender {
        client: transport::client(timeout, state.config.webhook_allow_private),
        in_flight: Rc::new(RefCell::new(InFlight::new(
            MAX_IN_FLIGHT,
            MAX_IN_FLIGHT_PER_WORKSPACE,
        ))),
        state: state.clone(),
        finished,
    };
    let recorder = actix_web::rt::spawn(record_queued(
        state.clone(),
        sender.in_flight.clone(),
        queue,
    ));
    let poll = StdDuration::from_millis(state.config.job_poll_ms);
    let mut shutdown = state.shutdown.clone();
    loop {
        if let Err(err) = sender.deliver_due().await {
            tracing::error!(error = ?err, "webhook deliveries failed; retrying later");
        }
        tokio::select! {
            _ = state.webhooks_wakeup.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => break,
            _ = &mut gone => break,
        }
    }
    // Stopped while the runtime still runs: a recording cut short rolls back and its deliveries
    // come back with their lease. Left to the runtime's teardown, the recorder would be dropped
    // outside it, and its pooled connection could not be given back (sqlx panics there).
    recorder.abort();
    let _ = recorder.await;
}
