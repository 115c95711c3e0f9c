//! Addresses are proven before they earn a seat.
//!
//! - `users.email_verified_at`: when the person followed a link mailed to the address. An
//!   address is unique among verified accounts only (a partial unique index), so a sign-up with
//!   an address that is already registered answers like any other and makes a fresh, unverified
//!   account that can hold no seat. Accounts that existed before this migration start
//!   unverified: none of them ever proved its address.
//! - `email_tokens`: one-time links for verifying an address and resetting a password, stored
//!   as SHA-256 digests.
//! - `invitations`: a seat offered to an address, accepted by a verified account with that
//!   address; the link's token is stored as a digest.
//! - `mail_outbox`: mail as sent when no SMTP server is configured (development and tests).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create, index, name, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Postgres names a column's UNIQUE constraint `<table>_<column>_key`.
const PG_DROP_EMAIL_UNIQUE: &str = "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key";
const VERIFIED_EMAIL_UNIQUE: &str = "CREATE UNIQUE INDEX ux_users_verified_email ON users (email) \
     WHERE email_verified_at IS NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_sqlite_users(db).await?,
            _ => {
                db.execute_unprepared(PG_DROP_EMAIL_UNIQUE).await?;
                manager
                    .alter_table(
                        Table::alter()
                            .table(name("users"))
                            .add_column(timestamp_with_time_zone_null(name("email_verified_at")))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .create_index(index("users", &["email"], false))
            .await?;
        db.execute_unprepared(VERIFIED_EMAIL_UNIQUE).await?;

        create(
            manager,
            Table::create()
                .table(name("email_tokens"))
                .col(pk_uuid(name("id")))
                .col(uuid(name("user_id")))
                .col(string_len(name("purpose"), 16))
                .col(string(name("email")))
                .col(string_uniq(name("token_hash")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("expires_at")))
                .col(timestamp_with_time_zone_null(name("used_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(name("email_tokens"), name("user_id"))
                        .to(name("users"), name("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
            &[index("email_tokens", &["user_id"], false)],
        )
        .await?;

        create(
            manager,
            tenant_table("invitations")
                .col(string(name("email")))
                .col(string_len(name("role"), 32))
                .col(string_uniq(name("token_hash")))
                .col(uuid_null(name("invited_by")))
                .col(timestamp_with_time_zone(name("created_at")))
                .col(timestamp_with_time_zone(name("expires_at")))
                .col(timestamp_with_time_zone_null(name("accepted_at")))
                .col(uuid_null(name("accepted_by")))
                .col(timestamp_with_time_zone_null(name("revoked_at")))
                .foreign_key(
                    ForeignKey::create()
                        .from(name("invitations"), name("accepted_by"))
                        .to(name("users"), name("id"))
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
            &[index("invitations", &["workspace_id", "created_at"], false)],
        )
        .await?;

        create(
            manager,
            Table::create()
                .table(name("mail_outbox"))
                .col(pk_uuid(name("id")))
                .col(string(name("recipient")))
                .col(string_len(name("kind"), 32))
                .col(string(name("subject")))
                .col(text(name("body")))
                .col(timestamp_with_time_zone(name("created_at")))
                .to_owned(),
            &[index("mail_outbox", &["recipient"], false)],
        )
        .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "addresses verified since cannot be made unique again".into(),
        ))
    }
}

/// SQLite cannot drop a column's UNIQUE constraint: the table is rebuilt, as SQLite documents
/// (foreign keys off, so dropping the old table neither cascades nor fails). Everything runs
/// as one batch so that it stays on one pooled connection; migrations on SQLite run outside a
/// transaction, which lets the batch switch foreign keys off and open its own.
async fn rebuild_sqlite_users<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let new_table = Table::create()
        .table(name("users_new"))
        .col(pk_uuid(name("id")))
        .col(string(name("email")))
        .col(string(name("name")))
        .col(string(name("password_hash")))
        .col(timestamp_with_time_zone(name("created_at")))
        .col(timestamp_with_time_zone(name("updated_at")))
        .col(timestamp_with_time_zone_null(name("email_verified_at")))
        .to_owned();
    let create_new = new_table.to_string(SqliteQueryBuilder);
    let batch = format!(
        "PRAGMA foreign_keys = OFF; \
         BEGIN IMMEDIATE; \
         {create_new}; \
         INSERT INTO users_new (id, email, name, password_hash, created_at, updated_at, \
             email_verified_at) \
           SELECT id, email, name, password_hash, created_at, updated_at, NULL FROM users; \
         DROP TABLE users; \
         ALTER TABLE users_new RENAME TO users; \
         COMMIT; \
         PRAGMA foreign_keys = ON;"
    );
    db.execute_unprepared(&batch).await?;
    Ok(())
}
