//! The unassigned queue: `waiting_since` is when an MQL that no rep could take started waiting
//! (cleared when it is routed), with the index the `unassignedLeads` list and the re-routing
//! read (oldest first). MQLs already waiting without an owner join the queue from the time they
//! became MQLs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "contacts";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(timestamp_with_time_zone_null(name("waiting_since")))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE contacts SET waiting_since = COALESCE(stage_changed_at, created_at) \
                 WHERE stage = 'MQL' AND owner_id IS NULL",
            )
            .await?;
        manager
            .create_index(index(TABLE, &["workspace_id", "waiting_since"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(format!("ix_{TABLE}_workspace_id_waiting_since"))
                    .table(name(TABLE))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .drop_column(name("waiting_since"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
