//! The test harness: a real Accord server on a loopback port, a real database, and helpers to
//! speak GraphQL to it over HTTP.

pub mod db_proxy;
pub mod documents;
pub mod fixtures;
pub mod icps;
pub mod people;
pub mod process;
pub mod redis;
pub mod wait;
pub mod webhook_receiver;
pub mod ws;

use std::{net::SocketAddr, time::Duration};

use accord_api::{cli::Cli, config::Config, http::server, state::AppState};
use clap::Parser;
use serde_json::{json, Value};

/// Where tests put their data, from the environment.
pub struct Backend {
    pub database_url: String,
    pub database_schema: Option<String>,
    pub redis_url: Option<String>,
}

impl Backend {
    /// A fresh, private database for one test.
    pub fn fresh() -> Self {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let redis_url = std::env::var("ACCORD_TEST_REDIS_URL")
            .ok()
            .filter(|v| !v.is_empty());
        match std::env::var("ACCORD_TEST_DATABASE_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            Some(url) => Backend {
                database_url: url,
                database_schema: Some(format!("t_{unique}")),
                redis_url,
            },
            None => {
                let path = std::env::temp_dir().join(format!("accord-test-{unique}.db"));
                Backend {
                    database_url: format!("sqlite://{}?mode=rwc", path.display()),
                    database_schema: None,
                    redis_url,
                }
            }
        }
    }
}

/// The configuration a test server starts with: defaults, a test key and the test backend.
pub fn test_config(backend: &Backend) -> Config {
    let mut config = Cli::try_parse_from(["accord"])
        .expect("defaults parse")
        .config;
    config.database_url = backend.database_url.clone();
    config.database_schema = backend.database_schema.clone();
    config.redis_url = backend.redis_url.clone();
    config.db_max_connections = 4;
    // Many test servers share two cores: a connection can take longer than production's
    // fail-fast second to come free. The outage tests set their own.
    config.db_acquire_timeout_ms = 10_000;
    config.jwt_secret = Some("test-secret-test-secret-test-secret!".into());
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.workers = Some(1);
    // A test that moves the clock runs the due work itself (`accord_api::jobs::run_due`); a job
    // loop of the server's own would race it for the same rows. Tests about the loop turn it on.
    config.jobs_loop = false;
    config
}

pub struct TestApp {
    pub state: AppState,
    pub addr: SocketAddr,
    pub client: awc::Client,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `adjust` has changed its configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        // Errors the server logs show up with a failing test's output.
        let _logs_only = accord_api::telemetry::init(
            accord_api::config::LogFormat::Text,
            "warn",
            Default::default(),
        );
        let backend = Backend::fresh();
        let mut config = test_config(&backend);
        adjust(&mut config);
        config.validate().expect("test configuration is valid");
        let state = AppState::build(config).await.expect("state builds");
        Self::serve(state).await
    }

    pub async fn serve(state: AppState) -> Self {
        let (server, addrs) = server::build(&state).expect("bind a loopback port");
        actix_web::rt::spawn(server);
        bus_listening(&state).await;
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        TestApp {
            state,
            addr: addrs[0],
            client,
        }
    }

    /// The database itself, for what a test must set up or look at that no API shows (aged
    /// rows, a closed pool, statement counts): the one place tests reach past the API.
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        self.state.store.db()
    }

    /// The first column of the one row `sql` returns, as a count (NULL is 0).
    pub async fn scalar(&self, sql: &str) -> i64 {
        use sea_orm::ConnectionTrait;
        let db = self.db();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<Option<i64>>(0).unwrap().unwrap_or(0)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// POSTs a GraphQL request; returns the status, the headers and the JSON body.
    pub async fn post(&self, token: Option<&str>, body: Value) -> Reply {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .insert_header(("content-type", "application/json"))
            // As GraphiQL and current clients send it: the status codes of the newer type.
            .insert_header((
                "accept",
                "application/graphql-response+json, application/json",
            ));
        if let Some(token) = token {
            req = req.insert_header(("authorization", format!("Bearer {token}")));
        }
        Reply::read(req.send_body(body.to_string()).await.expect("request sent")).await
    }

    /// Runs a query or mutation with variables.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        self.post(token, json!({ "query": query, "variables": variables }))
            .await
    }

    /// Signs a person up; returns their access token, refresh token and user id.
    pub async fn sign_up(&self, email: &str) -> Session {
        people::sign_up(self, email).await
    }

    /// A new person who owns a new workspace; the session acts in it.
    pub async fn owner(&self, workspace_name: &str) -> Session {
        people::owner(self, workspace_name).await
    }

    /// Adds a new person to `owner`'s workspace with `role` the way people join (see
    /// [`people::member`]). Returns their session in the workspace.
    pub async fn member(&self, owner: &Session, role: &str) -> Session {
        people::member(self, owner, role).await
    }

    /// [`Self::member`], for a person called `name`.
    pub async fn member_named(&self, owner: &Session, role: &str, name: &str) -> Session {
        people::member_named(self, owner, role, name).await
    }

    /// Follows the latest verification link mailed to `email`.
    pub async fn verify(&self, email: &str) -> Reply {
        people::verify(self, email).await
    }

    /// `person` accepts the invitation `token`.
    pub async fn accept(&self, person: &Session, token: &str) -> Reply {
        people::accept(self, person, token).await
    }

    /// Every message the outbox kept for `email`, oldest first: (kind, body).
    pub async fn mail_to(&self, email: &str) -> Vec<(String, String)> {
        accord_api::store::outbox::mail_to(&self.state.store.global(), email)
            .await
            .expect("outbox read")
            .into_iter()
            .map(|mail| (mail.kind, mail.body))
            .collect()
    }

    /// The token in the latest mail of `kind` to `email`.
    pub async fn mailed_token(&self, email: &str, kind: &str) -> String {
        let mail = self.mail_to(email).await;
        let (_, body) = mail
            .iter()
            .rev()
            .find(|(k, _)| k == kind)
            .unwrap_or_else(|| panic!("no {kind} mail to {email} in {mail:?}"));
        token_in(body)
    }

    pub async fn log_in(&self, email: &str, workspace_id: Option<&str>) -> Reply {
        people::log_in(self, email, workspace_id).await
    }

    /// An API token with `scopes` in `owner`'s workspace.
    pub async fn api_token(&self, owner: &Session, scopes: &[&str]) -> (String, String) {
        let reply = self
            .gql(
                Some(&owner.access),
                "mutation($scopes: [String!]!) { createApiToken(input: {name: \"partner\", scopes: $scopes}) { token apiToken { id } } }",
                json!({ "scopes": scopes }),
            )
            .await;
        let created = reply.data("createApiToken");
        (
            created["token"].as_str().unwrap().to_owned(),
            created["apiToken"]["id"].as_str().unwrap().to_owned(),
        )
    }
}

impl people::Server for TestApp {
    async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Reply {
        TestApp::gql(self, token, query, variables).await
    }

    async fn mailed_token(&self, email: &str, kind: &str) -> String {
        TestApp::mailed_token(self, email, kind).await
    }
}

/// Waits until the state's bus carries a message back to this process (with Redis: once the
/// server's subscriber has subscribed), so a change a test makes right after the start reaches
/// the sockets it opens. The probe names a workspace of its own: no subscriber sees it.
async fn bus_listening(state: &AppState) {
    use accord_api::bus::{Activity, ActivityKind, BusEvent, BusMessage};
    let mut receiver = state.bus.subscribe();
    let probe = uuid::Uuid::now_v7();
    for _ in 0..100 {
        let _ = state
            .bus
            .publish(BusMessage {
                workspace_id: probe,
                event: BusEvent::Activity(Activity {
                    id: uuid::Uuid::now_v7(),
                    kind: ActivityKind::MemberAdded,
                    actor_user_id: None,
                    subject_id: probe,
                    message: "probe".into(),
                    occurred_at: chrono::Utc::now(),
                }),
            })
            .await;
        let heard = tokio::time::timeout(Duration::from_millis(100), async {
            loop {
                match receiver.recv().await {
                    Ok(message) if message.workspace_id == probe => return true,
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
                }
            }
        })
        .await;
        if heard == Ok(true) {
            return;
        }
    }
    panic!("the bus never carried a message back");
}

/// The token of the link in a mail body (`...?token=<token>`).
pub fn token_in(body: &str) -> String {
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The token in the latest mail of `kind` to `email` kept in `backend`'s outbox (for servers
/// started as processes).
pub async fn outbox_token(backend: &Backend, email: &str, kind: &str) -> String {
    let db = accord_api::db::connect_url(
        &backend.database_url,
        1,
        backend.database_schema.as_deref(),
        std::time::Duration::from_secs(10),
    )
    .await
    .expect("connect to the test database");
    let mail = accord_api::store::outbox::mail_to(&accord_api::store::Global::new(&db), email)
        .await
        .expect("outbox read");
    let found = mail
        .iter()
        .rev()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} mail to {email}"));
    token_in(&found.body)
}

#[derive(Debug, Clone, Default)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
    pub workspace_id: Option<String>,
    pub email: String,
    pub member_id: Option<String>,
}

impl Session {
    pub(crate) fn from_payload(payload: &Value) -> Self {
        Session {
            access: payload["accessToken"]
                .as_str()
                .expect("accessToken")
                .to_owned(),
            refresh: payload["refreshToken"]
                .as_str()
                .expect("refreshToken")
                .to_owned(),
            user_id: payload["user"]["id"].as_str().expect("user id").to_owned(),
            workspace_id: payload["workspace"]["id"].as_str().map(str::to_owned),
            ..Default::default()
        }
    }
}

/// A response as the test sees it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Value,
    pub raw: String,
}

impl Reply {
    pub async fn read<S>(mut response: awc::ClientResponse<S>) -> Self
    where
        S: futures_util::Stream<
                Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
            > + Unpin,
    {
        let bytes = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("body read");
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: serde_json::from_str(&raw).unwrap_or(Value::Null),
            raw,
        }
    }

    /// `data.<field>`, failing the test with the whole body when there are errors.
    pub fn data(&self, field: &str) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.raw
        );
        &self.body["data"][field]
    }

    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.raw))
    }

    /// The first error's `extensions.field`.
    pub fn field(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["field"].as_str()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
