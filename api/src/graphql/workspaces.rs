//! Workspaces and their members.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entity::Role;

use super::{
    context::ContextExt,
    pagination::{by_created, paginate, time_key, Page, PageArgs},
    types::{AuthPayload, Member, Workspace},
};
use crate::{
    auth::{session, Credential},
    bus::{ActivityKind, BusEvent, BusMessage},
    domain::permissions::{may_grant, Permission},
    error::AppError,
    services::access,
    store::{self, parse_id, Tenant},
};

#[derive(InputObject)]
pub struct CreateWorkspaceInput {
    pub name: String,
}

#[derive(Default)]
pub struct WorkspaceQuery;

#[Object]
impl WorkspaceQuery {
    /// The workspace of the credential.
    async fn workspace(&self, ctx: &Context<'_>) -> Result<Workspace> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let workspace = store::people::workspace_by_id(ctx.state().store.db(), workspace_id)
            .await?
            .ok_or(AppError::not_found("workspace"))?;
        Ok(workspace.into())
    }

    /// The people in the current workspace, oldest seat first.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Member>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        Ok(paginate(
            tenant.conn(),
            tenant.select::<entity::membership::Entity>(),
            entity::membership::Column::Id,
            by_created(entity::membership::Column::CreatedAt),
            |m| (time_key(m.created_at), m.id),
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
            Member::from,
        )
        .await?)
    }
}

#[derive(Default)]
pub struct WorkspaceMutation;

#[Object]
impl WorkspaceMutation {
    /// Creates a workspace with the caller as OWNER and returns tokens that act in it.
    async fn create_workspace(
        &self,
        ctx: &Context<'_>,
        input: CreateWorkspaceInput,
    ) -> Result<AuthPayload> {
        let actor = ctx.actor()?;
        let (user_id, session_id) = user_session(&actor.credential)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(AppError::bad_input("input.name", "must be 1 to 120 characters").into());
        }
        let state = ctx.state();
        let txn = state.store.begin_write().await?;
        let workspace =
            crate::services::workspaces::create(&txn, name, user_id, state.clock.now()).await?;
        txn.commit().await.map_err(AppError::from)?;
        let user = store::people::user_by_id(state.store.db(), user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(session::issue(state, user, Some(workspace.id), session_id)
            .await?
            .into())
    }

    /// Returns tokens that act in another workspace the caller belongs to.
    async fn switch_workspace(&self, ctx: &Context<'_>, workspace_id: ID) -> Result<AuthPayload> {
        let (user_id, session_id) = user_session(&ctx.actor()?.credential)?;
        let workspace_id = parse_id(&workspace_id, "workspace")?;
        let state = ctx.state();
        let user = store::people::user_by_id(state.store.db(), user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(session::issue(state, user, Some(workspace_id), session_id)
            .await?
            .into())
    }

    /// Changes a member's role. The last OWNER keeps the role.
    async fn update_member_role(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        role: Role,
    ) -> Result<Member> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageMembers)?;
        let member_id = parse_id(&member_id, "member")?;
        let state = ctx.state();
        let txn = state.store.begin_write().await?;
        let tenant = Tenant::new(&txn, workspace_id);
        let member = tenant.get::<entity::membership::Entity>(member_id).await?;
        check_grant(actor.role, role)?;
        check_grant(actor.role, member.role)?;
        if member.role == Role::Owner && role != Role::Owner && tenant.owner_count().await? <= 1 {
            return Err(
                AppError::bad_input("role", "the workspace must keep at least one OWNER").into(),
            );
        }
        let updated = tenant.set_member_role(member, role).await?;
        txn.commit().await.map_err(AppError::from)?;
        state
            .publish_activity(
                workspace_id,
                ActivityKind::MemberRoleChanged,
                actor.user_id().ok(),
                updated.id,
                format!("role changed to {role:?}"),
            )
            .await;
        Ok(updated.into())
    }

    /// Marks a member out of office (routing skips them) or back. Members set their own,
    /// sales managers their team's, leaders, revops and admins anyone's.
    async fn set_member_availability(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        out_of_office: bool,
    ) -> Result<Member> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ReadWorkspace)?;
        actor.user_id()?;
        let member_id = parse_id(&member_id, "member")?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let member = tenant.get::<entity::membership::Entity>(member_id).await?;
        access::require_on(
            &tenant,
            actor,
            Permission::SetAvailability,
            Some(member.user_id),
        )
        .await?;
        let mut active: entity::membership::ActiveModel = member.into();
        active.out_of_office = sea_orm::ActiveValue::Set(out_of_office);
        let saved = sea_orm::ActiveModelTrait::update(active, tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(saved.into())
    }

    /// Puts a member on a manager's team (`managerUserId`: the manager's user id), or off any
    /// team (null). Owners, admins, sales leaders and revops organise teams.
    async fn set_member_manager(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        manager_user_id: Option<ID>,
    ) -> Result<Member> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::OrganiseTeams)?;
        let member_id = parse_id(&member_id, "member")?;
        let tenant = ctx.state().store.tenant(workspace_id);
        let member = tenant.get::<entity::membership::Entity>(member_id).await?;
        let manager = match manager_user_id {
            Some(raw) => {
                let id = uuid::Uuid::parse_str(raw.as_str())
                    .map_err(|_| AppError::not_found_at("member", "managerUserId"))?;
                if tenant.member_by_user(id).await?.is_none() {
                    return Err(AppError::not_found_at("member", "managerUserId").into());
                }
                if id == member.user_id {
                    return Err(
                        AppError::bad_input("managerUserId", "nobody manages themselves").into(),
                    );
                }
                Some(id)
            }
            None => None,
        };
        let mut active: entity::membership::ActiveModel = member.into();
        active.manager_id = sea_orm::ActiveValue::Set(manager);
        let saved = sea_orm::ActiveModelTrait::update(active, tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(saved.into())
    }

    /// Removes a member from the current workspace. The last OWNER cannot be removed.
    async fn remove_member(&self, ctx: &Context<'_>, member_id: ID) -> Result<Member> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageMembers)?;
        let member_id = parse_id(&member_id, "member")?;
        let state = ctx.state();
        let txn = state.store.begin_write().await?;
        let tenant = Tenant::new(&txn, workspace_id);
        let member = tenant.get::<entity::membership::Entity>(member_id).await?;
        check_grant(actor.role, member.role)?;
        if member.role == Role::Owner && tenant.owner_count().await? <= 1 {
            return Err(AppError::bad_input("memberId", "the last OWNER cannot be removed").into());
        }
        tenant.remove_member(member.id).await?;
        txn.commit().await.map_err(AppError::from)?;
        state
            .publish(BusMessage {
                workspace_id,
                event: BusEvent::MembershipEnded {
                    user_id: member.user_id,
                },
            })
            .await;
        state
            .publish_activity(
                workspace_id,
                ActivityKind::MemberRemoved,
                actor.user_id().ok(),
                member.id,
                "member removed".to_owned(),
            )
            .await;
        Ok(member.into())
    }
}

fn user_session(credential: &Credential) -> Result<(uuid::Uuid, uuid::Uuid), AppError> {
    match credential {
        Credential::User {
            user_id,
            session_id,
            ..
        } => Ok((*user_id, *session_id)),
        Credential::ApiToken { .. } => Err(AppError::forbidden(
            "this operation needs a person's credential, not an API token",
        )),
    }
}

pub(super) fn check_grant(granter: Option<Role>, role: Role) -> Result<(), AppError> {
    if granter.is_some_and(|granter| may_grant(granter, role)) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "your role cannot manage {role:?} members"
        )))
    }
}
