//! Facts `marketCoverage` reads instead of the history (issue 20's target: under 200 ms at a
//! million leads, where asking every ICP-fit contact's events and stage changes took seconds):
//!
//! - `contacts.last_event_at`: when the contact's latest event occurred (null: it has none).
//!   Ingestion keeps it with the lead it writes back.
//! - `contacts.funnel_reach`: how far along the funnel's path the lead's stage history ever
//!   went: 0 never, 1 MQL, 2 SAL, 3 SQL, 4 OPPORTUNITY, 5 CUSTOMER. Raised by the statement
//!   that records stays, never by a write of the lead (so no read-modify-write of a lead can
//!   set it back); the contact entity leaves it out for that reason.
//! - `accounts.last_event_at`: the latest of its contacts' events, raised with each batch's
//!   events; left out of the account entity for the same reason.
//!
//! The index by account gains the columns the waterfall counts, so they are counted from the
//! index alone; it replaces the plain `(workspace, account)` index it starts with.
//! [`backfill`] sets the facts from the history (here, and when the history is rebuilt).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::helpers::{drop_indexes, drop_named, index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CONTACTS: &str = "contacts";
const ACCOUNTS: &str = "accounts";
const BY_ACCOUNT: [&str; 2] = ["workspace_id", "account_id"];
/// The index by account with the facts: `(workspace, account, fit, latest event, reach)`.
const ACCOUNT_FACTS: &str = "ix_contacts_account_facts";

/// Statements that set the facts from the history, replacing what they held: each contact's
/// latest event and furthest stage, then each account's latest event from its contacts. The
/// same SQL on both databases (SQLite has `UPDATE ... FROM` since 3.33).
pub fn backfill() -> Vec<String> {
    vec![
        "UPDATE contacts SET last_event_at = NULL, funnel_reach = 0 \
         WHERE last_event_at IS NOT NULL OR funnel_reach <> 0"
            .to_owned(),
        "UPDATE accounts SET last_event_at = NULL WHERE last_event_at IS NOT NULL".to_owned(),
        "UPDATE contacts SET last_event_at = m.latest \
         FROM (SELECT workspace_id, contact_id, MAX(occurred_at) AS latest FROM events \
           GROUP BY workspace_id, contact_id) m \
         WHERE contacts.workspace_id = m.workspace_id AND contacts.id = m.contact_id"
            .to_owned(),
        "UPDATE contacts SET funnel_reach = m.reach \
         FROM (SELECT workspace_id, contact_id, MAX(CASE to_stage WHEN 'MQL' THEN 1 \
             WHEN 'SAL' THEN 2 WHEN 'SQL' THEN 3 WHEN 'OPPORTUNITY' THEN 4 \
             WHEN 'CUSTOMER' THEN 5 END) AS reach FROM stage_changes \
           WHERE to_stage IN ('MQL', 'SAL', 'SQL', 'OPPORTUNITY', 'CUSTOMER') \
           GROUP BY workspace_id, contact_id) m \
         WHERE contacts.workspace_id = m.workspace_id AND contacts.id = m.contact_id"
            .to_owned(),
        "UPDATE accounts SET last_event_at = m.latest \
         FROM (SELECT workspace_id, account_id, MAX(last_event_at) AS latest FROM contacts \
           WHERE account_id IS NOT NULL AND last_event_at IS NOT NULL \
           GROUP BY workspace_id, account_id) m \
         WHERE accounts.workspace_id = m.workspace_id AND accounts.id = m.account_id"
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [(CONTACTS, "last_event_at"), (ACCOUNTS, "last_event_at")] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(table))
                        .add_column(
                            ColumnDef::new(name(column))
                                .timestamp_with_time_zone()
                                .null(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(name(CONTACTS))
                    .add_column(
                        ColumnDef::new(name("funnel_reach"))
                            .small_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in backfill() {
            db.execute_unprepared(&sql).await?;
        }
        let mut by_account = index(CONTACTS, &BY_ACCOUNT, false);
        for column in ["fit_score", "last_event_at", "funnel_reach"] {
            by_account.col(name(column));
        }
        manager
            .create_index(by_account.name(ACCOUNT_FACTS).to_owned())
            .await?;
        drop_indexes(manager, &[(CONTACTS, &BY_ACCOUNT)]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(CONTACTS, &BY_ACCOUNT, false))
            .await?;
        manager
            .drop_index(drop_named(CONTACTS, ACCOUNT_FACTS))
            .await?;
        for (table, column) in [
            (CONTACTS, "funnel_reach"),
            (CONTACTS, "last_event_at"),
            (ACCOUNTS, "last_event_at"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(table))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
