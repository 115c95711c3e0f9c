//! The mail outbox (development and tests only: see [`crate::mail`]).

use entity::mail_outbox;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;

/// Every message kept for `recipient`, oldest first.
pub async fn mail_to<C: ConnectionTrait>(
    conn: &C,
    recipient: &str,
) -> AppResult<Vec<mail_outbox::Model>> {
    Ok(mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Recipient.eq(recipient))
        .order_by_asc(mail_outbox::Column::CreatedAt)
        .order_by_asc(mail_outbox::Column::Id)
        .all(conn)
        .await?)
}
