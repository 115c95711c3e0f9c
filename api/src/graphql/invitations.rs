//! Invitations: how a person gets a seat. `addMember` invites an address; the person accepts
//! with the mailed link once their account has proved that address.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{invitation, Role};

use super::{
    context::ContextExt,
    pagination::{connection, Page, PageArgs},
    types::Member,
};
use crate::{
    domain::{permissions::Permission, text::normalize_email},
    error::AppError,
    services::{invitations, workspaces::check_grant},
    store::parse_id,
};

#[derive(InputObject)]
pub struct AddMemberInput {
    /// The address to invite; the person need not have an account yet.
    pub email: String,
    pub role: Role,
}

/// A seat offered to an address. It never names the account behind the address.
#[derive(SimpleObject, Clone)]
pub struct Invitation {
    pub id: ID,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// The link stops working then (7 days after the invitation).
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<invitation::Model> for Invitation {
    fn from(model: invitation::Model) -> Self {
        Self {
            id: model.id.into(),
            email: model.email,
            role: model.role,
            created_at: model.created_at,
            expires_at: model.expires_at,
            accepted_at: model.accepted_at,
            revoked_at: model.revoked_at,
        }
    }
}

#[derive(Default)]
pub struct InvitationQuery;

#[Object]
impl InvitationQuery {
    /// The current workspace's invitations, oldest first (owners and admins).
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Invitation>> {
        let workspace_id = ctx.actor()?.require(Permission::ManageMembers)?;
        let state = ctx.state();
        let tenant = state.store.tenant(workspace_id);
        let page = crate::store::lists::oldest_first::<invitation::Entity, _>(
            &tenant,
            PageArgs::new(ctx, first, after, last, before),
            state.config.max_page_size,
        )
        .await?;
        Ok(connection(page, Invitation::from))
    }
}

#[derive(Default)]
pub struct InvitationMutation;

#[Object]
impl InvitationMutation {
    /// Invites an address to the current workspace with a role: mails it a link that works for
    /// 7 days. The seat exists once a signed-in account that confirmed this address accepts it
    /// (`acceptInvitation`). The answer is the same whether or not the address has an account.
    async fn add_member(&self, ctx: &Context<'_>, input: AddMemberInput) -> Result<Invitation> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageMembers)?;
        check_grant(actor.role, input.role)?;
        let email = normalize_email(&input.email)
            .ok_or_else(|| AppError::bad_input("input.email", "is not a valid email address"))?;
        let invitation = invitations::invite(
            ctx.state(),
            workspace_id,
            actor.user_id().ok(),
            &email,
            input.role,
        )
        .await?;
        Ok(invitation.into())
    }

    /// Takes the seat an invitation offers. The signed-in account must have confirmed the
    /// invited address. A used, revoked, expired or unknown token is BAD_USER_INPUT at `token`.
    async fn accept_invitation(&self, ctx: &Context<'_>, token: String) -> Result<Member> {
        let user_id = ctx.actor()?.user_id()?;
        let member = invitations::accept(ctx.state(), user_id, &token).await?;
        Ok(member.into())
    }

    /// Withdraws a pending invitation of the current workspace; its link stops working.
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        let actor = ctx.actor()?;
        let workspace_id = actor.require(Permission::ManageMembers)?;
        let id = parse_id(&id, "invitation")?;
        let revoked = invitations::revoke(ctx.state(), actor, workspace_id, id).await?;
        Ok(revoked.into())
    }
}
