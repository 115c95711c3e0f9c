//! Which database a run uses, and whether it already holds a complete workspace of the asked
//! size (generating a million leads is expensive, so a complete one is reused).
//!
//! - Postgres: database `accord_bench_metrics` (created when missing), one schema per size
//!   (`metrics_10000`, ...);
//! - SQLite: one file per size, `accord-metrics-<leads>.db` in ACCORD_BENCH_DATA_DIR (default:
//!   Cargo's per-target temporary directory, `target/tmp`).
//!
//! A workspace is complete once its name carries the marker written after generation
//! (`Metrics benchmark: <leads> leads; now <RFC 3339>; built in <s> s`). A database holding
//! anything else (an interrupted generation) is wiped first: the schema dropped, or the file
//! removed.

use accord_api::{config::Config, db};
use chrono::{DateTime, Utc};
use entity::workspace;
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter};
use uuid::Uuid;

const MARKER: &str = "Metrics benchmark: ";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub struct Target {
    pub backend: Backend,
    pub leads: u64,
    pub url: String,
    pub schema: Option<String>,
}

/// A complete generated workspace.
pub struct Generated {
    pub now: DateTime<Utc>,
    pub seconds: f64,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// ACCORD_BENCH_DATA_DIR, else Cargo's temporary directory for benchmarks.
fn data_dir() -> String {
    let dir = env_or(
        "ACCORD_BENCH_DATA_DIR",
        env!("CARGO_TARGET_TMPDIR").to_owned(),
    );
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Target {
    /// ACCORD_BENCH_LEADS (10000), ACCORD_BENCH_DB (postgres | sqlite), ACCORD_BENCH_METRICS_URL
    /// (postgres://postgres@127.0.0.1:5432/accord_bench_metrics), ACCORD_BENCH_DATA_DIR.
    pub fn from_env() -> Self {
        let leads: u64 = env_or("ACCORD_BENCH_LEADS", 10_000);
        let backend = match std::env::var("ACCORD_BENCH_DB").as_deref() {
            Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") | Err(_) => Backend::Postgres,
            Ok(other) => panic!("ACCORD_BENCH_DB is postgres or sqlite, not {other}"),
        };
        match backend {
            Backend::Postgres => Target {
                backend,
                leads,
                url: env_or(
                    "ACCORD_BENCH_METRICS_URL",
                    "postgres://postgres@127.0.0.1:5432/accord_bench_metrics".to_owned(),
                ),
                schema: Some(format!("metrics_{leads}")),
            },
            Backend::Sqlite => {
                let dir = data_dir();
                Target {
                    backend,
                    leads,
                    url: format!("sqlite://{dir}/accord-metrics-{leads}.db?mode=rwc"),
                    schema: None,
                }
            }
        }
    }

    /// A file of the data directory (where the results of all runs are kept).
    pub fn results_path(&self, file: &str) -> std::path::PathBuf {
        std::path::Path::new(&data_dir()).join(file)
    }

    pub fn name(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => "Postgres",
            Backend::Sqlite => "SQLite",
        }
    }

    /// The server's configuration: the benchmark defaults, this database, and access tokens
    /// that outlive a long run.
    pub fn config(&self) -> Config {
        let mut config = crate::support::bench_config("unused");
        config.database_url = self.url.clone();
        config.database_schema = self.schema.clone();
        config.access_token_ttl_secs = 24 * 3600;
        config
    }

    /// The complete workspace already there, if any; wipes an incomplete one.
    pub async fn existing(&self) -> Option<Generated> {
        if self.backend == Backend::Postgres {
            self.create_database().await;
        }
        let conn = db::connect_url(
            &self.url,
            2,
            self.schema.as_deref(),
            std::time::Duration::from_secs(10),
        )
        .await
        .expect("the benchmark database answers");
        // No table yet: a fresh database.
        let workspaces = workspace::Entity::find().all(&conn).await.ok()?;
        if let Some(done) = workspaces.iter().find_map(|w| parse_marker(&w.name)) {
            if done.0 == self.leads {
                return Some(done.1);
            }
        }
        if workspaces.is_empty() {
            return None;
        }
        println!("an incomplete workspace is there: starting over");
        match self.backend {
            Backend::Postgres => {
                let schema = self.schema.as_deref().unwrap();
                conn.execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                    .await
                    .unwrap();
            }
            Backend::Sqlite => {
                conn.close().await.unwrap();
                let path = self.url.trim_start_matches("sqlite://");
                let path = path.split('?').next().unwrap();
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
        }
        None
    }

    async fn create_database(&self) {
        let (server, name) = self.url.rsplit_once('/').expect("a database URL");
        let name = name.split('?').next().unwrap();
        let admin = Database::connect(format!("{server}/postgres"))
            .await
            .expect("Postgres answers");
        let found = admin
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
            ))
            .await
            .unwrap();
        if found.is_none() {
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
        }
        admin.close().await.unwrap();
    }
}

/// Marks `workspace_id` complete: `leads` generated, history ending at `now`.
pub async fn mark_complete<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    leads: u64,
    now: DateTime<Utc>,
    seconds: f64,
) {
    let name = format!(
        "{MARKER}{leads} leads; now {}; built in {seconds:.0} s",
        now.to_rfc3339()
    );
    workspace::Entity::update_many()
        .col_expr(workspace::Column::Name, name.into())
        .filter(workspace::Column::Id.eq(workspace_id))
        .exec(db)
        .await
        .unwrap();
}

fn parse_marker(name: &str) -> Option<(u64, Generated)> {
    let rest = name.strip_prefix(MARKER)?;
    let mut parts = rest.split("; ");
    let leads = parts.next()?.strip_suffix(" leads")?.parse().ok()?;
    let now = parts.next()?.strip_prefix("now ")?;
    let now = DateTime::parse_from_rfc3339(now).ok()?.with_timezone(&Utc);
    let seconds = parts
        .next()?
        .strip_prefix("built in ")?
        .strip_suffix(" s")?
        .parse()
        .ok()?;
    Some((leads, Generated { now, seconds }))
}
