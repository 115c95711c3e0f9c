//! Each won deal's assets kept as lines (issue 20's `assetPerformance` at a million leads). The
//! report went from each deal won in its range to its account's contacts (52,610 at a million
//! leads) and probed each one's touches and events for an asset before the close, about 100 ms
//! of every request. Which assets touched a won deal depends only on the deal (its account,
//! close and amount) and on its account's contacts' history, so it is worked out once and kept:
//!
//! - `won_deal_assets`: per won deal and asset that touched one of its account's contacts
//!   before the close, one line with the deal's close and amount copied, summed by the report
//!   from an index by close that carries them.
//! - `won_deal_assets_due`: the deals whose lines are out of date; the job
//!   (`jobs::won_deal_assets`) works them out again and takes them off. The report works out a
//!   due deal from the history, in the same statement, so it is never stale.
//! - Triggers put a deal on the due list and delete its lines in the writing transaction:
//!   a touch or event carrying an asset, dated before the close of a won deal at its contact's
//!   account; a contact leaving or joining an account with won deals, or deleted; a deal won,
//!   or once won, whose stage, close, amount or account changes. Every writer (ingestion,
//!   touches, deals, import, merges, erasure) is caught. On Postgres the mark is an upsert that
//!   takes the due row's lock, so a mark made while the job holds the deal waits for the job's
//!   commit and marks it again after.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LINES: &str = "won_deal_assets";
const DUE: &str = "won_deal_assets_due";
const WON: &str = "'CLOSED_WON'";

/// The won deals a row of `table` (`row` is OLD or NEW) may change the assets of.
fn deals_of(table: &str, row: &str) -> String {
    match table {
        "touches" | "events" => format!(
            "SELECT o.workspace_id, o.id FROM contacts c JOIN opportunities o \
               ON o.workspace_id = c.workspace_id AND o.account_id = c.account_id \
             WHERE c.workspace_id = {row}.workspace_id AND c.id = {row}.contact_id \
               AND o.stage = {WON} AND o.closed_at > {row}.occurred_at"
        ),
        "contacts" => format!(
            "SELECT o.workspace_id, o.id FROM opportunities o \
             WHERE o.workspace_id = {row}.workspace_id AND o.account_id = {row}.account_id \
               AND o.stage = {WON}"
        ),
        // The deal itself, while it exists (a deal being deleted takes its lines with it).
        _ => format!(
            "SELECT o.workspace_id, o.id FROM opportunities o \
             WHERE o.workspace_id = {row}.workspace_id AND o.id = {row}.id"
        ),
    }
}

/// Puts the deals of `table`'s `row` (OLD or NEW) on the due list and deletes their lines.
/// The upsert's update takes the due row's lock.
fn mark_due(table: &str, row: &str) -> String {
    let deals = deals_of(table, row);
    format!(
        "INSERT INTO {DUE} (workspace_id, opportunity_id) SELECT * FROM ({deals}) d WHERE TRUE \
           ON CONFLICT (workspace_id, opportunity_id) \
           DO UPDATE SET opportunity_id = excluded.opportunity_id; \
         DELETE FROM {LINES} WHERE workspace_id = {row}.workspace_id \
           AND opportunity_id IN (SELECT d.id FROM ({deals}) d)"
    )
}

/// Per table: the rows that may change a won deal's assets (`{row}` is OLD or NEW), the
/// columns whose update does, and an update's extra condition (`{distinct}` is the backend's
/// IS DISTINCT FROM).
struct Watched {
    table: &'static str,
    rows: &'static str,
    columns: &'static str,
    changed: &'static str,
    on_insert: bool,
}

const WATCHED: [Watched; 4] = [
    Watched {
        table: "touches",
        rows: "{row}.asset_id IS NOT NULL",
        columns: "asset_id, contact_id, occurred_at",
        changed: "TRUE",
        on_insert: true,
    },
    Watched {
        table: "events",
        rows: "{row}.asset_id IS NOT NULL",
        columns: "asset_id, contact_id, occurred_at",
        changed: "TRUE",
        on_insert: true,
    },
    // A new contact has no history yet; its touches and events mark the deals.
    Watched {
        table: "contacts",
        rows: "{row}.account_id IS NOT NULL",
        columns: "account_id",
        changed: "OLD.account_id {distinct} NEW.account_id",
        on_insert: false,
    },
    Watched {
        table: "opportunities",
        rows: "{row}.stage = 'CLOSED_WON'",
        columns: "stage, closed_at, amount, account_id",
        changed: "TRUE",
        on_insert: true,
    },
];

fn trigger_name(table: &str, op: &str) -> String {
    format!("tr_{table}_won_assets_{op}")
}

fn function_name(table: &str) -> String {
    format!("accord_won_assets_due_{table}")
}

fn triggers(backend: DbBackend) -> Vec<String> {
    let postgres = backend == DbBackend::Postgres;
    let distinct = if postgres {
        "IS DISTINCT FROM"
    } else {
        "IS NOT"
    };
    let mut statements = Vec::new();
    for w in WATCHED {
        let table = w.table;
        let (new, old) = (
            w.rows.replace("{row}", "NEW"),
            w.rows.replace("{row}", "OLD"),
        );
        let changed = w.changed.replace("{distinct}", distinct);
        let when_update = format!("(({old}) OR ({new})) AND ({changed})");
        let (old_mark, new_mark) = (mark_due(table, "OLD"), mark_due(table, "NEW"));
        // An opportunity's update marks the deal itself (NEW names it as OLD does).
        let update_marks = if table == "opportunities" {
            new_mark.clone()
        } else {
            format!("{old_mark}; {new_mark}")
        };
        let [insert, update, delete] =
            ["insert", "update", "delete"].map(|op| trigger_name(table, op));
        // A deleted deal's lines and due row go with it by cascade.
        let on_delete = table != "opportunities";
        if postgres {
            let function = function_name(table);
            statements.push(format!(
                "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP = 'INSERT' THEN {new_mark}; \
                   ELSIF TG_OP = 'UPDATE' THEN {update_marks}; \
                   ELSE {old_mark}; END IF; \
                   RETURN NULL; \
                 END $$"
            ));
            if w.on_insert {
                statements.push(format!(
                    "CREATE TRIGGER {insert} AFTER INSERT ON {table} FOR EACH ROW \
                     WHEN ({new}) EXECUTE FUNCTION {function}()"
                ));
            }
            statements.push(format!(
                "CREATE TRIGGER {update} AFTER UPDATE OF {columns} ON {table} FOR EACH ROW \
                 WHEN ({when_update}) EXECUTE FUNCTION {function}()",
                columns = w.columns
            ));
            if on_delete {
                statements.push(format!(
                    "CREATE TRIGGER {delete} AFTER DELETE ON {table} FOR EACH ROW \
                     WHEN ({old}) EXECUTE FUNCTION {function}()"
                ));
            }
        } else {
            if w.on_insert {
                statements.push(format!(
                    "CREATE TRIGGER {insert} AFTER INSERT ON {table} WHEN {new} \
                     BEGIN {new_mark}; END"
                ));
            }
            statements.push(format!(
                "CREATE TRIGGER {update} AFTER UPDATE OF {columns} ON {table} \
                 WHEN {when_update} BEGIN {update_marks}; END",
                columns = w.columns
            ));
            if on_delete {
                statements.push(format!(
                    "CREATE TRIGGER {delete} AFTER DELETE ON {table} WHEN {old} \
                     BEGIN {old_mark}; END"
                ));
            }
        }
    }
    statements
}

/// A range's lines, carried by the index (Postgres `INCLUDE`, SQLite trailing keys).
fn range_index(backend: DbBackend) -> String {
    let columns = match backend {
        DbBackend::Postgres => "(workspace_id, closed_at) INCLUDE (asset_id, amount)",
        _ => "(workspace_id, closed_at, asset_id, amount)",
    };
    format!("CREATE INDEX ix_{LINES}_closed_at ON {LINES} {columns}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let lines = tenant_table(LINES)
            .col(uuid(name("opportunity_id")))
            .col(uuid(name("asset_id")))
            .col(timestamp_with_time_zone(name("closed_at")))
            .col(double(name("amount")))
            .foreign_key(
                tenant_fk(LINES, "opportunity_id", "opportunities")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        create(
            manager,
            lines,
            &[index(LINES, &["workspace_id", "opportunity_id"], false)],
        )
        .await?;
        let due = Table::create()
            .table(name(DUE))
            .col(uuid(name("workspace_id")))
            .col(uuid(name("opportunity_id")))
            .primary_key(
                Index::create()
                    .col(name("workspace_id"))
                    .col(name("opportunity_id")),
            )
            .foreign_key(
                tenant_fk(DUE, "opportunity_id", "opportunities")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        manager.create_table(due).await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        db.execute_unprepared(&range_index(backend)).await?;
        for sql in triggers(backend) {
            db.execute_unprepared(&sql).await?;
        }
        // Every won deal is due once; the job keeps its lines.
        db.execute_unprepared(&format!(
            "INSERT INTO {DUE} (workspace_id, opportunity_id) \
             SELECT workspace_id, id FROM opportunities WHERE stage = {WON}"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for w in WATCHED {
            let table = w.table;
            for op in ["insert", "update", "delete"] {
                let on = if postgres {
                    format!(" ON {table}")
                } else {
                    String::new()
                };
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS {}{on}",
                    trigger_name(table, op)
                ))
                .await?;
            }
            if postgres {
                db.execute_unprepared(&format!("DROP FUNCTION {}()", function_name(table)))
                    .await?;
            }
        }
        for table in [DUE, LINES] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
