//! Fewer index entries per written lead. A lead that takes an event is rewritten in every index
//! of `contacts` (20 before this; its score and times are indexed, so the update is never HOT),
//! and a batch's leads are the largest part of the ingestion's write time.
//!
//! - Indexes another index of the same table starts with are dropped: they answered no read the
//!   longer one does not. The longer ones stay: `(workspace, stage, last_engaged_at)`,
//!   `(workspace, source, stage)`, `(workspace, lead, created_at)` of `triggers` and
//!   `(workspace, webhook, created_at, id)` of `webhook_deliveries`.
//! - The check-back date, the recycle tag and the unassigned queue's waiting time are set on
//!   few leads; their indexes now hold only those (partial: `IS NOT NULL`, which every read of
//!   them implies), so a lead without one costs them nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::helpers::{create_indexes, drop_indexes};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REDUNDANT: [(&str, &[&str]); 4] = [
    ("contacts", &["workspace_id", "stage"]),
    ("contacts", &["workspace_id", "source_id"]),
    ("triggers", &["workspace_id", "lead_id"]),
    (
        "webhook_deliveries",
        &["workspace_id", "webhook_id", "created_at"],
    ),
];

/// The columns of `contacts` few leads have set, each indexed after the workspace.
const MOSTLY_UNSET: [&str; 3] = ["check_back_on", "recycle_tag", "waiting_since"];

/// Their indexes as they were: every lead, set or not.
const EVERY_LEAD: [(&str, &[&str]); 3] = [
    ("contacts", &["workspace_id", "check_back_on"]),
    ("contacts", &["workspace_id", "recycle_tag"]),
    ("contacts", &["workspace_id", "waiting_since"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(manager, &REDUNDANT).await?;
        let db = manager.get_connection();
        for column in MOSTLY_UNSET {
            // The same syntax on both databases.
            db.execute_unprepared(&format!(
                "CREATE INDEX ix_contacts_{column}_set ON contacts (workspace_id, {column}) \
                 WHERE {column} IS NOT NULL"
            ))
            .await?;
        }
        drop_indexes(manager, &EVERY_LEAD).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_indexes(manager, &EVERY_LEAD).await?;
        let db = manager.get_connection();
        for column in MOSTLY_UNSET {
            db.execute_unprepared(&format!("DROP INDEX ix_contacts_{column}_set"))
                .await?;
        }
        create_indexes(manager, &REDUNDANT).await
    }
}
