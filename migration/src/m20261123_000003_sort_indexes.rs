//! Indexes that end with the id, so every list ordering (column, then id as the tie-breaker)
//! is read straight from an index, forwards or backwards, without a sort.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, sort column, the index it replaces if any)
const SORTS: &[(&str, &str, Option<&str>)] = &[
    (
        "accounts",
        "created_at",
        Some("ix_accounts_workspace_id_created_at"),
    ),
    ("accounts", "updated_at", None),
    ("accounts", "name", Some("ix_accounts_workspace_id_name")),
    (
        "accounts",
        "fit_score",
        Some("ix_accounts_workspace_id_fit_score"),
    ),
    (
        "contacts",
        "created_at",
        Some("ix_contacts_workspace_id_created_at"),
    ),
    ("contacts", "updated_at", None),
    (
        "contacts",
        "fit_score",
        Some("ix_contacts_workspace_id_fit_score"),
    ),
    ("contacts", "engagement_score", None),
    (
        "opportunities",
        "created_at",
        Some("ix_opportunities_workspace_id_created_at"),
    ),
    ("opportunities", "amount", None),
];

fn index_name(table: &str, column: &str) -> String {
    format!("ix_{table}_workspace_id_{column}_id")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column, replaces) in SORTS {
            manager
                .create_index(
                    Index::create()
                        .name(index_name(table, column))
                        .table(Alias::new(*table))
                        .col(Alias::new("workspace_id"))
                        .col(Alias::new(*column))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
            if let Some(old) = replaces {
                manager
                    .drop_index(
                        Index::drop()
                            .name(*old)
                            .table(Alias::new(*table))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column, replaces) in SORTS {
            if let Some(old) = replaces {
                manager
                    .create_index(
                        Index::create()
                            .name(*old)
                            .table(Alias::new(*table))
                            .col(Alias::new("workspace_id"))
                            .col(Alias::new(*column))
                            .to_owned(),
                    )
                    .await?;
            }
            manager
                .drop_index(
                    Index::drop()
                        .name(index_name(table, column))
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
