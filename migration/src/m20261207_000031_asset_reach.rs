//! Each lead's reach by the assets kept as lines (issue 20's `assetPerformance` at a million
//! leads). The report found every (asset, lead) pair reached in its range and probed each
//! lead's later stage changes at request time (72,000 pairs in 90 days at a million leads).
//! With a lead reached by an asset once, at its first touch or event carrying it, what an
//! asset did for a lead depends on that lead's history alone, so it is worked out once and
//! kept:
//!
//! - `asset_reach_lines`: per lead and asset, a line at the first reach (`reached` 1) and one
//!   at each later stage change that moves the lead down the funnel (`advances`); the report
//!   sums a range's lines from an index by time that carries them.
//! - `asset_reach_due`: the leads whose lines are out of date; the job (`jobs::reach`) works
//!   their lines out again and takes them off. The report works out a due lead's lines from
//!   its history, in the same statement, so it is never stale.
//! - Triggers on `touches` and `events` (rows carrying an asset) and on `stage_changes` (every
//!   row) put the lead on the due list and delete its lines in the writing transaction: every
//!   writer of history (ingestion, touches, import, merges, erasure, the generator) is caught.
//!   On Postgres the mark is an upsert that takes the due row's lock, so a mark made while the
//!   job holds the lead waits for the job's commit and marks it again after.
//! - The contacts of an account, ids carried by an index of their own: the report's won deals
//!   go from each deal won in the range to its account's contacts (52,610 at a million leads),
//!   which the index by account and facts answered with a visit to each contact's row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LINES: &str = "asset_reach_lines";
const DUE: &str = "asset_reach_due";
const FUNCTION: &str = "accord_asset_reach_due";
/// The tables whose rows make a lead's lines due, and the rows that do (`{row}` is OLD or NEW).
const HISTORY: [(&str, &str); 3] = [
    ("touches", "{row}.asset_id IS NOT NULL"),
    ("events", "{row}.asset_id IS NOT NULL"),
    ("stage_changes", "{row}.contact_id IS NOT NULL"),
];
const UPDATED_COLUMNS: [(&str, &str); 3] = [
    ("touches", "asset_id, contact_id, occurred_at"),
    ("events", "asset_id, contact_id, occurred_at"),
    (
        "stage_changes",
        "contact_id, from_stage, to_stage, changed_at",
    ),
];

fn condition(table: &str, row: &str) -> String {
    let (_, rows) = HISTORY
        .iter()
        .find(|(t, _)| *t == table)
        .expect("a history table");
    rows.replace("{row}", row)
}

fn updated_columns(table: &str) -> &'static str {
    UPDATED_COLUMNS
        .iter()
        .find(|(t, _)| *t == table)
        .expect("a history table")
        .1
}

fn trigger_name(table: &str, op: &str) -> String {
    format!("tr_{table}_reach_{op}")
}

/// Puts the lead `row` names on the due list and deletes its lines. A lead being deleted (the
/// row goes with it by cascade) is not listed. The upsert's update takes the due row's lock.
fn mark_due(row: &str) -> String {
    format!(
        "INSERT INTO {DUE} (workspace_id, contact_id) \
           SELECT {row}.workspace_id, {row}.contact_id WHERE EXISTS (SELECT 1 FROM contacts c \
             WHERE c.workspace_id = {row}.workspace_id AND c.id = {row}.contact_id) \
           ON CONFLICT (workspace_id, contact_id) DO UPDATE SET contact_id = excluded.contact_id; \
         DELETE FROM {LINES} WHERE workspace_id = {row}.workspace_id \
           AND contact_id = {row}.contact_id"
    )
}

fn triggers(backend: DbBackend) -> Vec<String> {
    let mut statements = Vec::new();
    if backend == DbBackend::Postgres {
        statements.push(format!(
            "CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP <> 'INSERT' THEN {old}; END IF; \
               IF TG_OP <> 'DELETE' THEN {new}; END IF; \
               RETURN NULL; \
             END $$",
            old = mark_due("OLD"),
            new = mark_due("NEW"),
        ));
    }
    for (table, _) in HISTORY {
        let (new, old) = (condition(table, "NEW"), condition(table, "OLD"));
        let columns = updated_columns(table);
        let [insert, update, delete] =
            ["insert", "update", "delete"].map(|op| trigger_name(table, op));
        if backend == DbBackend::Postgres {
            statements.extend([
                format!(
                    "CREATE TRIGGER {insert} AFTER INSERT ON {table} FOR EACH ROW \
                     WHEN ({new}) EXECUTE FUNCTION {FUNCTION}()"
                ),
                format!(
                    "CREATE TRIGGER {update} AFTER UPDATE OF {columns} ON {table} FOR EACH ROW \
                     WHEN (({old}) OR ({new})) EXECUTE FUNCTION {FUNCTION}()"
                ),
                format!(
                    "CREATE TRIGGER {delete} AFTER DELETE ON {table} FOR EACH ROW \
                     WHEN ({old}) EXECUTE FUNCTION {FUNCTION}()"
                ),
            ]);
        } else {
            statements.extend([
                format!(
                    "CREATE TRIGGER {insert} AFTER INSERT ON {table} WHEN {new} \
                     BEGIN {}; END",
                    mark_due("NEW")
                ),
                format!(
                    "CREATE TRIGGER {update} AFTER UPDATE OF {columns} ON {table} \
                     WHEN ({old}) OR ({new}) BEGIN {}; {}; END",
                    mark_due("OLD"),
                    mark_due("NEW")
                ),
                format!(
                    "CREATE TRIGGER {delete} AFTER DELETE ON {table} WHEN {old} \
                     BEGIN {}; END",
                    mark_due("OLD")
                ),
            ]);
        }
    }
    statements
}

/// A range's lines, carried by the index (Postgres `INCLUDE`, SQLite trailing keys).
fn range_index(backend: DbBackend) -> String {
    let columns = match backend {
        DbBackend::Postgres => "(workspace_id, at) INCLUDE (asset_id, reached, advances)",
        _ => "(workspace_id, at, asset_id, reached, advances)",
    };
    format!("CREATE INDEX ix_{LINES}_at ON {LINES} {columns}")
}

const ACCOUNT_IDS_INDEX: &str = "ix_contacts_account_ids";

fn account_ids_index(backend: DbBackend) -> String {
    let columns = match backend {
        DbBackend::Postgres => "(workspace_id, account_id) INCLUDE (id)",
        _ => "(workspace_id, account_id, id)",
    };
    format!("CREATE INDEX {ACCOUNT_IDS_INDEX} ON contacts {columns}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let lines = tenant_table(LINES)
            .col(uuid(name("contact_id")))
            .col(uuid(name("asset_id")))
            .col(timestamp_with_time_zone(name("at")))
            .col(integer(name("reached")))
            .col(integer(name("advances")))
            .foreign_key(
                tenant_fk(LINES, "contact_id", "contacts").on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        create(
            manager,
            lines,
            &[index(LINES, &["workspace_id", "contact_id"], false)],
        )
        .await?;
        let due = Table::create()
            .table(name(DUE))
            .col(uuid(name("workspace_id")))
            .col(uuid(name("contact_id")))
            .primary_key(
                Index::create()
                    .col(name("workspace_id"))
                    .col(name("contact_id")),
            )
            .foreign_key(
                tenant_fk(DUE, "contact_id", "contacts").on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        manager.create_table(due).await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        db.execute_unprepared(&range_index(backend)).await?;
        db.execute_unprepared(&account_ids_index(backend)).await?;
        for sql in triggers(backend) {
            db.execute_unprepared(&sql).await?;
        }
        // Every lead an asset has reached is due once; the job keeps their lines.
        db.execute_unprepared(&format!(
            "INSERT INTO {DUE} (workspace_id, contact_id) \
             SELECT workspace_id, contact_id FROM touches WHERE asset_id IS NOT NULL \
             UNION SELECT workspace_id, contact_id FROM events WHERE asset_id IS NOT NULL"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for (table, _) in HISTORY {
            for op in ["insert", "update", "delete"] {
                let on = if postgres {
                    format!(" ON {table}")
                } else {
                    String::new()
                };
                db.execute_unprepared(&format!("DROP TRIGGER {}{on}", trigger_name(table, op)))
                    .await?;
            }
        }
        if postgres {
            db.execute_unprepared(&format!("DROP FUNCTION {FUNCTION}()"))
                .await?;
        }
        db.execute_unprepared(&format!("DROP INDEX {ACCOUNT_IDS_INDEX}"))
            .await?;
        for table in [DUE, LINES] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
