//! The lead contract and the lead lifecycle: contracts, events, the score ledger, stage history,
//! routing rules, triggers with per-recipient sequences, SLA clocks and rejections.

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer(name("pql_score")).default(0).to_owned(),
            timestamp_with_time_zone_null(name("last_engaged_at")),
            string_len_null(name("mql_kind"), 32),
            timestamp_with_time_zone_null(name("stage_changed_at")),
            timestamp_with_time_zone_null(name("assigned_at")),
            json_null(name("routing")),
        ] {
            add_column(manager, "contacts", column).await?;
        }
        add_column(
            manager,
            "memberships",
            boolean(name("out_of_office")).default(false).to_owned(),
        )
        .await?;
        // Leads due for the 60-day return to nurture are found by their last engagement.
        manager
            .create_index(index(
                "contacts",
                &["workspace_id", "stage", "last_engaged_at"],
                false,
            ))
            .await?;

        let t = "lead_contracts";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("family_id")))
                .col(integer(name("version")))
                .col(string_len(name("status"), 32))
                .col(json(name("terms")))
                .col(uuid_null(name("marketing_signed_by")))
                .col(timestamp_with_time_zone_null(name("marketing_signed_at")))
                .col(uuid_null(name("sales_signed_by")))
                .col(timestamp_with_time_zone_null(name("sales_signed_at")))
                .col(timestamp_with_time_zone_null(name("activated_at")))
                .col(uuid_null(name("created_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "family_id", "version"], true),
                index(t, &["workspace_id", "status"], false),
                index(t, &["workspace_id", "created_at", "id"], false),
            ],
        )
        .await?;

        let t = "events";
        create(
            manager,
            tenant_table(t)
                .col(string(name("idempotency_key")))
                .col(string_len(name("payload_hash"), 64))
                .col(string(name("event_type")))
                .col(timestamp_with_time_zone(name("occurred_at")))
                .col(uuid(name("contact_id")))
                .col(uuid_null(name("account_id")))
                .col(uuid_null(name("source_id")))
                .col(uuid_null(name("campaign_id")))
                .col(uuid_null(name("asset_id")))
                .col(json(name("properties")))
                .col(timestamp_with_time_zone(name("received_at")))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "idempotency_key"], true),
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "contact_id", "occurred_at"], false),
                index(t, &["workspace_id", "event_type", "occurred_at"], false),
            ],
        )
        .await?;

        let t = "score_entries";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("contact_id")))
                .col(uuid(name("event_id")))
                .col(string(name("rule")))
                .col(string_len(name("kind"), 32))
                .col(integer(name("points")))
                .col(timestamp_with_time_zone(name("occurred_at")))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .foreign_key(&mut tenant_fk(t, "event_id", "events"))
                .to_owned(),
            &[
                // A replayed event can never add a rule's points twice.
                index(t, &["workspace_id", "event_id", "kind", "rule"], true),
                index(t, &["workspace_id", "contact_id", "occurred_at"], false),
            ],
        )
        .await?;

        let t = "stage_changes";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("contact_id")))
                .col(string_len_null(name("from_stage"), 32))
                .col(string_len(name("to_stage"), 32))
                .col(timestamp_with_time_zone(name("changed_at")))
                .col(uuid_null(name("actor_id")))
                .col(string_null(name("reason")))
                .col(uuid_null(name("contract_id")))
                .col(uuid_null(name("source_id")))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "contact_id", "changed_at"], false),
                index(t, &["workspace_id", "to_stage", "changed_at"], false),
                index(t, &["workspace_id", "source_id", "changed_at"], false),
            ],
        )
        .await?;

        let t = "routing_rules";
        create(
            manager,
            tenant_table(t)
                .col(string(name("name")))
                .col(integer(name("position")))
                .col(json(name("criteria")))
                .col(json(name("targets")))
                .col(string_len(name("strategy"), 32))
                .col(integer_null(name("capacity")))
                .col(big_integer(name("assigned_count")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "position"], false),
            ],
        )
        .await?;

        let t = "triggers";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("recipient_id")))
                .col(big_integer(name("sequence")))
                .col(string_len(name("kind"), 32))
                .col(uuid_null(name("lead_id")))
                .col(uuid_null(name("play_id")))
                .col(integer_null(name("step")))
                .col(timestamp_with_time_zone_null(name("due_at")))
                .col(text(name("message")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("acknowledged_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "recipient_id", "sequence"], true),
                index(t, &["workspace_id", "lead_id"], false),
                index(t, &["workspace_id", "created_at"], false),
            ],
        )
        .await?;

        let t = "recipient_sequences";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("recipient_id")))
                .col(big_integer(name("last_sequence")))
                .to_owned(),
            &[index(t, &["workspace_id", "recipient_id"], true)],
        )
        .await?;

        let t = "sla_clocks";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("contact_id")))
                .col(string_len(name("kind"), 32))
                .col(uuid(name("assignee_id")))
                .col(timestamp_with_time_zone(name("started_at")))
                .col(timestamp_with_time_zone(name("due_at")))
                .col(timestamp_with_time_zone(name("warn_at")))
                .col(timestamp_with_time_zone_null(name("warned_at")))
                .col(timestamp_with_time_zone_null(name("breached_at")))
                .col(timestamp_with_time_zone_null(name("met_at")))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "contact_id", "kind"], false),
                // Background work finds clocks that are due, across workspaces.
                index(t, &["met_at", "breached_at", "due_at"], false),
                index(t, &["met_at", "warned_at", "warn_at"], false),
            ],
        )
        .await?;

        let t = "rejections";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("contact_id")))
                .col(uuid(name("rejected_by")))
                .col(uuid_null(name("source_id")))
                .col(string_len(name("reason"), 32))
                .col(text_null(name("note")))
                .col(timestamp_with_time_zone(name("rejected_at")))
                .col(uuid_null(name("disputed_by")))
                .col(timestamp_with_time_zone_null(name("disputed_at")))
                .col(text_null(name("dispute_note")))
                .col(string_len_null(name("resolution"), 16))
                .col(uuid_null(name("resolved_by")))
                .col(timestamp_with_time_zone_null(name("resolved_at")))
                .foreign_key(&mut tenant_fk(t, "contact_id", "contacts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "rejected_at", "id"], false),
                index(t, &["workspace_id", "source_id", "rejected_at"], false),
                index(t, &["workspace_id", "reason"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "rejections",
            "sla_clocks",
            "recipient_sequences",
            "triggers",
            "routing_rules",
            "stage_changes",
            "score_entries",
            "events",
            "lead_contracts",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_contacts_workspace_id_stage_last_engaged_at")
                    .table(name("contacts"))
                    .to_owned(),
            )
            .await?;
        for column in [
            "pql_score",
            "last_engaged_at",
            "mql_kind",
            "stage_changed_at",
            "assigned_at",
            "routing",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(name("contacts"))
                        .drop_column(name(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(name("memberships"))
                    .drop_column(name("out_of_office"))
                    .to_owned(),
            )
            .await
    }
}
