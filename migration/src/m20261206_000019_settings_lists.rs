//! The member directory (a seat joined to its person, so members filter and sort by name and
//! email) and the indexes for the orderings of the members, contract versions, messaging tests,
//! goals and webhook deliveries lists.

use sea_orm_migration::prelude::*;

use crate::helpers::{create_indexes, drop_indexes};

#[derive(DeriveMigrationName)]
pub struct Migration;

const ORDERINGS: &[(&str, &[&str])] = &[
    ("memberships", &["workspace_id", "created_at", "id"]),
    ("lead_contracts", &["workspace_id", "version", "id"]),
    ("messaging_tests", &["workspace_id", "started_at", "id"]),
    ("messaging_tests", &["workspace_id", "name", "id"]),
    ("messaging_tests", &["workspace_id", "created_at", "id"]),
    ("goals", &["workspace_id", "name", "id"]),
    ("goals", &["workspace_id", "created_at", "id"]),
    (
        "webhook_deliveries",
        &["workspace_id", "webhook_id", "created_at", "id"],
    ),
    (
        "webhook_deliveries",
        &["workspace_id", "webhook_id", "next_attempt_at", "id"],
    ),
];

const DIRECTORY: &str = "CREATE VIEW member_directory AS \
    SELECT m.id, m.workspace_id, m.user_id, m.role, m.manager_id, m.out_of_office, \
    m.created_at, u.name, u.email \
    FROM memberships m JOIN users u ON u.id = m.user_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(DIRECTORY)
            .await?;
        create_indexes(manager, ORDERINGS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(manager, ORDERINGS).await?;
        manager
            .get_connection()
            .execute_unprepared("DROP VIEW member_directory")
            .await?;
        Ok(())
    }
}
