//! Database connections: SQLite tuned for concurrent use, or Postgres.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::config::Config;

/// Opens the pool. On SQLite every connection gets WAL, a busy timeout and foreign keys; on
/// Postgres, no JIT.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    connect_url(
        &config.database_url,
        config.db_max_connections,
        config.database_schema.as_deref(),
        Duration::from_millis(config.db_acquire_timeout_ms),
    )
    .await
}

/// Opens a pool on `url`; `schema` sets the Postgres search path (tests use one schema each).
/// A statement that cannot get a connection within `acquire_timeout` fails (UNAVAILABLE), so a
/// database outage is answered at once instead of holding every request.
pub async fn connect_url(
    url: &str,
    max_connections: u32,
    schema: Option<&str>,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        })
        // Dashboards' statements are short, but correlated subqueries make their cost estimates
        // large enough for Postgres to JIT-compile them, which alone takes 50 ms and more.
        .map_sqlx_postgres_opts(|opts| opts.options([("jit", "off")]));
    if let Some(schema) = schema {
        options.set_schema_search_path(schema.to_owned());
    }
    let db = Database::connect(options).await?;
    if let Some(schema) = schema {
        // The name is validated by the configuration (lower-case, digits, underscores).
        db.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
            .await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
