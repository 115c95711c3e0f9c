//! Each account's suspects kept as a fact (issue 20's `marketCoverage` at a million leads).
//! The waterfall counted every ICP-fit contact at an ICP-fit account at request time (752,000
//! contacts read from the index by account at a million leads); an account's count depends
//! only on its own contacts and the contract's minimum fit, so it is counted once and kept on
//! the account, where the report's one pass over the accounts sums it:
//!
//! - `accounts.suspects`, `suspect_inquiries`, `suspect_mqls`, `suspect_sals`,
//!   `suspect_sqls`: its contacts of at least the minimum fit, those with an event, and of
//!   those the ones whose history reached MQL, SAL, SQL or further (the waterfall's steps).
//! - `accounts.suspects_fit`: the minimum fit they were counted for; NULL when they are out of
//!   date. The job (`jobs::suspects`) counts and sets it; the report counts an account whose
//!   value is not the contract's from its contacts as before. None of these columns is in the
//!   account entity, so no write of an account model can set them.
//! - Triggers on `contacts` set `suspects_fit` to NULL whenever a contact that is or was a
//!   possible suspect (at an account, with a fit) joins, leaves, changes its account or its
//!   fit, takes its first event or reaches further along the funnel: every writer of contacts
//!   (ingestion, records, import, the fit job, the market facts, merges, erasure) is caught, so
//!   none has to remember it.
//! - The open deals' accounts get a partial index of their own: the report's `inPipeline`
//!   read every deal of the workspace to find them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::name;

#[derive(DeriveMigrationName)]
pub struct Migration;

const DUE_INDEX: &str = "ix_accounts_suspects_due";
/// The accounts counted for another minimum fit than the contract's, found by the report.
const FIT_INDEX: &str = "ix_accounts_suspects_fit";
/// The open deals' accounts, which the report reads whole (a scan of every deal before).
const OPEN_DEALS_INDEX: &str = "ix_opportunities_open_accounts";
/// The kept counts, zero until the job counts the account.
pub const COUNTS: [&str; 5] = [
    "suspects",
    "suspect_inquiries",
    "suspect_mqls",
    "suspect_sals",
    "suspect_sqls",
];
const TRIGGERS: [&str; 3] = [
    "tr_contacts_suspects_insert",
    "tr_contacts_suspects_update",
    "tr_contacts_suspects_delete",
];
const FUNCTION: &str = "accord_account_suspects_due";

/// The contact (`row` is OLD or NEW) may be a suspect of its account.
fn may_count(row: &str) -> String {
    format!("{row}.account_id IS NOT NULL AND {row}.fit_score > 0")
}

/// An update changed what the contact counts for.
fn counted_change(distinct: &str) -> String {
    format!(
        "(OLD.account_id {distinct} NEW.account_id OR OLD.fit_score <> NEW.fit_score \
          OR (OLD.last_event_at IS NULL) <> (NEW.last_event_at IS NULL) \
          OR OLD.funnel_reach <> NEW.funnel_reach) \
         AND (({old}) OR ({new}))",
        old = may_count("OLD"),
        new = may_count("NEW"),
    )
}

/// Marks the account `row` names due (no write when it is due already).
fn mark_due(row: &str) -> String {
    format!(
        "UPDATE accounts SET suspects_fit = NULL WHERE workspace_id = {row}.workspace_id \
           AND id = {row}.account_id AND suspects_fit IS NOT NULL"
    )
}

const UPDATED_COLUMNS: &str = "account_id, fit_score, last_event_at, funnel_reach";

fn triggers(backend: DbBackend) -> Vec<String> {
    let [insert, update, delete] = TRIGGERS;
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP <> 'INSERT' AND OLD.account_id IS NOT NULL THEN {old}; END IF; \
                   IF TG_OP = 'INSERT' THEN {new}; \
                   ELSIF TG_OP = 'UPDATE' AND NEW.account_id IS NOT NULL THEN \
                     IF NEW.account_id IS DISTINCT FROM OLD.account_id THEN {new}; END IF; \
                   END IF; \
                   RETURN NULL; \
                 END $$",
                old = mark_due("OLD"),
                new = mark_due("NEW"),
            ),
            format!(
                "CREATE TRIGGER {insert} AFTER INSERT ON contacts FOR EACH ROW \
                 WHEN ({}) EXECUTE FUNCTION {FUNCTION}()",
                may_count("NEW")
            ),
            format!(
                "CREATE TRIGGER {update} AFTER UPDATE OF {UPDATED_COLUMNS} ON contacts \
                 FOR EACH ROW WHEN ({}) EXECUTE FUNCTION {FUNCTION}()",
                counted_change("IS DISTINCT FROM")
            ),
            format!(
                "CREATE TRIGGER {delete} AFTER DELETE ON contacts FOR EACH ROW \
                 WHEN ({}) EXECUTE FUNCTION {FUNCTION}()",
                may_count("OLD")
            ),
        ],
        _ => vec![
            format!(
                "CREATE TRIGGER {insert} AFTER INSERT ON contacts WHEN {} \
                 BEGIN {}; END",
                may_count("NEW"),
                mark_due("NEW")
            ),
            // Marking the same account twice writes it once: the second finds it due.
            format!(
                "CREATE TRIGGER {update} AFTER UPDATE OF {UPDATED_COLUMNS} ON contacts \
                 WHEN {} BEGIN {}; {}; END",
                counted_change("IS NOT"),
                mark_due("OLD"),
                mark_due("NEW")
            ),
            format!(
                "CREATE TRIGGER {delete} AFTER DELETE ON contacts WHEN {} \
                 BEGIN {}; END",
                may_count("OLD"),
                mark_due("OLD")
            ),
        ],
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("accounts"))
                    .add_column(ColumnDef::new(name("suspects_fit")).integer().null())
                    .to_owned(),
            )
            .await?;
        for column in COUNTS {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("accounts"))
                        .add_column(ColumnDef::new(name(column)).integer().not_null().default(0))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // The same syntax on both databases; the job finds due accounts through the first.
        for sql in [
            format!("CREATE INDEX {DUE_INDEX} ON accounts (workspace_id, id) WHERE suspects_fit IS NULL"),
            format!("CREATE INDEX {FIT_INDEX} ON accounts (workspace_id, suspects_fit)"),
            format!(
                "CREATE INDEX {OPEN_DEALS_INDEX} ON opportunities (workspace_id, account_id) \
                 WHERE stage NOT IN ('CLOSED_WON', 'CLOSED_LOST')"
            ),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        for sql in triggers(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for trigger in TRIGGERS {
            let on = if postgres { " ON contacts" } else { "" };
            db.execute_unprepared(&format!("DROP TRIGGER {trigger}{on}"))
                .await?;
        }
        if postgres {
            db.execute_unprepared(&format!("DROP FUNCTION {FUNCTION}()"))
                .await?;
        }
        for index in [DUE_INDEX, FIT_INDEX, OPEN_DEALS_INDEX] {
            db.execute_unprepared(&format!("DROP INDEX {index}"))
                .await?;
        }
        for column in COUNTS.into_iter().chain(["suspects_fit"]) {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("accounts"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
