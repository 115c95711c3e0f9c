//! Trusted documents: an API token may be limited to the GraphQL documents registered for it
//! (`trusted_documents_only`), each kept by its SHA-256 so a request can name it by hash.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TOKENS: &str = "api_tokens";
const TABLE: &str = "trusted_documents";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(name(TOKENS))
                    .add_column(boolean(name("trusted_documents_only")).default(false))
                    .to_owned(),
            )
            .await?;
        let table = tenant_table(TABLE)
            .col(uuid(name("api_token_id")))
            .col(string(name("sha256")))
            .col(text(name("document")))
            .col(timestamp_with_time_zone(name("created_at")))
            .foreign_key(
                ForeignKey::create()
                    .from(name(TABLE), name("api_token_id"))
                    .to(name(TOKENS), name("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        create(
            manager,
            table,
            &[index(TABLE, &["api_token_id", "sha256"], true)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name(TABLE)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(name(TOKENS))
                    .drop_column(name("trusted_documents_only"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
