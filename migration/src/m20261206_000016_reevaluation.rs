//! Re-evaluating leads when their facts change, and the source rule's fresh window: the
//! `requalify_jobs` a bulk re-evaluation runs as (with its progress), the instant from which a
//! resumed source is judged again (`sources.rule_window_from`), and the index the re-evaluation
//! of a source's held-back leads reads.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const JOBS: &str = "requalify_jobs";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            tenant_table(JOBS)
                .col(string_len(name("reason"), 32))
                .col(uuid_null(name("source_id")))
                .col(string_len(name("status"), 16))
                .col(big_integer(name("total")))
                .col(big_integer(name("processed")))
                .col(big_integer(name("qualified")))
                .col(uuid_null(name("cursor")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("finished_at")))
                .to_owned(),
            &[
                index(JOBS, &["status", "created_at"], false),
                index(JOBS, &["workspace_id", "created_at"], false),
            ],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("sources"))
                    .add_column(timestamp_with_time_zone_null(name("rule_window_from")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "contacts",
                &["workspace_id", "source_id", "stage"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_contacts_workspace_id_source_id_stage")
                    .table(name("contacts"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("sources"))
                    .drop_column(name("rule_window_from"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(name(JOBS)).to_owned())
            .await
    }
}
