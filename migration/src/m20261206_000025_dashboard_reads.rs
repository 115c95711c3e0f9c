//! Indexes for the issue-20 dashboards at a million leads (issue 20's benchmark target):
//!
//! - `assetPerformance` seeks each asset's events of a range and reads the leads they reached
//!   from the index alone; most events carry no asset, so the index holds only those that do
//!   (partial: `asset_id IS NOT NULL`, which every read of it states), and costs nothing to an
//!   event without one. A second partial index finds a contact's asset-carrying events in time
//!   order, for the deals won at an account the asset reached.
//! - Touches by asset also carry their play and contact (the play uses and the leads reached
//!   are counted from the index, as the outcome already was); it replaces the index by asset
//!   and outcome of migration 000010, whose columns it starts with.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TOUCHES: &str = "touches";
const TOUCHES_BY_ASSET: [&str; 4] = ["workspace_id", "asset_id", "occurred_at", "outcome"];

/// Partial indexes, written once for both databases (the same syntax on each).
const CREATE: [&str; 3] = [
    "CREATE INDEX ix_events_asset_reach ON events \
       (workspace_id, asset_id, occurred_at, contact_id) WHERE asset_id IS NOT NULL",
    "CREATE INDEX ix_events_contact_assets ON events \
       (workspace_id, contact_id, occurred_at, asset_id) WHERE asset_id IS NOT NULL",
    "CREATE INDEX ix_touches_asset_reach ON touches \
       (workspace_id, asset_id, occurred_at, outcome, play_id, contact_id)",
];
const DROP: [&str; 3] = [
    "DROP INDEX ix_touches_asset_reach",
    "DROP INDEX ix_events_contact_assets",
    "DROP INDEX ix_events_asset_reach",
];

fn drop_touches_by_asset() -> IndexDropStatement {
    Index::drop()
        .name(format!("ix_{TOUCHES}_{}", TOUCHES_BY_ASSET.join("_")))
        .table(name(TOUCHES))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in CREATE {
            db.execute_unprepared(sql).await?;
        }
        manager.drop_index(drop_touches_by_asset()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(TOUCHES, &TOUCHES_BY_ASSET, false))
            .await?;
        let db = manager.get_connection();
        for sql in DROP {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
