//! Each deal move keeps when the deal left the stage it entered (`left_at`: the time of the
//! deal's next move, NULL while it is still there), so the stage medians of the review are
//! ranked in the database from one index instead of pairing a year of moves in memory.
//!
//! The writers recompute it for the deals they moved, right after recording the moves and in
//! the same transaction where they have one ([`STAY_ENDS`]); here it is
//! backfilled from the moves already recorded.
//!
//! Touches by asset also carry their outcome, so a messaging test's replies are counted from
//! the index alone.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "opportunity_stage_changes";

/// Stage, entry and end: the medians read only this index.
const STAYS: [&str; 4] = ["workspace_id", "to_stage", "changed_at", "left_at"];

const TOUCHES: &str = "touches";
const BY_ASSET: [&str; 3] = ["workspace_id", "asset_id", "occurred_at"];
const BY_ASSET_WITH_OUTCOME: [&str; 4] = ["workspace_id", "asset_id", "occurred_at", "outcome"];

fn drop_index(table: &str, columns: &[&str]) -> IndexDropStatement {
    Index::drop()
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(name(table))
        .to_owned()
}

/// Sets `left_at` of every move of the deals a statement filters with `{deals}` (a condition on
/// `m`, the move): the time of the deal's next move in `(changed_at, id)` order. Correct
/// whatever order moves are recorded in, so writers run it after inserting theirs.
pub const STAY_ENDS: &str = "UPDATE opportunity_stage_changes SET left_at = ( \
       SELECT MIN(n.changed_at) FROM opportunity_stage_changes n \
       WHERE n.workspace_id = opportunity_stage_changes.workspace_id \
         AND n.opportunity_id = opportunity_stage_changes.opportunity_id \
         AND (n.changed_at > opportunity_stage_changes.changed_at \
           OR (n.changed_at = opportunity_stage_changes.changed_at \
             AND n.id > opportunity_stage_changes.id))) \
     WHERE {deals}";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(timestamp_with_time_zone_null(name("left_at")))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(&STAY_ENDS.replace("{deals}", "1 = 1"))
            .await?;
        manager.create_index(index(TABLE, &STAYS, false)).await?;
        manager
            .create_index(index(TOUCHES, &BY_ASSET_WITH_OUTCOME, false))
            .await?;
        manager.drop_index(drop_index(TOUCHES, &BY_ASSET)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(TOUCHES, &BY_ASSET, false))
            .await?;
        manager
            .drop_index(drop_index(TOUCHES, &BY_ASSET_WITH_OUTCOME))
            .await?;
        manager.drop_index(drop_index(TABLE, &STAYS)).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .drop_column(name("left_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
