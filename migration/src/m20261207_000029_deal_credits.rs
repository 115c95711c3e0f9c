//! Each deal's attribution credit kept as a fact (issue 20's `attribution` at a million leads).
//! The report read every touchpoint of every deal's lead at request time (about 240,000 rows
//! for a 90-day range at a million leads); a deal's credit under each model depends only on
//! its lead's history up to the deal's creation, so it is computed once and kept:
//!
//! - `deal_credits`: per deal and model, the share each touchpoint key (origin, source,
//!   campaign) earned, with the deal's amount, creation and win copied so that a range's
//!   credit is summed from two index ranges (created in it, won in it) without the deals.
//! - `opportunities.credits_due`: the deal's lines are missing or out of date (a new deal, a
//!   changed one, history arriving late for its lead). The job computes them; until it has,
//!   the report credits the deal from its history as before. Kept out of the entity, so no
//!   write of a deal model can clear it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{create, index, name, tenant_fk, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "deal_credits";
const DUE_INDEX: &str = "ix_opportunities_credits_due";
/// What the range reads take from each line, beside the keys they seek by.
const CARRIED: &str = "sales, source_id, campaign_id, share, amount";

/// The two indexes a range's credit is summed from: lines of deals created in it, and of deals
/// won in it (partial: most deals are not won).
fn range_indexes(backend: DbBackend) -> [String; 2] {
    let (created, won) = match backend {
        DbBackend::Postgres => (
            format!("(workspace_id, model, created_at) INCLUDE ({CARRIED})"),
            format!("(workspace_id, model, won_at) INCLUDE ({CARRIED})"),
        ),
        // SQLite has no payload columns: trailing keys.
        _ => (
            format!("(workspace_id, model, created_at, {CARRIED})"),
            format!("(workspace_id, model, won_at, {CARRIED})"),
        ),
    };
    [
        format!("CREATE INDEX ix_deal_credits_created ON {TABLE} {created}"),
        format!("CREATE INDEX ix_deal_credits_won ON {TABLE} {won} WHERE won_at IS NOT NULL"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name("opportunities"))
                    .add_column(
                        ColumnDef::new(name("credits_due"))
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // The same syntax on both databases; the job finds due deals through it, the report
        // the due deals of its range.
        db.execute_unprepared(&format!(
            "CREATE INDEX {DUE_INDEX} ON opportunities (workspace_id, id) WHERE credits_due"
        ))
        .await?;
        let table = tenant_table(TABLE)
            .col(uuid(name("opportunity_id")))
            .col(string_len(name("model"), 16))
            .col(boolean(name("sales")))
            .col(uuid_null(name("source_id")))
            .col(uuid_null(name("campaign_id")))
            .col(double(name("share")))
            .col(double(name("amount")))
            .col(timestamp_with_time_zone(name("created_at")))
            .col(timestamp_with_time_zone_null(name("won_at")))
            .foreign_key(
                tenant_fk(TABLE, "opportunity_id", "opportunities")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        create(
            manager,
            table,
            &[index(TABLE, &["workspace_id", "opportunity_id"], false)],
        )
        .await?;
        for sql in range_indexes(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await?;
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {DUE_INDEX}"))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name("opportunities"))
                    .drop_column(name("credits_due"))
                    .to_owned(),
            )
            .await
    }
}
