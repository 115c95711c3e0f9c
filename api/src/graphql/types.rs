//! Output types shared by several areas of the schema.

use async_graphql::{ComplexObject, Context, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{membership, user, workspace, Role};

use super::{
    context::ContextExt,
    loaders::{load_one, Loaders},
};
use crate::{auth::session::Session, error::AppError, store};

/// A person with an Accord account.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Whether the person confirmed `email` by a mailed link; only then can they take a seat.
    pub email_verified: bool,
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self {
            id: model.id.into(),
            email: model.email,
            name: model.name,
            created_at: model.created_at,
            email_verified: model.email_verified_at.is_some(),
        }
    }
}

#[ComplexObject]
impl User {
    /// The workspaces this person belongs to, with their role in each. Only shown to the person
    /// themselves.
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<WorkspaceMembership>> {
        let actor = ctx.actor()?;
        if actor.user_id().ok().map(ID::from) != Some(self.id.clone()) {
            return Ok(Vec::new());
        }
        let user_id = actor.user_id()?;
        // Boxed: see `loaders::load_one`.
        let rows = Box::pin(store::people::workspaces_of(
            &ctx.state().store.global(),
            user_id,
        ))
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seat, ws)| WorkspaceMembership {
                role: seat.role,
                workspace: ws.into(),
            })
            .collect())
    }
}

#[derive(SimpleObject, Clone)]
pub struct WorkspaceMembership {
    pub role: Role,
    pub workspace: Workspace,
}

/// A customer company using Accord; all its data is isolated from every other workspace.
#[derive(SimpleObject, Clone)]
pub struct Workspace {
    pub id: ID,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
}

impl From<workspace::Model> for Workspace {
    fn from(model: workspace::Model) -> Self {
        Self {
            id: model.id.into(),
            name: model.name,
            slug: model.slug,
            created_at: model.created_at,
        }
    }
}

/// A person's seat in the current workspace.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Member {
    pub id: ID,
    pub role: Role,
    /// Routing skips members who are out of office.
    pub out_of_office: bool,
    /// The user id of the sales manager whose team this member is on: SLA breaches escalate
    /// to them (to the sales leaders when there is none).
    pub manager_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub user_id: uuid::Uuid,
}

impl From<membership::Model> for Member {
    fn from(model: membership::Model) -> Self {
        Self {
            id: model.id.into(),
            role: model.role,
            out_of_office: model.out_of_office,
            manager_id: model.manager_id.map(Into::into),
            created_at: model.created_at,
            user_id: model.user_id,
        }
    }
}

#[ComplexObject]
impl Member {
    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        let user = load_one(ctx.data_unchecked::<Loaders>().users(), self.user_id)
            .await?
            .ok_or(AppError::not_found("user"))?;
        Ok(user.into())
    }
}

/// Tokens for a signed-in person. Send `accessToken` as `Authorization: Bearer …`; trade
/// `refreshToken` for a new pair with `refreshSession` before `expiresAt`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub workspace: Option<Workspace>,
}

impl From<Session> for AuthPayload {
    fn from(session: Session) -> Self {
        Self {
            access_token: session.access_token,
            refresh_token: session.refresh_token,
            expires_at: session.expires_at,
            user: session.user.into(),
            workspace: session.workspace.map(Into::into),
        }
    }
}
