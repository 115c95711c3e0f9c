//! The revenue model: accounts, contacts, sources, campaigns, assets, spend, opportunities,
//! ICPs and fit-score jobs. Every tenant table carries `workspace_id`; every unique index and
//! every foreign key between tenant tables includes it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = "sources";
        create(
            manager,
            tenant_table(t)
                .col(string(name("name")))
                .col(string_len(name("kind"), 32))
                .col(boolean(name("paused")))
                .col(timestamp_with_time_zone_null(name("paused_at")))
                .col(timestamp_with_time_zone(name("created_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "name"], true),
            ],
        )
        .await?;

        let t = "accounts";
        create(
            manager,
            tenant_table(t)
                .col(string(name("domain")))
                .col(string(name("name")))
                .col(string_null(name("industry")))
                .col(big_integer_null(name("employees")))
                .col(double_null(name("annual_revenue")))
                .col(string_len_null(name("country"), 2))
                .col(string_null(name("region")))
                .col(json(name("technologies")))
                .col(json(name("custom")))
                .col(string_null(name("segment")))
                .col(string_null(name("tier")))
                .col(string_len(name("lifecycle"), 32))
                .col(boolean(name("named_account")))
                .col(uuid_null(name("owner_id")))
                .col(integer(name("fit_score")).default(0))
                .col(json_null(name("fit_breakdown")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "domain"], true),
                index(t, &["workspace_id", "name"], false),
                index(t, &["workspace_id", "owner_id"], false),
                index(t, &["workspace_id", "segment"], false),
                index(t, &["workspace_id", "lifecycle"], false),
                index(t, &["workspace_id", "fit_score"], false),
                index(t, &["workspace_id", "created_at"], false),
            ],
        )
        .await?;

        let t = "contacts";
        create(
            manager,
            tenant_table(t)
                .col(string_null(name("email")))
                .col(string_null(name("external_id")))
                .col(uuid_null(name("account_id")))
                .col(string_null(name("name")))
                .col(string_null(name("title")))
                .col(string_null(name("persona")))
                .col(string_null(name("seniority")))
                .col(boolean(name("personal_email")))
                .col(uuid_null(name("source_id")))
                .col(string_null(name("source_detail")))
                .col(uuid_null(name("owner_id")))
                .col(string_len(name("stage"), 32))
                .col(integer(name("fit_score")).default(0))
                .col(json_null(name("fit_breakdown")))
                .col(integer(name("engagement_score")))
                .col(json(name("tags")))
                .col(json(name("custom")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("updated_at")))
                .foreign_key(&mut tenant_fk(t, "account_id", "accounts"))
                .foreign_key(&mut tenant_fk(t, "source_id", "sources"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "email"], true),
                index(t, &["workspace_id", "external_id"], true),
                index(t, &["workspace_id", "account_id"], false),
                index(t, &["workspace_id", "owner_id"], false),
                index(t, &["workspace_id", "stage"], false),
                index(t, &["workspace_id", "source_id"], false),
                index(t, &["workspace_id", "fit_score"], false),
                index(t, &["workspace_id", "created_at"], false),
                index(t, &["workspace_id", "name"], false),
            ],
        )
        .await?;

        let t = "campaigns";
        create(
            manager,
            tenant_table(t)
                .col(string(name("name")))
                .col(uuid_null(name("source_id")))
                .col(date_null(name("starts_on")))
                .col(date_null(name("ends_on")))
                .col(json(name("asset_ids")))
                .col(timestamp_with_time_zone(name("created_at")))
                .foreign_key(&mut tenant_fk(t, "source_id", "sources"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "source_id"], false),
            ],
        )
        .await?;

        let t = "assets";
        create(
            manager,
            tenant_table(t)
                .col(string(name("name")))
                .col(string_null(name("url")))
                .col(string_len(name("kind"), 32))
                .col(string_len(name("funnel_stage"), 32))
                .col(timestamp_with_time_zone(name("created_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "kind"], false),
            ],
        )
        .await?;

        let t = "spend";
        create(
            manager,
            tenant_table(t)
                .col(uuid_null(name("source_id")))
                .col(uuid_null(name("campaign_id")))
                .col(string_len(name("month"), 7))
                .col(double(name("amount")))
                .col(string_len(name("currency"), 3))
                .col(timestamp_with_time_zone(name("recorded_at")))
                .foreign_key(&mut tenant_fk(t, "source_id", "sources"))
                .foreign_key(&mut tenant_fk(t, "campaign_id", "campaigns"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "source_id", "month"], false),
                index(t, &["workspace_id", "campaign_id", "month"], false),
                index(t, &["workspace_id", "month"], false),
            ],
        )
        .await?;

        let t = "opportunities";
        create(
            manager,
            tenant_table(t)
                .col(string(name("name")))
                .col(uuid(name("account_id")))
                .col(uuid_null(name("primary_contact_id")))
                .col(uuid_null(name("lead_id")))
                .col(uuid_null(name("source_id")))
                .col(uuid_null(name("owner_id")))
                .col(double(name("amount")))
                .col(string_len(name("currency"), 3))
                .col(string_len(name("stage"), 32))
                .col(date_null(name("close_date")))
                .col(string_null(name("lost_reason")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("closed_at")))
                .foreign_key(&mut tenant_fk(t, "account_id", "accounts"))
                .foreign_key(&mut tenant_fk(t, "primary_contact_id", "contacts"))
                .foreign_key(&mut tenant_fk(t, "lead_id", "contacts"))
                .foreign_key(&mut tenant_fk(t, "source_id", "sources"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "account_id"], false),
                index(t, &["workspace_id", "stage"], false),
                index(t, &["workspace_id", "source_id"], false),
                index(t, &["workspace_id", "owner_id"], false),
                index(t, &["workspace_id", "created_at"], false),
                index(t, &["workspace_id", "closed_at"], false),
            ],
        )
        .await?;

        let t = "icps";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("family_id")))
                .col(integer(name("version")))
                .col(string(name("name")))
                .col(string_len(name("motion"), 32))
                .col(string_len(name("status"), 32))
                .col(json(name("account_criteria")))
                .col(json(name("contact_criteria")))
                .col(json(name("personas")))
                .col(json(name("retention_risk_tags")))
                .col(uuid_null(name("owner_id")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("activated_at")))
                .to_owned(),
            &[
                index(t, &["workspace_id", "id"], true),
                index(t, &["workspace_id", "family_id", "version"], true),
                index(t, &["workspace_id", "status"], false),
            ],
        )
        .await?;

        let t = "fit_jobs";
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("icp_id")))
                .col(string_len(name("status"), 16))
                .col(big_integer(name("total")))
                .col(big_integer(name("processed")))
                .col(uuid_null(name("cursor")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone_null(name("finished_at")))
                .foreign_key(&mut tenant_fk(t, "icp_id", "icps"))
                .to_owned(),
            &[
                index(t, &["status", "created_at"], false),
                index(t, &["workspace_id", "created_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "fit_jobs",
            "icps",
            "opportunities",
            "spend",
            "assets",
            "campaigns",
            "contacts",
            "accounts",
            "sources",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
