//! One typed configuration, read once at start-up from flags and environment variables.

use std::{net::SocketAddr, time::Duration};

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything Accord reads from its environment. `accord --help` lists each variable and default.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "ACCORD_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// Serve `/metrics` (Prometheus) only on this separate address, e.g. a private interface;
    /// unset, it is served beside the API on ACCORD_BIND.
    #[arg(long, env = "ACCORD_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,

    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://accord.db?mode=rwc",
        global = true
    )]
    pub database_url: String,

    /// Postgres schema to use (created if missing); unset means the server's default search path.
    #[arg(long, env = "ACCORD_DATABASE_SCHEMA", global = true)]
    pub database_schema: Option<String>,

    /// Largest number of pooled database connections.
    #[arg(
        long,
        env = "ACCORD_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,

    /// How long a statement may wait for a pooled database connection, in milliseconds; past
    /// that the request fails with 503 UNAVAILABLE (the database is down or overloaded).
    #[arg(
        long,
        env = "ACCORD_DB_ACQUIRE_TIMEOUT_MS",
        default_value_t = 1000,
        global = true
    )]
    pub db_acquire_timeout_ms: u64,

    /// Redis URL for the bus and shared rate-limit state; unset means the in-process bus.
    #[arg(long, env = "REDIS_URL", global = true)]
    pub redis_url: Option<String>,

    /// HMAC secret that signs access tokens (at least 32 bytes). Required in production; in
    /// development a key is generated and kept in the database.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// `iss` claim of access tokens.
    #[arg(
        long,
        env = "ACCORD_JWT_ISSUER",
        default_value = "accord",
        global = true
    )]
    pub jwt_issuer: String,

    /// `aud` claim of access tokens.
    #[arg(
        long,
        env = "ACCORD_JWT_AUDIENCE",
        default_value = "accord-api",
        global = true
    )]
    pub jwt_audience: String,

    /// Lifetime of an access token, in seconds.
    #[arg(
        long,
        env = "ACCORD_ACCESS_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: u64,

    /// Lifetime of a refresh token, in seconds.
    #[arg(
        long,
        env = "ACCORD_REFRESH_TOKEN_TTL_SECS",
        default_value_t = 2_592_000,
        global = true
    )]
    pub refresh_token_ttl_secs: u64,

    /// development or production. Production refuses a missing JWT_SECRET and turns
    /// introspection and field suggestions off unless ACCORD_INTROSPECTION says otherwise.
    #[arg(
        long,
        env = "ACCORD_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub env: Environment,

    /// Log format: text or json.
    #[arg(
        long,
        env = "ACCORD_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,

    /// Log filter, in tracing's EnvFilter syntax.
    #[arg(long, env = "RUST_LOG", default_value = "info", global = true)]
    pub log_filter: String,

    /// OTLP/HTTP collector to export trace spans to (for example `http://localhost:4318`;
    /// spans go to `<endpoint>/v1/traces`). Unset: no spans are exported.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,

    /// The service name exported spans carry.
    #[arg(
        long,
        env = "OTEL_SERVICE_NAME",
        default_value = "accord",
        global = true
    )]
    pub service_name: String,

    /// Force GraphQL introspection and field suggestions on or off (default: on in development).
    #[arg(long, env = "ACCORD_INTROSPECTION", global = true)]
    pub introspection: Option<bool>,

    /// Deepest query nesting accepted.
    #[arg(
        long,
        env = "ACCORD_MAX_QUERY_DEPTH",
        default_value_t = 12,
        global = true
    )]
    pub max_query_depth: usize,

    /// Highest query complexity accepted (every field and alias counts; lists count by page size).
    #[arg(
        long,
        env = "ACCORD_MAX_QUERY_COMPLEXITY",
        default_value_t = 5_000,
        global = true
    )]
    pub max_query_complexity: usize,

    /// Most aliased fields one operation may hold, counting those inside its fragments.
    #[arg(long, env = "ACCORD_MAX_ALIASES", default_value_t = 100, global = true)]
    pub max_aliases: usize,

    /// Most root fields one operation may hold, counting those its fragments bring in.
    #[arg(
        long,
        env = "ACCORD_MAX_ROOT_FIELDS",
        default_value_t = 50,
        global = true
    )]
    pub max_root_fields: usize,

    /// Most expensive root fields (back-test, insights, reports, dashboards) one operation may
    /// hold; the README lists them.
    #[arg(
        long,
        env = "ACCORD_MAX_EXPENSIVE_FIELDS",
        default_value_t = 5,
        global = true
    )]
    pub max_expensive_fields: usize,

    /// Largest page a connection returns (`first`/`last`).
    #[arg(
        long,
        env = "ACCORD_MAX_PAGE_SIZE",
        default_value_t = 100,
        global = true
    )]
    pub max_page_size: usize,

    /// Largest accepted HTTP request body, in bytes.
    #[arg(long, env = "ACCORD_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Bytes of document text the Automatic Persisted Queries cache keeps (LRU), per instance.
    #[arg(long, env = "ACCORD_PERSISTED_QUERY_CACHE_BYTES", default_value_t = 16 * 1024 * 1024, global = true)]
    pub persisted_query_cache_bytes: usize,

    /// Largest accepted WebSocket message, in bytes.
    #[arg(long, env = "ACCORD_MAX_WS_MESSAGE_BYTES", default_value_t = 64 * 1024, global = true)]
    pub max_ws_message_bytes: usize,

    /// How long a WebSocket may wait before sending `connection_init`, in seconds.
    #[arg(
        long,
        env = "ACCORD_WS_INIT_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub ws_init_timeout_secs: u64,

    /// Subscriptions one WebSocket may run at once; the next one gets an `error` message.
    #[arg(
        long,
        env = "ACCORD_WS_MAX_SUBSCRIPTIONS",
        default_value_t = 50,
        global = true
    )]
    pub ws_max_subscriptions: usize,

    /// WebSockets one credential (a person's session or an API token) may hold open on one
    /// instance; a further one is closed with 4429.
    #[arg(
        long,
        env = "ACCORD_WS_MAX_SOCKETS_PER_CREDENTIAL",
        default_value_t = 20,
        global = true
    )]
    pub ws_max_sockets_per_credential: usize,

    /// How often an open WebSocket re-checks its credential and role, in seconds: a revocation
    /// whose bus message was lost still closes it, and a role change applies.
    #[arg(
        long,
        env = "ACCORD_WS_RECHECK_SECS",
        default_value_t = 60,
        global = true
    )]
    pub ws_recheck_secs: u64,

    /// How long this instance trusts what it read about a credential (a session still live, a
    /// member's role, an API token), in milliseconds; 0 reads the database on every request. A
    /// change made on this instance applies at once, one made elsewhere as soon as the bus
    /// carries it, and within this time even if that message is lost.
    #[arg(
        long,
        env = "ACCORD_AUTH_CACHE_TTL_MS",
        default_value_t = 5_000,
        global = true
    )]
    pub auth_cache_ttl_ms: u64,

    /// Most sessions, seats and API tokens (each) the credential cache holds; the least
    /// recently used go first.
    #[arg(
        long,
        env = "ACCORD_AUTH_CACHE_ENTRIES",
        default_value_t = 20_000,
        global = true
    )]
    pub auth_cache_entries: usize,

    /// Query cost each user or API token may spend per rate-limit window.
    #[arg(
        long,
        env = "ACCORD_RATE_LIMIT_BUDGET",
        default_value_t = 50_000,
        global = true
    )]
    pub rate_limit_budget: u64,

    /// Length of the rate-limit window, in seconds.
    #[arg(
        long,
        env = "ACCORD_RATE_LIMIT_WINDOW_SECS",
        default_value_t = 60,
        global = true
    )]
    pub rate_limit_window_secs: u64,

    /// Failed log-ins for one email before it is locked out for a while.
    #[arg(
        long,
        env = "ACCORD_LOGIN_MAX_FAILURES",
        default_value_t = 5,
        global = true
    )]
    pub login_max_failures: u32,

    /// Lock-out after too many failed log-ins, in seconds (doubles with each further failure).
    #[arg(
        long,
        env = "ACCORD_LOGIN_LOCKOUT_SECS",
        default_value_t = 60,
        global = true
    )]
    pub login_lockout_secs: u64,

    /// How long SIGTERM waits for in-flight requests, in seconds.
    #[arg(
        long,
        env = "ACCORD_SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout_secs: u64,

    /// How often background jobs look for due work, in milliseconds.
    #[arg(
        long,
        env = "ACCORD_JOB_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub job_poll_ms: u64,

    /// Whether the server runs its own job loop (SLA clocks, cadences, nurture, the monthly
    /// source rule, stalled deals, fit rescoring). Always on for a real server, so it is no flag;
    /// test servers turn it off so a test that moves the clock and runs the due work itself
    /// never races the loop for the same rows.
    #[arg(skip = true)]
    pub jobs_loop: bool,

    /// How long a webhook receiver has to answer, in milliseconds.
    #[arg(
        long,
        env = "ACCORD_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub webhook_timeout_ms: u64,

    /// Proxies (comma-separated CIDR blocks or addresses) whose `X-Forwarded-For` is believed for
    /// the anonymous rate limit; from any other peer the header is ignored.
    #[arg(
        long,
        env = "ACCORD_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::http::client_ip::parse_trusted_proxy,
        global = true
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Let webhooks reach loopback, private and other reserved addresses and `localhost` (tests
    /// and on-premise installs whose receivers live on the internal network). Off by default in
    /// every environment: a tenant's URL must not reach the machine Accord runs on.
    #[arg(
        long,
        env = "ACCORD_WEBHOOK_ALLOW_PRIVATE",
        default_value_t = false,
        global = true
    )]
    pub webhook_allow_private: bool,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ACCORD_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// The SMTP server for outgoing mail (verification, invitation and password-reset links):
    /// `smtps://user:password@host` (TLS), `smtp://user:password@host?tls=required` (STARTTLS).
    /// Unset: mail is written to the log, one JSON line per message, and kept in the
    /// `mail_outbox` table (development, tests, the demo).
    #[arg(long, env = "ACCORD_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// The sender of outgoing mail.
    #[arg(
        long,
        env = "ACCORD_MAIL_FROM",
        default_value = "Accord <no-reply@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Where people reach Accord; the links in mail start with it.
    #[arg(
        long,
        env = "ACCORD_PUBLIC_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    pub public_url: String,
}

impl Config {
    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    pub fn introspection_enabled(&self) -> bool {
        self.introspection.unwrap_or(!self.is_production())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    pub fn access_token_ttl(&self) -> Duration {
        Duration::from_secs(self.access_token_ttl_secs)
    }

    pub fn refresh_token_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_token_ttl_secs)
    }

    pub fn auth_cache_ttl(&self) -> Duration {
        Duration::from_millis(self.auth_cache_ttl_ms)
    }

    /// Checks the values clap cannot, naming the variable at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let scheme_ok = self.is_sqlite()
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://");
        if !scheme_ok {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must start with sqlite: or postgres://",
            ));
        }
        if let Some(schema) = &self.database_schema {
            let valid = !schema.is_empty()
                && schema.len() <= 63
                && schema
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid || self.is_sqlite() {
                return Err(ConfigError::new(
                    "ACCORD_DATABASE_SCHEMA",
                    "must be lower-case letters, digits and underscores, with a Postgres DATABASE_URL",
                ));
            }
        }
        if let Some(url) = &self.redis_url {
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(ConfigError::new(
                    "REDIS_URL",
                    "must start with redis:// or rediss://",
                ));
            }
        }
        match &self.jwt_secret {
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError::new(
                    "JWT_SECRET",
                    "must be at least 32 bytes long",
                ));
            }
            None if self.is_production() => {
                return Err(ConfigError::new(
                    "JWT_SECRET",
                    "is required when ACCORD_ENV=production",
                ));
            }
            _ => {}
        }
        let positive = [
            ("ACCORD_ACCESS_TOKEN_TTL_SECS", self.access_token_ttl_secs),
            ("ACCORD_REFRESH_TOKEN_TTL_SECS", self.refresh_token_ttl_secs),
            ("ACCORD_MAX_PAGE_SIZE", self.max_page_size as u64),
            ("ACCORD_MAX_ALIASES", self.max_aliases as u64),
            ("ACCORD_MAX_ROOT_FIELDS", self.max_root_fields as u64),
            (
                "ACCORD_MAX_EXPENSIVE_FIELDS",
                self.max_expensive_fields as u64,
            ),
            ("ACCORD_MAX_BODY_BYTES", self.max_body_bytes as u64),
            (
                "ACCORD_WS_MAX_SUBSCRIPTIONS",
                self.ws_max_subscriptions as u64,
            ),
            (
                "ACCORD_WS_MAX_SOCKETS_PER_CREDENTIAL",
                self.ws_max_sockets_per_credential as u64,
            ),
            ("ACCORD_WS_RECHECK_SECS", self.ws_recheck_secs),
            ("ACCORD_AUTH_CACHE_ENTRIES", self.auth_cache_entries as u64),
            ("ACCORD_DB_ACQUIRE_TIMEOUT_MS", self.db_acquire_timeout_ms),
            ("ACCORD_RATE_LIMIT_WINDOW_SECS", self.rate_limit_window_secs),
            (
                "ACCORD_DB_MAX_CONNECTIONS",
                u64::from(self.db_max_connections),
            ),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(ConfigError::new(name, "must be greater than zero"));
        }
        crate::mail::Mailer::new(self)?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable} {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: &'static str,
}

impl ConfigError {
    pub(crate) fn new(variable: &'static str, reason: &'static str) -> Self {
        Self { variable, reason }
    }
}
