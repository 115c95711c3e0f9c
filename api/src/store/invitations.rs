//! Invitations: seats offered to an address.

use chrono::{DateTime, Utc};
use entity::{invitation, Role};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Global, Tenant};
use crate::error::AppResult;

pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: Role,
    pub token_hash: &'a str,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub async fn create_invitation(&self, new: NewInvitation<'_>) -> AppResult<invitation::Model> {
        Ok(invitation::Entity::insert(invitation::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(self.workspace_id()),
            email: Set(new.email.to_owned()),
            role: Set(new.role),
            token_hash: Set(new.token_hash.to_owned()),
            invited_by: Set(new.invited_by),
            created_at: Set(Utc::now()),
            expires_at: Set(new.expires_at),
            accepted_at: Set(None),
            accepted_by: Set(None),
            revoked_at: Set(None),
        })
        .exec_with_returning(self.conn())
        .await?)
    }

    /// Revokes a pending invitation of this workspace; returns it as stored afterwards.
    pub async fn revoke_invitation(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<invitation::Model> {
        invitation::Entity::update_many()
            .col_expr(invitation::Column::RevokedAt, Some(now).into())
            .filter(invitation::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(invitation::Column::Id.eq(id))
            .filter(invitation::Column::RevokedAt.is_null())
            .filter(invitation::Column::AcceptedAt.is_null())
            .exec(self.conn())
            .await?;
        self.get::<invitation::Entity>(id).await
    }
}

/// The invitation a mailed token names, in whatever workspace (the token is the capability).
pub async fn by_token_hash<C: ConnectionTrait>(
    global: &Global<'_, C>,
    token_hash: &str,
) -> AppResult<Option<invitation::Model>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash))
        .one(global.conn())
        .await?)
}

/// Marks the invitation accepted by `user_id` if it is still pending and unexpired; the update
/// is the check, so it is accepted once.
pub async fn claim<C: ConnectionTrait>(
    global: &Global<'_, C>,
    id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Some(now).into())
        .col_expr(invitation::Column::AcceptedBy, Some(user_id).into())
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(global.conn())
        .await?;
    Ok(claimed.rows_affected == 1)
}
