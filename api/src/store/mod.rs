//! Data access. Tenant data is reached only through [`Tenant`], which carries the workspace of the
//! credential and adds it to every query, so a resolver cannot forget it.

pub mod account_signals;
pub mod account_suspects;
pub mod accounts;
pub mod api_tokens;
pub mod asset_reach;
pub mod assignment;
pub mod audiences;
pub mod backtest;
mod bulk;
pub mod cadences;
pub mod catalog;
pub mod children;
pub mod clocks;
pub mod contacts;
pub mod contracts;
pub mod deal_credits;
pub mod due_flags;
pub mod due_work;
pub mod email_tokens;
pub mod enrollments;
pub mod events;
pub mod filters;
pub mod fit;
pub mod goals;
pub mod icps;
pub mod identity;
mod ids;
pub mod invitations;
pub mod keyset;
pub mod lead_actions;
pub mod lists;
pub mod loaders;
pub mod market_facts;
pub mod members;
pub mod memo;
pub mod metrics;
pub mod narrow;
pub mod opportunities;
pub mod outbox;
pub mod people;
pub mod periodic;
pub mod plays;
pub mod positional;
pub mod records;
pub mod rejections;
pub mod requalify;
pub mod reviews;
pub mod rollups;
pub mod routing_rules;
pub mod scores;
pub mod sessions;
pub mod sorts;
pub mod sql;
pub mod stages;
pub mod tasks;
pub mod timeline;
pub mod touches;
pub mod triggers;
pub mod trusted_documents;
pub mod updates;
pub mod webhooks;
pub mod won_deal_assets;

pub use ids::{parse_id, parse_id_at, parse_optional_id, parse_optional_id_at};

use std::sync::Arc;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PrimaryKeyTrait, QueryFilter, QuerySelect, Select, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// An entity whose rows belong to one workspace.
pub trait TenantEntity: EntityTrait {
    /// The column holding the owning workspace.
    fn workspace_column() -> Self::Column;
    /// The noun used in NOT_FOUND errors.
    const NOUN: &'static str;
    /// A row of a plain select of this entity, read by position ([`positional`]).
    fn decode(row: &sea_orm::QueryResult) -> Result<Self::Model, sea_orm::DbErr>;
    /// The columns in the order [`Self::mark_changed`] flags them.
    const COLUMNS: &'static [&'static str];
    /// Flags the columns in which two rows differ ([`positional::Positional::mark_changed`]).
    fn mark_changed(old: &Self::Model, new: &Self::Model, changed: &mut [bool]);
}

/// A row with a UUID primary key.
pub trait Identified {
    fn id(&self) -> Uuid;
}

/// The database, for data that belongs to no workspace (people, sessions) and to open
/// transactions.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// SQLite's one write lock, queued for in this process: a writer waiting in SQLite's busy
    /// handler sleeps in steps of up to 100 ms, so waiters woke late, another often took the
    /// lock first, and one could wait past the busy timeout and fail. On Postgres, `None`.
    sqlite_writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

/// A turn at SQLite's write lock in this process, held until the transaction ends.
pub(crate) type WriteTurn = Option<tokio::sync::OwnedMutexGuard<()>>;

impl Store {
    pub fn new(db: DatabaseConnection) -> Self {
        let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
        Self {
            db,
            sqlite_writer: sqlite.then(Arc::default),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Reads of data that belongs to no workspace.
    pub fn global(&self) -> Global<'_, DatabaseConnection> {
        Global::new(&self.db)
    }

    pub fn tenant(&self, workspace_id: Uuid) -> Tenant<'_, DatabaseConnection> {
        Tenant::new(&self.db, workspace_id)
    }

    /// Begins a write transaction (IMMEDIATE on SQLite, so it takes the write lock up front
    /// rather than failing with SQLITE_BUSY half-way).
    /// On SQLite the writers of this process first queue for their turn, in arrival order; the
    /// turn is to be held until the transaction ends.
    pub(crate) async fn begin_write(&self) -> AppResult<(DatabaseTransaction, WriteTurn)> {
        let turn = match &self.sqlite_writer {
            Some(writer) => Some(writer.clone().lock_owned().await),
            None => None,
        };
        let txn = self
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok((txn, turn))
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> AppResult<()> {
        Ok(self.db.ping().await?)
    }
}

/// Access to data of no workspace (people, sessions, workspaces themselves) over any connection
/// or transaction. Like [`Tenant`], it keeps its connection to the store.
pub struct Global<'c, C: ConnectionTrait> {
    conn: &'c C,
}

impl<'c, C: ConnectionTrait> Global<'c, C> {
    pub fn new(conn: &'c C) -> Self {
        Self { conn }
    }

    pub(in crate::store) fn conn(&self) -> &'c C {
        self.conn
    }
}

/// The workspace handle a request reads through (outside any unit of work).
pub type ReadTenant<'c> = Tenant<'c, DatabaseConnection>;

/// Workspace-scoped access over any connection or transaction.
pub struct Tenant<'c, C: ConnectionTrait> {
    conn: &'c C,
    workspace_id: Uuid,
}

impl<'c, C: ConnectionTrait> Tenant<'c, C> {
    pub fn new(conn: &'c C, workspace_id: Uuid) -> Self {
        Self { conn, workspace_id }
    }

    pub(in crate::store) fn conn(&self) -> &'c C {
        self.conn
    }

    pub fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    /// Every row of `E` in this workspace, ready for more filters.
    pub fn select<E: TenantEntity>(&self) -> Select<E> {
        E::find().filter(E::workspace_column().eq(self.workspace_id))
    }

    /// One row by id, NOT_FOUND when it does not exist in this workspace.
    pub async fn get<E>(&self, id: Uuid) -> AppResult<E::Model>
    where
        E: TenantEntity,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        let select = self.select::<E>().filter(id_condition::<E>(id));
        positional::one(select, self.conn)
            .await?
            .ok_or(AppError::not_found(E::NOUN))
    }

    /// A record to change, locked until the transaction ends so that a concurrent writer of the
    /// same record waits and then reads what this one wrote (`FOR UPDATE` on Postgres; SQLite's
    /// IMMEDIATE write transactions already take turns). Use inside a write transaction.
    pub async fn get_for_update<E>(&self, id: Uuid) -> AppResult<E::Model>
    where
        E: TenantEntity,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        let mut select = self.select::<E>().filter(id_condition::<E>(id));
        if self.conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            select = select.lock_exclusive();
        }
        positional::one(select, self.conn)
            .await?
            .ok_or(AppError::not_found(E::NOUN))
    }

    /// A lead to change. It first waits its turn behind the workspace's ingest batches and
    /// record upserts (they hold the identity-write lock while they rewrite leads), then locks
    /// the row, so a lead action and an event never overwrite each other's stage.
    pub async fn lead_for_update(&self, id: Uuid) -> AppResult<entity::contact::Model> {
        serialize_identity_writes(self.conn, self.workspace_id).await?;
        self.get_for_update::<entity::contact::Entity>(id).await
    }

    /// A record named by an id inside an input (a reference): NOT_FOUND at `field` when the id
    /// is malformed or names no row of this workspace; database failures stay INTERNAL.
    pub async fn referenced<E: TenantEntity>(
        &self,
        raw: &async_graphql::ID,
        field: &str,
    ) -> AppResult<E::Model>
    where
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        let missing = || AppError::not_found_at(E::NOUN, field);
        let id = Uuid::parse_str(raw.as_str()).map_err(|_| missing())?;
        match self.get::<E>(id).await {
            Err(AppError::NotFound { .. }) => Err(missing()),
            other => other,
        }
    }

    /// The rows of `E` with these ids in this workspace (others are silently absent).
    pub async fn get_many<E: TenantEntity>(&self, ids: &[Uuid]) -> AppResult<Vec<E::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = self
            .select::<E>()
            .filter(id_column::<E>().is_in(ids.iter().copied()));
        Ok(positional::all(select, self.conn).await?)
    }
}

fn id_column<E: EntityTrait>() -> E::Column {
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    E::PrimaryKey::iter()
        .next()
        .expect("every entity has a primary key")
        .into_column()
}

fn id_condition<E: EntityTrait>(id: Uuid) -> sea_orm::Condition {
    sea_orm::Condition::all().add(id_column::<E>().eq(id))
}

/// Makes concurrent writers that create records by natural key (accounts by domain, contacts by
/// email, sources by name) take turns within one workspace, so two batches naming the same new
/// company cannot both create it. SQLite's IMMEDIATE transactions already serialize writers; on
/// Postgres this takes a transaction-scoped advisory lock keyed by the workspace.
pub async fn serialize_identity_writes<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
) -> AppResult<()> {
    workspace_lock(conn, workspace_id, "SELECT pg_advisory_xact_lock($1)").await
}

/// Ingestion's side of [`serialize_identity_writes`]: the same lock, shared. Ingest batches of
/// one workspace run side by side (they take turns only to create natural keys, see
/// [`take_creation_turn`], and lock the leads they change); every other writer of leads still
/// waits for them, and they for it.
pub async fn share_identity_writes<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
) -> AppResult<()> {
    workspace_lock(
        conn,
        workspace_id,
        "SELECT pg_advisory_xact_lock_shared($1)",
    )
    .await
}

/// Makes ingest batches that create records by natural key (contacts, accounts, sources) take
/// turns within one workspace until they commit, so two batches naming the same new company
/// cannot both create it. A separate lock from [`serialize_identity_writes`] (the two-key
/// form); SQLite serializes writers already.
pub async fn take_creation_turn<C: ConnectionTrait>(conn: &C, workspace_id: Uuid) -> AppResult<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let (high, low) = workspace_id.as_u64_pair();
        let key = high ^ low;
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1, $2)",
            [
                ((key >> 32) as u32 as i32).into(),
                (key as u32 as i32).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

async fn workspace_lock<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
    sql: &str,
) -> AppResult<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let (high, low) = workspace_id.as_u64_pair();
        let key = (high ^ low) as i64;
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            sql,
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

macro_rules! tenant_entities {
    ($($module:ident => $noun:literal),+ $(,)?) => {
        $(
            impl TenantEntity for entity::$module::Entity {
                fn workspace_column() -> Self::Column {
                    entity::$module::Column::WorkspaceId
                }
                const NOUN: &'static str = $noun;

                fn decode(
                    row: &sea_orm::QueryResult,
                ) -> Result<Self::Model, sea_orm::DbErr> {
                    <entity::$module::Model as positional::Positional>::from_position(row)
                }

                const COLUMNS: &'static [&'static str] =
                    <entity::$module::Model as positional::Positional>::COLUMNS;

                fn mark_changed(
                    old: &Self::Model,
                    new: &Self::Model,
                    changed: &mut [bool],
                ) {
                    positional::Positional::mark_changed(old, new, changed)
                }
            }

            impl Identified for entity::$module::Model {
                fn id(&self) -> Uuid {
                    self.id
                }
            }
        )+
    };
}

tenant_entities! {
    membership => "member",
    member_directory => "member",
    invitation => "invitation",
    api_token => "API token",
    account => "account",
    contact => "lead",
    source => "source",
    campaign => "campaign",
    asset => "asset",
    spend => "spend",
    opportunity => "opportunity",
    icp => "ICP",
    lead_contract => "lead contract",
    event => "event",
    score_entry => "score entry",
    stage_change => "stage change",
    routing_rule => "routing rule",
    trigger => "trigger",
    trusted_document => "trusted document",
    recipient_sequence => "recipient sequence",
    sla_clock => "SLA clock",
    rejection => "rejection",
    fit_job => "fit job",
    requalify_job => "re-evaluation job",
    cadence => "cadence",
    play => "play",
    enrollment => "enrollment",
    task => "task",
    touch => "touch",
    opportunity_stage_change => "opportunity stage change",
    job_mark => "job mark",
    revenue_review => "revenue review",
    review_attendance => "attendance",
    review_decision => "decision",
    action_item => "action item",
    goal => "goal",
    messaging_test => "messaging test",
    metric_rollup => "metric rollup",
    webhook => "webhook",
    webhook_delivery => "webhook delivery",
    webhook_attempt => "webhook attempt",
    account_signal => "account signal",
    deal_credit => "deal credit",
}
