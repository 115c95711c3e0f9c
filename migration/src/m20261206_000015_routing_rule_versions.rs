//! Routing rules have versions, like lead contracts and ICPs: `family_id` (the rule, shared by
//! its versions), `version`, `status` (DRAFT, PUBLISHED, SUPERSEDED) and `published_at`. Every
//! rule already stored becomes version 1 of itself, published. At most one version of a rule is
//! published (a partial unique index), and routing reads the published ones by position.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{index, name};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "routing_rules";
const ONE_PUBLISHED: &str = "ux_routing_rules_published_family";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            uuid_null(name("family_id")),
            integer(name("version")).default(1).to_owned(),
            string_len(name("status"), 32)
                .default("PUBLISHED")
                .to_owned(),
            timestamp_with_time_zone_null(name("published_at")),
        ];
        for column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(name(TABLE))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE routing_rules SET family_id = id, version = 1, status = 'PUBLISHED', \
             published_at = created_at",
        )
        .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("ALTER TABLE routing_rules ALTER COLUMN family_id SET NOT NULL")
                .await?;
        }
        manager
            .create_index(index(
                TABLE,
                &["workspace_id", "family_id", "version"],
                true,
            ))
            .await?;
        manager
            .create_index(index(TABLE, &["workspace_id", "status", "position"], false))
            .await?;
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX {ONE_PUBLISHED} ON routing_rules (workspace_id, family_id) \
             WHERE status = 'PUBLISHED'"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS {ONE_PUBLISHED}"))
            .await?;
        // Only the published versions route: the others go with the versions.
        db.execute_unprepared("DELETE FROM routing_rules WHERE status <> 'PUBLISHED'")
            .await?;
        for (prefix, columns) in [
            ("ix", ["workspace_id", "status", "position"]),
            ("ux", ["workspace_id", "family_id", "version"]),
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("{prefix}_{TABLE}_{}", columns.join("_")))
                        .table(name(TABLE))
                        .to_owned(),
                )
                .await?;
        }
        for column in ["published_at", "status", "version", "family_id"] {
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
