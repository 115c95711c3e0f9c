//! Win/loss: the competitor a deal was up against (or lost to), so `winLoss` can group by it.
//! The lost reason already exists; this adds the one field the analysis lacked.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::name;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "opportunities";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(string_len_null(name("competitor"), 200))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .drop_column(name("competitor"))
                    .to_owned(),
            )
            .await
    }
}
