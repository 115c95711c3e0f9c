//! Indexes for the orderings the named lists offer: by name and by creation time, each inside
//! the workspace with the id as the tie-break the keyset cursor uses.

use sea_orm_migration::prelude::*;

use crate::helpers::{create_indexes, drop_indexes};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each indexed inside the workspace with the id as the tie-break.
const ORDERINGS: &[(&str, &[&str])] = &[
    ("sources", &["workspace_id", "name", "id"]),
    ("sources", &["workspace_id", "created_at", "id"]),
    ("campaigns", &["workspace_id", "name", "id"]),
    ("campaigns", &["workspace_id", "created_at", "id"]),
    ("assets", &["workspace_id", "name", "id"]),
    ("assets", &["workspace_id", "created_at", "id"]),
    ("cadences", &["workspace_id", "name", "id"]),
    ("icps", &["workspace_id", "name", "id"]),
    ("icps", &["workspace_id", "created_at", "id"]),
    ("routing_rules", &["workspace_id", "name", "id"]),
    ("routing_rules", &["workspace_id", "position", "id"]),
    ("routing_rules", &["workspace_id", "created_at", "id"]),
    ("action_items", &["workspace_id", "title", "id"]),
    ("action_items", &["workspace_id", "created_at", "id"]),
    ("webhooks", &["workspace_id", "url", "id"]),
    ("webhooks", &["workspace_id", "created_at", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_indexes(manager, ORDERINGS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(manager, ORDERINGS).await
    }
}
