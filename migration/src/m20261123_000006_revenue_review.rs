//! Shared metrics at scale and the weekly revenue review.
//!
//! - Every stage change carries who and what it is credited to at the time (owner, segment,
//!   campaign, play) and, once the lead moves on, when and where to (`left_at`, `next_stage`):
//!   each row is then a whole stay, so the funnel and the health indicators read the stays of a
//!   range instead of rebuilding every lead's history. The same transaction that writes the
//!   next change closes the previous stay, so the columns are exact.
//! - Indexes for every range the metrics read (SLA clocks by due and start time, stays by end,
//!   leads by stage and stage age, open disputes).
//! - The review: meetings, attendance, decisions, action items; shared goals; messaging tests.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STAGE_CHANGE_COLUMNS: [&str; 6] = [
    "owner_id",
    "segment",
    "campaign_id",
    "play_id",
    "left_at",
    "next_stage",
];

/// Closes the stays recorded before this migration: each row's end is the lead's next change.
const BACKFILL_STAYS: &str = "UPDATE stage_changes SET \
    left_at = (SELECT n.changed_at FROM stage_changes n \
        WHERE n.workspace_id = stage_changes.workspace_id \
          AND n.contact_id = stage_changes.contact_id \
          AND (n.changed_at > stage_changes.changed_at \
               OR (n.changed_at = stage_changes.changed_at AND n.id > stage_changes.id)) \
        ORDER BY n.changed_at, n.id LIMIT 1), \
    next_stage = (SELECT n.to_stage FROM stage_changes n \
        WHERE n.workspace_id = stage_changes.workspace_id \
          AND n.contact_id = stage_changes.contact_id \
          AND (n.changed_at > stage_changes.changed_at \
               OR (n.changed_at = stage_changes.changed_at AND n.id > stage_changes.id)) \
        ORDER BY n.changed_at, n.id LIMIT 1)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "stage_changes";
        for column in [
            uuid_null(name("owner_id")),
            string_len_null(name("segment"), 100),
            uuid_null(name("campaign_id")),
            uuid_null(name("play_id")),
            timestamp_with_time_zone_null(name("left_at")),
            string_len_null(name("next_stage"), 32),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(name(t))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for sql in [
            BACKFILL_STAYS,
            // A new lead entered its first stage when it was created.
            "UPDATE contacts SET stage_changed_at = created_at WHERE stage_changed_at IS NULL",
        ] {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        for statement in [
            index(t, &["workspace_id", "left_at"], false),
            index("sla_clocks", &["workspace_id", "due_at"], false),
            index("sla_clocks", &["workspace_id", "kind", "started_at"], false),
            index(
                "contacts",
                &["workspace_id", "stage", "stage_changed_at"],
                false,
            ),
            index(
                "rejections",
                &["workspace_id", "resolved_at", "disputed_at"],
                false,
            ),
            index(
                "touches",
                &["workspace_id", "asset_id", "occurred_at"],
                false,
            ),
            index(
                "opportunities",
                &["workspace_id", "stage", "stage_changed_at"],
                false,
            ),
        ] {
            manager.create_index(statement).await?;
        }

        let t = "revenue_reviews";
        create(
            manager,
            tenant_table(t)
                .col(date(name("week_of")))
                .col(timestamp_with_time_zone(name("started_at")))
                .col(uuid(name("started_by")))
                .col(timestamp_with_time_zone_null(name("log_published_at")))
                .col(uuid_null(name("log_published_by")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "week_of"], true),
            ],
        )
        .await?;

        let t = "review_attendance";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("review_id")))
                .col(uuid(name("user_id")))
                .col(boolean(name("present")))
                .col(timestamp_with_time_zone(name("recorded_at")))
                .foreign_key(&mut tenant_fk(t, "review_id", "revenue_reviews"))
                .to_owned(),
            &[index(t, &["workspace_id", "review_id", "user_id"], true)],
        )
        .await?;

        let t = "review_decisions";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("review_id")))
                .col(text(name("decision")))
                .col(uuid(name("recorded_by")))
                .col(timestamp_with_time_zone(name("recorded_at")))
                .foreign_key(&mut tenant_fk(t, "review_id", "revenue_reviews"))
                .to_owned(),
            &[index(
                t,
                &["workspace_id", "review_id", "recorded_at"],
                false,
            )],
        )
        .await?;

        let t = "action_items";
        create(
            manager,
            tenant_table(t)
                .col(uuid_null(name("review_id")))
                .col(string_len(name("title"), 500))
                .col(uuid(name("owner_id")))
                .col(timestamp_with_time_zone_null(name("due_at")))
                .col(uuid(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("completed_at")))
                .col(uuid_null(name("completed_by")))
                .foreign_key(&mut tenant_fk(t, "review_id", "revenue_reviews"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "review_id"], false),
                index(t, &["workspace_id", "completed_at", "created_at"], false),
            ],
        )
        .await?;

        let t = "goals";
        create(
            manager,
            tenant_table(t)
                .col(string_len(name("name"), 200))
                .col(string_len(name("metric"), 64))
                .col(double(name("target")))
                .col(date(name("period_start")))
                .col(integer(name("period_months")))
                .col(json(name("owners")))
                .col(uuid(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "period_start", "id"], false),
            ],
        )
        .await?;

        let t = "messaging_tests";
        create(
            manager,
            tenant_table(t)
                .col(string_len(name("name"), 200))
                .col(json(name("variants")))
                .col(timestamp_with_time_zone(name("started_at")))
                .col(timestamp_with_time_zone_null(name("ended_at")))
                .col(uuid(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "started_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "messaging_tests",
            "goals",
            "action_items",
            "review_decisions",
            "review_attendance",
            "revenue_reviews",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        for (table, columns) in [
            (
                "opportunities",
                &["workspace_id", "stage", "stage_changed_at"][..],
            ),
            ("touches", &["workspace_id", "asset_id", "occurred_at"]),
            (
                "rejections",
                &["workspace_id", "resolved_at", "disputed_at"],
            ),
            ("contacts", &["workspace_id", "stage", "stage_changed_at"]),
            ("sla_clocks", &["workspace_id", "kind", "started_at"]),
            ("sla_clocks", &["workspace_id", "due_at"]),
            ("stage_changes", &["workspace_id", "left_at"]),
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_{table}_{}", columns.join("_")))
                        .table(name(table))
                        .to_owned(),
                )
                .await?;
        }
        for column in STAGE_CHANGE_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("stage_changes"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
