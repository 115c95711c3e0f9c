//! The mail outbox (development and tests only: see [`crate::mail`]).

use chrono::Utc;
use entity::mail_outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Global;
use crate::error::AppResult;

/// Every message kept for `recipient`, oldest first.
pub async fn mail_to<C: ConnectionTrait>(
    global: &Global<'_, C>,
    recipient: &str,
) -> AppResult<Vec<mail_outbox::Model>> {
    Ok(mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(recipient))
        .order_by_asc(mail_outbox::Column::CreatedAt)
        .order_by_asc(mail_outbox::Column::Id)
        .all(global.conn())
        .await?)
}

/// Keeps a message in the outbox.
pub async fn keep<C: ConnectionTrait>(
    global: &Global<'_, C>,
    recipient: String,
    kind: &str,
    subject: String,
    body: String,
) -> AppResult<()> {
    mail_outbox::Entity::insert(mail_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        recipient: Set(recipient),
        kind: Set(kind.to_owned()),
        subject: Set(subject),
        body: Set(body),
        created_at: Set(Utc::now()),
    })
    .exec(global.conn())
    .await?;
    Ok(())
}
