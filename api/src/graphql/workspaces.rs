//! Workspaces and their members.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entity::{member_directory, membership, Role};

use super::{
    context::ContextExt,
    pagination::{connection, list_order, Page, PageArgs},
    types::{AuthPayload, Member, Workspace},
};
use crate::{
    auth::{session, Credential},
    domain::permissions::Permission,
    error::AppError,
    services::workspaces,
    store::{self, parse_id},
};

#[derive(InputObject)]
pub struct CreateWorkspaceInput {
    pub name: String,
}

list_order!(MemberOrder, MemberOrderField => store::sorts::MemberSort, asc, {
    JoinedAt,
    Name,
    Email,
});

#[derive(InputObject, Default)]
pub struct MemberFilter {
    pub role: Option<Vec<Role>>,
    /// Case-insensitive text in the member's name or email.
    pub search: Option<String>,
    pub out_of_office: Option<bool>,
    /// The user id of the sales manager whose team they are on.
    pub manager_id: Option<ID>,
}

#[derive(Default)]
pub struct WorkspaceQuery;

#[Object]
impl WorkspaceQuery {
    /// The workspace of the credential.
    async fn workspace(&self, ctx: &Context<'_>) -> Result<Workspace> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let workspace = store::people::workspace_by_id(&ctx.state().store.global(), workspace_id)
            .await?
            .ok_or(AppError::not_found("workspace"))?;
        Ok(workspace.into())
    }

    /// The people in the current workspace, filtered and ordered (oldest seat first by
    /// default); ties break on the id.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        filter: Option<MemberFilter>,
        order_by: Option<MemberOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Member>> {
        let workspace_id = ctx.actor()?.require(Permission::ReadWorkspace)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let filter = filter.unwrap_or_default();
        let spec = store::filters::MemberFilter {
            role: filter.role,
            search: filter.search,
            out_of_office: filter.out_of_office,
            manager_id: store::parse_optional_id(&filter.manager_id, "manager")?,
        };
        let (sort, descending) = MemberOrder::sort(order_by);
        let page = store::lists::filtered::<member_directory::Entity, _>(
            &tenant,
            &spec,
            sort,
            descending,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, |row| {
            Member::from(membership::Model::from(row))
        }))
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
        let workspace = workspaces::create_for(state, name, user_id).await?;
        Ok(
            session::issue_for_user(state, user_id, Some(workspace.id), session_id)
                .await?
                .into(),
        )
    }

    /// Returns tokens that act in another workspace the caller belongs to.
    async fn switch_workspace(&self, ctx: &Context<'_>, workspace_id: ID) -> Result<AuthPayload> {
        let (user_id, session_id) = user_session(&ctx.actor()?.credential)?;
        let workspace_id = parse_id(&workspace_id, "workspace")?;
        Ok(
            session::issue_for_user(ctx.state(), user_id, Some(workspace_id), session_id)
                .await?
                .into(),
        )
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
        let updated =
            workspaces::change_role(ctx.state(), actor, workspace_id, member_id, role).await?;
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
        let saved = workspaces::set_availability(
            ctx.state(),
            actor,
            workspace_id,
            member_id,
            out_of_office,
        )
        .await?;
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
        let manager = manager_user_id.as_ref();
        let saved = workspaces::set_manager(ctx.state(), workspace_id, member_id, manager).await?;
        Ok(saved.into())
    }

    /// Removes a member from the current workspace. The last OWNER cannot be removed.
    async fn remove_member(&self, ctx: &Context<'_>, member_id: ID) -> Result<Member> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageMembers)?;
        let member_id = parse_id(&member_id, "member")?;
        let removed =
            workspaces::remove_member(ctx.state(), actor, workspace_id, member_id).await?;
        Ok(removed.into())
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
