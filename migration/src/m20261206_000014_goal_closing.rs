//! Goals can be closed: `closed_at` (null while the goal is open), and the index the open-goal
//! list reads (open goals, latest period first).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "goals";
const INDEX: [&str; 4] = ["workspace_id", "closed_at", "period_start", "id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(timestamp_with_time_zone_null(name("closed_at")))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(TABLE, &INDEX, false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(format!("ix_{TABLE}_{}", INDEX.join("_")))
                    .table(name(TABLE))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .drop_column(name("closed_at"))
                    .to_owned(),
            )
            .await
    }
}
