//! Memberships of one workspace.

use chrono::Utc;
use entity::{membership, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::{AppError, AppResult};

impl<C: ConnectionTrait> Tenant<'_, C> {
    pub async fn members(&self) -> AppResult<Vec<membership::Model>> {
        Ok(self
            .select::<membership::Entity>()
            .order_by_asc(membership::Column::CreatedAt)
            .all(self.conn())
            .await?)
    }

    pub async fn member_by_user(&self, user_id: Uuid) -> AppResult<Option<membership::Model>> {
        Ok(self
            .select::<membership::Entity>()
            .filter(membership::Column::UserId.eq(user_id))
            .one(self.conn())
            .await?)
    }

    pub async fn add_member(&self, user_id: Uuid, role: Role) -> AppResult<membership::Model> {
        if self.member_by_user(user_id).await?.is_some() {
            return Err(AppError::Conflict("this person is already a member".into()));
        }
        Ok(membership::Entity::insert(membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(self.workspace_id()),
            user_id: Set(user_id),
            role: Set(role),
            manager_id: Set(None),
            out_of_office: Set(false),
            created_at: Set(Utc::now()),
        })
        .exec_with_returning(self.conn())
        .await?)
    }

    /// How many members hold `role`.
    pub async fn count_with_role(&self, role: Role) -> AppResult<u64> {
        Ok(self
            .select::<membership::Entity>()
            .filter(membership::Column::Role.eq(role))
            .count(self.conn())
            .await?)
    }

    /// The member whose user id an input names: NOT_FOUND at `field` when the id is malformed
    /// or names nobody of this workspace.
    pub async fn member_referenced(
        &self,
        raw: &async_graphql::ID,
        field: &str,
    ) -> AppResult<membership::Model> {
        let missing = || AppError::not_found_at("member", field);
        let user_id = Uuid::parse_str(raw.as_str()).map_err(|_| missing())?;
        self.member_by_user(user_id).await?.ok_or_else(missing)
    }

    pub async fn set_out_of_office(
        &self,
        member: membership::Model,
        out_of_office: bool,
    ) -> AppResult<membership::Model> {
        let mut active: membership::ActiveModel = member.into();
        active.out_of_office = Set(out_of_office);
        Ok(active.update(self.conn()).await?)
    }

    /// Puts the member on `manager`'s team (a user id), or off any team.
    pub async fn set_manager(
        &self,
        member: membership::Model,
        manager: Option<Uuid>,
    ) -> AppResult<membership::Model> {
        let mut active: membership::ActiveModel = member.into();
        active.manager_id = Set(manager);
        Ok(active.update(self.conn()).await?)
    }

    pub async fn set_member_role(
        &self,
        member: membership::Model,
        role: Role,
    ) -> AppResult<membership::Model> {
        let mut active: membership::ActiveModel = member.into();
        active.role = Set(role);
        Ok(active.update(self.conn()).await?)
    }

    pub async fn remove_member(&self, member_id: Uuid) -> AppResult<()> {
        membership::Entity::delete_many()
            .filter(membership::Column::WorkspaceId.eq(self.workspace_id()))
            .filter(membership::Column::Id.eq(member_id))
            .exec(self.conn())
            .await?;
        Ok(())
    }
}
