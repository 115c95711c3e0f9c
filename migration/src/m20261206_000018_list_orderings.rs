//! Indexes for the orderings the named lists offer: by name and by creation time, each inside
//! the workspace with the id as the tie-break the keyset cursor uses.

use sea_orm_migration::prelude::*;

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, sort column)` pairs, each indexed as `(workspace_id, column, id)`.
const ORDERINGS: &[(&str, &str)] = &[
    ("sources", "name"),
    ("sources", "created_at"),
    ("campaigns", "name"),
    ("campaigns", "created_at"),
    ("assets", "name"),
    ("assets", "created_at"),
    ("cadences", "name"),
    ("icps", "name"),
    ("icps", "created_at"),
    ("routing_rules", "name"),
    ("routing_rules", "position"),
    ("routing_rules", "created_at"),
    ("action_items", "title"),
    ("action_items", "created_at"),
    ("webhooks", "url"),
    ("webhooks", "created_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in ORDERINGS {
            manager
                .create_index(index(table, &["workspace_id", *column, "id"], false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in ORDERINGS {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_{table}_workspace_id_{column}_id"))
                        .table(name(table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
