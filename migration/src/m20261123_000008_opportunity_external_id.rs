//! Opportunities get the partner system's id, so imports and `upsertOpportunities` find a deal
//! again by it: unique within a workspace (deals created in Accord have none).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "opportunities";
const KEY: [&str; 2] = ["workspace_id", "external_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(string_len_null(name("external_id"), 200))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(TABLE, &KEY, true)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(format!("ux_{TABLE}_{}", KEY.join("_")))
                    .table(name(TABLE))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .drop_column(name("external_id"))
                    .to_owned(),
            )
            .await
    }
}
