//! Refresh tokens, grouped in families (one family per log-in).

use chrono::{DateTime, Utc};
use entity::refresh_token;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::Global;
use crate::error::AppResult;

pub struct NewRefreshToken<'a> {
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(
    global: &Global<'_, C>,
    token: NewRefreshToken<'_>,
) -> AppResult<()> {
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(token.family_id),
        user_id: Set(token.user_id),
        workspace_id: Set(token.workspace_id),
        token_hash: Set(token.token_hash.to_owned()),
        created_at: Set(Utc::now()),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec(global.conn())
    .await?;
    Ok(())
}

pub async fn by_hash<C: ConnectionTrait>(
    global: &Global<'_, C>,
    token_hash: &str,
) -> AppResult<Option<refresh_token::Model>> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash))
        .one(global.conn())
        .await?)
}

/// Marks the token used, only if nobody used it first; returns whether this call did.
pub async fn claim<C: ConnectionTrait>(global: &Global<'_, C>, id: Uuid) -> AppResult<bool> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Some(Utc::now()).into())
        .filter(refresh_token::Column::Id.eq(id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(global.conn())
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn revoke_family<C: ConnectionTrait>(
    global: &Global<'_, C>,
    family_id: Uuid,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Some(Utc::now()).into())
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(global.conn())
        .await?;
    Ok(())
}

/// Whether the family still has a live token (so access tokens issued for it still count).
pub async fn family_is_live<C: ConnectionTrait>(
    global: &Global<'_, C>,
    family_id: Uuid,
) -> AppResult<bool> {
    Ok(refresh_token::Entity::find()
        .select_only()
        .column(refresh_token::Column::Id)
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .limit(1)
        .into_tuple::<Uuid>()
        .one(global.conn())
        .await?
        .is_some())
}

/// The families of `user_id` that still have a live token, i.e. its open sessions.
pub async fn live_families_of<C: ConnectionTrait>(
    global: &Global<'_, C>,
    user_id: Uuid,
) -> AppResult<Vec<Uuid>> {
    let mut families: Vec<Uuid> = refresh_token::Entity::find()
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .all(global.conn())
        .await?
        .into_iter()
        .map(|token| token.family_id)
        .collect();
    families.sort_unstable();
    families.dedup();
    Ok(families)
}
