//! Outbound webhooks: the endpoints partner apps register, the outbox of deliveries written in
//! the transaction of the change they announce, and every attempt to deliver one.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "webhooks";
        create(
            manager,
            tenant_table(t)
                .col(string_len(name("url"), 2048))
                .col(json(name("events")))
                .col(string_len(name("secret"), 128))
                .col(string_len(name("status"), 32))
                .col(text_null(name("disabled_reason")))
                .col(timestamp_with_time_zone_null(name("disabled_at")))
                .col(uuid(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "status"], false),
            ],
        )
        .await?;

        let t = "webhook_deliveries";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("webhook_id")))
                .col(uuid(name("event_id")))
                .col(string_len(name("event"), 64))
                .col(json(name("payload")))
                .col(string_len(name("status"), 32))
                .col(integer(name("attempts")))
                .col(timestamp_with_time_zone(name("next_attempt_at")))
                .col(integer_null(name("last_status_code")))
                .col(text_null(name("last_error")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("delivered_at")))
                .foreign_key(
                    &mut tenant_fk(t, "webhook_id", "webhooks")
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "webhook_id", "created_at"], false),
                // The sender finds due deliveries across workspaces.
                index(t, &["status", "next_attempt_at"], false),
            ],
        )
        .await?;

        let t = "webhook_attempts";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("delivery_id")))
                .col(timestamp_with_time_zone(name("attempted_at")))
                .col(integer_null(name("status_code")))
                .col(integer(name("latency_ms")))
                .col(text_null(name("error")))
                .foreign_key(
                    &mut tenant_fk(t, "delivery_id", "webhook_deliveries")
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
            &[index(
                t,
                &["workspace_id", "delivery_id", "attempted_at"],
                false,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["webhook_attempts", "webhook_deliveries", "webhooks"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
