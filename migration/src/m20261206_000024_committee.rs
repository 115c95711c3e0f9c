//! Accounts in market and buying committees (issue 20, items 1 and 2): one row per account that
//! ever received an event, holding its account score, when it crossed the contract's account
//! threshold (null while below), why, and when its buying committee was last found covered.
//! Ingestion writes the rows for a batch's accounts with one statement; `accountsInMarket` reads
//! the in-market ones newest first.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "account_signals";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let t = TABLE;
        create(
            manager,
            tenant_table(t)
                .col(uuid(name("account_id")))
                .col(integer(name("score")))
                .col(timestamp_with_time_zone_null(name("in_market_since")))
                .col(json_null(name("reason")))
                .col(timestamp_with_time_zone_null(name("committee_covered_at")))
                .col(timestamp_with_time_zone(name("scored_at")))
                .foreign_key(&mut tenant_fk(t, "account_id", "accounts"))
                .to_owned(),
            &[
                index(t, &["workspace_id", "account_id"], true),
                // `accountsInMarket`: newest first, `filter.since` on the same column.
                index(t, &["workspace_id", "in_market_since", "id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await
    }
}
