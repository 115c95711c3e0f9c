//! Recycling as data: the date a CHECK_BACK lead comes back (`check_back_on`), the lead's one
//! recycling tag (`recycle_tag`), and the indexes the check-back job and the lead filters read
//! (on Postgres, a GIN index over the tags as `jsonb`).

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
                    .add_column(date_null(name("check_back_on")))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TABLE))
                    .add_column(string_len_null(name("recycle_tag"), 32))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(TABLE, &["workspace_id", "check_back_on"], false))
            .await?;
        manager
            .create_index(index(TABLE, &["workspace_id", "recycle_tag"], false))
            .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_contacts_tags ON contacts USING GIN ((tags::jsonb) jsonb_path_ops)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_contacts_tags")
                .await?;
        }
        for columns in [
            ["workspace_id", "recycle_tag"],
            ["workspace_id", "check_back_on"],
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_{TABLE}_{}", columns.join("_")))
                        .table(name(TABLE))
                        .to_owned(),
                )
                .await?;
        }
        for column in ["recycle_tag", "check_back_on"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(TABLE))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
