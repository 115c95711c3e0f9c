//! Plays and the work they create: cadences, plays, enrollments, tasks, touches, the opportunity
//! stage history (stalled deals start plays) and marks that let periodic work run once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn add_column(
    manager: &SchemaManager<'_>,
    table: &str,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(name(table))
                .add_column(column)
                .to_owned(),
        )
        .await
}

async fn drop_column(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(name(table))
                .drop_column(name(column))
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "contacts",
            timestamp_with_time_zone_null(name("opted_out_at")),
        )
        .await?;
        add_column(
            manager,
            "opportunities",
            timestamp_with_time_zone_null(name("stage_changed_at")),
        )
        .await?;

        let t = "cadences";
        create(
            manager,
            tenant_table(t)
                .col(string_len(name("name"), 200))
                .col(text_null(name("description")))
                .col(json(name("steps")))
                .col(uuid_null(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "created_at", "id"], false),
            ],
        )
        .await?;

        let t = "plays";
        create(
            manager,
            tenant_table(t)
                .col(string_len(name("name"), 200))
                .col(text_null(name("description")))
                .col(string_len(name("status"), 32))
                .col(json(name("trigger")))
                .col(uuid(name("cadence_id")))
                .col(uuid_null(name("campaign_id")))
                .col(json(name("asset_ids")))
                .col(json(name("exit")))
                .col(integer(name("priority")))
                .col(boolean(name("exclusive")))
                .col(uuid_null(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .col(timestamp_with_time_zone_null(name("activated_at")))
                .foreign_key(&mut tenant_fk(t, "cadence_id", "cadences"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "status", "priority"], false),
                index(t, &["workspace_id", "campaign_id"], false),
                index(t, &["workspace_id", "created_at", "id"], false),
            ],
        )
        .await?;

        let t = "enrollments";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("play_id")))
                .col(uuid(name("contact_id")))
                .col(uuid(name("owner_id")))
                .col(string_len(name("status"), 32))
                .col(boolean(name("exclusive")))
                .col(string_len_null(name("signal_key"), 200))
                .col(timestamp_with_time_zone(name("enrolled_at")))
                .col(timestamp_with_time_zone_null(name("ends_at")))
                .col(timestamp_with_time_zone_null(name("first_touch_at")))
                .col(timestamp_with_time_zone_null(name("ended_at")))
                .col(string_len_null(name("end_reason"), 500))
                .foreign_key(&mut tenant_fk(t, "play_id", "plays"))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "contact_id", "status"], false),
                index(t, &["workspace_id", "play_id", "enrolled_at"], false),
                // Background work finds plays that ran out of steps, across workspaces.
                index(t, &["status", "ends_at"], false),
            ],
        )
        .await?;
        // A play never enrolls a lead twice while active, and a background signal (a stalled
        // deal, a lost one) enrolls once however often it is seen.
        for sql in [
            "CREATE UNIQUE INDEX ux_enrollments_active ON enrollments \
             (workspace_id, play_id, contact_id) WHERE status = 'ACTIVE'",
            "CREATE UNIQUE INDEX ux_enrollments_signal ON enrollments \
             (workspace_id, play_id, signal_key) WHERE signal_key IS NOT NULL",
        ] {
            manager.get_connection().execute_unprepared(sql).await?;
        }

        let t = "tasks";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("enrollment_id")))
                .col(uuid(name("play_id")))
                .col(uuid(name("contact_id")))
                .col(uuid(name("assignee_id")))
                .col(integer(name("step")))
                .col(integer(name("day_offset")))
                .col(string_len(name("channel"), 32))
                .col(string_len(name("theme"), 32))
                .col(uuid_null(name("asset_id")))
                .col(text_null(name("instructions")))
                .col(timestamp_with_time_zone(name("due_at")))
                .col(string_len(name("status"), 32))
                .col(timestamp_with_time_zone_null(name("notified_at")))
                .col(timestamp_with_time_zone_null(name("completed_at")))
                .col(uuid_null(name("completed_by")))
                .foreign_key(&mut tenant_fk(t, "enrollment_id", "enrollments"))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(
                    t,
                    &["workspace_id", "assignee_id", "status", "due_at", "id"],
                    false,
                ),
                index(t, &["workspace_id", "enrollment_id", "step"], true),
                index(t, &["workspace_id", "play_id", "due_at"], false),
                // Background work finds steps that became due, across workspaces.
                index(t, &["status", "notified_at", "due_at"], false),
            ],
        )
        .await?;

        let t = "touches";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("contact_id")))
                .col(uuid(name("actor_id")))
                .col(string_len(name("channel"), 32))
                .col(string_len(name("outcome"), 32))
                .col(uuid_null(name("asset_id")))
                .col(text_null(name("note")))
                .col(uuid_null(name("task_id")))
                .col(uuid_null(name("enrollment_id")))
                .col(uuid_null(name("play_id")))
                .col(timestamp_with_time_zone(name("occurred_at")))
                .col(timestamp_with_time_zone(name("created_at")))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "contact_id", "occurred_at"], false),
                index(t, &["workspace_id", "play_id", "occurred_at"], false),
                index(t, &["workspace_id", "actor_id", "occurred_at"], false),
            ],
        )
        .await?;

        let t = "opportunity_stage_changes";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("opportunity_id")))
                .col(string_len_null(name("from_stage"), 32))
                .col(string_len(name("to_stage"), 32))
                .col(timestamp_with_time_zone(name("changed_at")))
                .col(uuid_null(name("actor_id")))
                .foreign_key(&mut tenant_fk(t, "opportunity_id", "opportunities"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "opportunity_id", "changed_at"], false),
                index(t, &["workspace_id", "from_stage", "changed_at"], false),
            ],
        )
        .await?;

        let t = "job_marks";
        create(
            manager,
            tenant_table(t)
                .col(string_len(name("job"), 64))
                .col(string_len(name("period"), 32))
                .col(timestamp_with_time_zone(name("done_at")))
                .to_owned(),
            // Claiming a periodic run is inserting its mark: only one instance can.
            &[index(t, &["workspace_id", "job", "period"], true)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "job_marks",
            "opportunity_stage_changes",
            "touches",
            "tasks",
            "enrollments",
            "plays",
            "cadences",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        drop_column(manager, "opportunities", "stage_changed_at").await?;
        drop_column(manager, "contacts", "opted_out_at").await
    }
}
