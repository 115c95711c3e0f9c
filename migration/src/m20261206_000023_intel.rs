//! The lead intel package and content performance: each trigger keeps the intel it was sent
//! with (`intel`, JSON, null for a trigger about no lead), so the live stream delivers it
//! without another query and it shows what was true when the trigger went out. Indexes for what
//! the new reads order and filter by: a lead's triggers by time (`Lead.timeline`, the
//! scorecard's MQLs with intel) and the cadence tasks carrying an asset by due time
//! (`assetPerformance`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TRIGGERS: &str = "triggers";
const BY_LEAD: [&str; 3] = ["workspace_id", "lead_id", "created_at"];
const TASKS: &str = "tasks";
const BY_ASSET: [&str; 3] = ["workspace_id", "asset_id", "due_at"];

fn drop_index(table: &str, columns: &[&str]) -> IndexDropStatement {
    Index::drop()
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(name(table))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TRIGGERS))
                    .add_column(json_null(name("intel")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(TRIGGERS, &BY_LEAD, false))
            .await?;
        manager.create_index(index(TASKS, &BY_ASSET, false)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(drop_index(TASKS, &BY_ASSET)).await?;
        manager.drop_index(drop_index(TRIGGERS, &BY_LEAD)).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TRIGGERS))
                    .drop_column(name("intel"))
                    .to_owned(),
            )
            .await
    }
}
