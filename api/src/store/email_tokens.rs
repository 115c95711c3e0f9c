//! One-time links mailed to an address, kept as digests.

use chrono::{DateTime, Utc};
use entity::email_token;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Global;
use crate::error::AppResult;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }
}

pub async fn insert<C: ConnectionTrait>(
    global: &Global<'_, C>,
    user_id: Uuid,
    purpose: Purpose,
    email: &str,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> AppResult<()> {
    email_token::Entity::insert(email_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        email: Set(email.to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec(global.conn())
    .await?;
    Ok(())
}

/// Uses the link with `token_hash` for `purpose`, if it is unused and unexpired; the update is
/// the check, so two concurrent uses cannot both succeed.
pub async fn claim<C: ConnectionTrait>(
    global: &Global<'_, C>,
    token_hash: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> AppResult<Option<email_token::Model>> {
    let claimed = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Some(now).into())
        .filter(email_token::Column::TokenHash.eq(token_hash))
        .filter(email_token::Column::Purpose.eq(purpose.as_str()))
        .filter(email_token::Column::UsedAt.is_null())
        .filter(email_token::Column::ExpiresAt.gt(now))
        .exec(global.conn())
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    Ok(email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(token_hash))
        .one(global.conn())
        .await?)
}

/// Spends every unused link of `user_id` for `purpose` (after a reset, older reset links die).
pub async fn spend_all<C: ConnectionTrait>(
    global: &Global<'_, C>,
    user_id: Uuid,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> AppResult<()> {
    email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Some(now).into())
        .filter(email_token::Column::UserId.eq(user_id))
        .filter(email_token::Column::Purpose.eq(purpose.as_str()))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(global.conn())
        .await?;
    Ok(())
}
