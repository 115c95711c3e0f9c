//! The application state, built once before the server starts and shared by every request.

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::{
    auth::{cache::CredentialCache, jwt::JwtKeys},
    bus::{Bus, MemoryBus, RedisBus},
    config::{Config, ConfigError},
    db,
    mail::Mailer,
    rate_limit::{MemoryRateLimiter, RateLimiter, RedisRateLimiter},
    store::{self, Store},
    telemetry::prometheus::Prometheus,
};

const DEV_SIGNING_KEY: &str = "dev_jwt_signing_key";

/// The application state: one allocation shared by every request, socket and subscription,
/// so that holding it costs a pointer (each open subscription keeps one all day).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

#[derive(Clone)]
pub struct SharedState {
    pub config: Arc<Config>,
    pub store: Store,
    pub jwt: JwtKeys,
    pub bus: Arc<dyn Bus>,
    pub limiter: Arc<dyn RateLimiter>,
    pub prometheus: Prometheus,
    /// Outgoing mail: SMTP, or the log and the outbox table.
    pub mailer: Mailer,
    /// The domain's time: SLA clocks, cadences and jobs read it; tests move it forward.
    pub clock: crate::clock::Clock,
    /// Flips to `true` when the server begins shutting down, so open sockets can say goodbye.
    pub shutdown: watch::Receiver<bool>,
    shutdown_tx: Arc<watch::Sender<bool>>,
    /// Wakes the background job loop when work was queued.
    pub jobs_wakeup: Arc<tokio::sync::Notify>,
    /// Wakes the webhook sender when a transaction put deliveries in the outbox.
    pub webhooks_wakeup: Arc<tokio::sync::Notify>,
    /// Open WebSockets per credential on this instance.
    pub sockets: Arc<crate::http::socket_slots::SocketSlots>,
    /// Automatic Persisted Queries known to this instance.
    pub persisted_queries: Arc<crate::http::persisted::PersistedQueries>,
    /// Turns at the database for sockets setting up (the credential check of `connection_init`,
    /// a subscription's first reads), as many as the pool has connections: a burst of sockets
    /// (every rep reconnecting after a deploy) waits here at a few bytes each, instead of as
    /// thousands of query futures queued on the pool, whose memory the allocator keeps.
    pub socket_setup: Arc<tokio::sync::Semaphore>,
    /// What authentication read lately (sessions, seats, API tokens), evicted over the bus.
    pub credentials: Arc<CredentialCache>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("DATABASE_URL: cannot connect or migrate: {0}")]
    Database(#[source] sea_orm::DbErr),
    #[error("REDIS_URL: cannot connect: {0}")]
    Redis(String),
    #[error("JWT signing key: {0}")]
    Key(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl AppState {
    /// Connects to the database (migrating it) and the bus, and loads the signing key.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = db::connect(&config).await.map_err(StartError::Database)?;
        db::migrate(&db).await.map_err(StartError::Database)?;
        Self::from_parts(config, db).await
    }

    pub async fn from_parts(
        config: Config,
        mut db: DatabaseConnection,
    ) -> Result<Self, StartError> {
        let mailer = Mailer::new(&config)?;
        if mailer.uses_outbox() && config.is_production() {
            tracing::warn!(
                "ACCORD_SMTP_URL is not set: mail (verification, invitation and password-reset \
                 links) goes to the log and the mail_outbox table only"
            );
        }
        let prometheus = Prometheus::new();
        let observed = prometheus.clone();
        db.set_metric_callback(move |info| {
            observed.observe_statement(info.elapsed, info.failed, || info.statement.to_string())
        });
        let store = Store::new(db);
        let secret = match &config.jwt_secret {
            Some(secret) => secret.clone(),
            None => {
                tracing::warn!(
                    "JWT_SECRET is not set: using a development signing key kept in the database; \
                     set JWT_SECRET in production"
                );
                store::people::secret_or_create(&store.global(), DEV_SIGNING_KEY, || {
                    crate::auth::secret::random_hex(32)
                })
                .await
                .map_err(|err| StartError::Key(format!("{err:?}")))?
            }
        };
        let jwt = JwtKeys::new(secret.as_bytes(), &config.jwt_issuer, &config.jwt_audience);
        let window = Duration::from_secs(config.rate_limit_window_secs);
        let (bus, limiter): (Arc<dyn Bus>, Arc<dyn RateLimiter>) = match &config.redis_url {
            Some(url) => {
                let namespace = config.database_schema.as_deref().unwrap_or("default");
                let bus = RedisBus::connect(url, namespace)
                    .await
                    .map_err(|err| StartError::Redis(err.to_string()))?;
                let limiter = RedisRateLimiter::new(
                    bus.connection(),
                    namespace,
                    config.rate_limit_budget,
                    window,
                );
                (Arc::new(bus), Arc::new(limiter))
            }
            None => (
                Arc::new(MemoryBus::new()),
                Arc::new(MemoryRateLimiter::new(config.rate_limit_budget, window)),
            ),
        };
        let (shutdown_tx, shutdown) = watch::channel(false);
        let persisted_queries = Arc::new(crate::http::persisted::PersistedQueries::new(
            config.persisted_query_cache_bytes,
        ));
        let socket_setup = Arc::new(tokio::sync::Semaphore::new(
            config.db_max_connections.max(1) as usize,
        ));
        let credentials = Arc::new(CredentialCache::new(
            config.auth_cache_ttl(),
            config.auth_cache_entries,
        ));
        credentials.listen(bus.as_ref());
        Ok(Self(Arc::new(SharedState {
            config: Arc::new(config),
            store,
            jwt,
            bus,
            limiter,
            prometheus,
            mailer,
            clock: crate::clock::Clock::default(),
            shutdown,
            shutdown_tx: Arc::new(shutdown_tx),
            jobs_wakeup: Arc::new(tokio::sync::Notify::new()),
            webhooks_wakeup: Arc::new(tokio::sync::Notify::new()),
            sockets: Arc::default(),
            persisted_queries,
            socket_setup,
            credentials,
        })))
    }

    /// The same state on another clock (the demo writes its story's past on a frozen clock).
    pub fn with_clock(&self, clock: crate::clock::Clock) -> Self {
        let mut shared = SharedState::clone(&self.0);
        shared.clock = clock;
        Self(Arc::new(shared))
    }

    /// Tells every open socket that the server is going away.
    pub fn begin_shutdown(&self) {
        let _ = self.shutdown_tx.send(true);
    }
}

impl AppState {
    /// Publishes after commit (only [`Notices`](crate::services::notices::Notices) calls it,
    /// for the unit of work). A bus failure is logged, not returned: the change is committed
    /// and its rows are the truth.
    pub(crate) async fn publish(&self, message: crate::bus::BusMessage) {
        // This instance forgets a revoked or changed credential before the request that changed
        // it answers, whatever the bus does; the others when the message reaches them.
        self.credentials.observe(&message);
        if let Err(err) = self.bus.publish(message).await {
            tracing::warn!(%err, "bus publish failed");
        }
    }
}
