//! Prometheus metrics for `/metrics`.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Mutex,
};

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

#[derive(Clone)]
pub struct Prometheus {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub graphql_errors: IntCounterVec,
    pub ws_connections: IntGauge,
    pub subscriptions: IntGauge,
    pub db_statements: IntCounterVec,
    pub db_latency: Histogram,
    /// Webhook delivery attempts by outcome (`delivered`, `failed`).
    pub webhook_attempts: IntCounterVec,
    /// Ingested events by outcome (`accepted`, `duplicate`, `rejected`).
    pub ingested_events: IntCounterVec,
    /// From a trigger's commit to its push on a live subscription.
    pub trigger_delivery: Histogram,
    /// Due work waiting, by queue, measured when `/metrics` is read.
    pub job_queue_depth: prometheus::IntGaugeVec,
    /// When set, the text of every statement is kept (see [`Prometheus::tap_statements`]).
    tap: Arc<Mutex<Option<Vec<String>>>>,
    tapping: Arc<AtomicBool>,
}

impl Prometheus {
    pub fn new() -> Self {
        let registry =
            Registry::new_custom(Some("accord".into()), None).expect("a static prefix is valid");
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let http_latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["route"],
        )
        .expect("valid metric");
        let graphql_errors = IntCounterVec::new(
            Opts::new("graphql_errors_total", "GraphQL errors by extensions.code"),
            &["code"],
        )
        .expect("valid metric");
        let ws_connections =
            IntGauge::new("ws_connections", "Open WebSocket connections").expect("valid metric");
        let subscriptions = IntGauge::new("subscriptions_open", "Open GraphQL subscriptions")
            .expect("valid metric");
        let db_statements = IntCounterVec::new(
            Opts::new("db_statements_total", "SQL statements run, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let db_latency = Histogram::with_opts(
            HistogramOpts::new("db_statement_duration_seconds", "SQL statement latency").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
                ],
            ),
        )
        .expect("valid metric");
        let webhook_attempts = IntCounterVec::new(
            Opts::new(
                "webhook_attempts_total",
                "Webhook delivery attempts by outcome",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let ingested_events = IntCounterVec::new(
            Opts::new("ingested_events_total", "Ingested events by outcome"),
            &["status"],
        )
        .expect("valid metric");
        let trigger_delivery = Histogram::with_opts(
            HistogramOpts::new(
                "trigger_delivery_seconds",
                "From a trigger's commit to its push on a live subscription",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
        )
        .expect("valid metric");
        let job_queue_depth = prometheus::IntGaugeVec::new(
            Opts::new("job_queue_depth", "Due background work waiting, by queue"),
            &["queue"],
        )
        .expect("valid metric");
        for collector in [
            Box::new(webhook_attempts.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(ingested_events.clone()),
            Box::new(trigger_delivery.clone()),
            Box::new(job_queue_depth.clone()),
            Box::new(db_statements.clone()),
            Box::new(db_latency.clone()),
            Box::new(http_requests.clone()),
            Box::new(http_latency.clone()),
            Box::new(graphql_errors.clone()),
            Box::new(ws_connections.clone()),
            Box::new(subscriptions.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric names are unique");
        }
        Self {
            registry,
            http_requests,
            http_latency,
            graphql_errors,
            ws_connections,
            subscriptions,
            db_statements,
            db_latency,
            webhook_attempts,
            ingested_events,
            trigger_delivery,
            job_queue_depth,
            tap: Arc::default(),
            tapping: Arc::default(),
        }
    }

    /// Starts keeping the SQL of every statement (values inlined) until [`Prometheus::untap`];
    /// benchmarks replay them with pgbench, tests read them.
    pub fn tap_statements(&self) {
        *self.tap.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
        self.tapping.store(true, Ordering::Release);
    }

    /// Stops keeping statements and returns those kept.
    pub fn untap(&self) -> Vec<String> {
        self.tapping.store(false, Ordering::Release);
        self.tap
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_default()
    }

    /// Called by the database layer for every statement it runs.
    pub fn observe_statement(
        &self,
        elapsed: std::time::Duration,
        failed: bool,
        sql: impl FnOnce() -> String,
    ) {
        // Checked without the lock: statements run on every worker, taps are rare.
        if self.tapping.load(Ordering::Acquire) {
            if let Some(kept) = self.tap.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                kept.push(sql());
            }
        }
        let outcome = if failed { "error" } else { "ok" };
        self.db_statements.with_label_values(&[outcome]).inc();
        // Statements run inside the database layer's call, on the task that awaits them.
        let _ = SCOPED.try_with(|n| n.set(n.get() + 1));
        self.db_latency.observe(elapsed.as_secs_f64());
    }

    /// Runs `work`, counting the statements it runs itself: those of other tasks meanwhile
    /// (a webhook sender it wakes, another request) are not counted, so tests count exactly.
    pub async fn counting<F: std::future::Future>(work: F) -> (F::Output, u64) {
        SCOPED
            .scope(std::cell::Cell::new(0), async {
                let out = work.await;
                (out, SCOPED.with(std::cell::Cell::get))
            })
            .await
    }

    /// Statements run so far (for tests and benchmarks that count queries).
    pub fn statements(&self) -> u64 {
        self.db_statements.with_label_values(&["ok"]).get()
            + self.db_statements.with_label_values(&["error"]).get()
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("encoding to a Vec cannot fail");
        String::from_utf8(buffer).unwrap_or_default()
    }
}

tokio::task_local! {
    /// The statements of the future [`Prometheus::counting`] runs.
    static SCOPED: std::cell::Cell<u64>;
}

impl Default for Prometheus {
    fn default() -> Self {
        Self::new()
    }
}
