//! Sign-up, log-in, sessions and `me`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::{
    context::ContextExt,
    types::{AuthPayload, User},
};
use crate::{
    auth::{session, Credential},
    error::AppError,
    store::{self, parse_id},
};

#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    pub name: String,
}

#[derive(InputObject)]
pub struct LogInInput {
    pub email: String,
    pub password: String,
    /// The workspace to act in; defaults to the first one the person joined.
    pub workspace_id: Option<ID>,
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in person.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let user_id = ctx.actor()?.user_id()?;
        let user = store::people::user_by_id(ctx.state().store.db(), user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(user.into())
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates an account and signs it in (with no workspace yet: call `createWorkspace`).
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let session =
            session::sign_up(ctx.state(), &input.email, input.password, &input.name).await?;
        Ok(session.into())
    }

    /// Signs in. Failed attempts are throttled per email; an unknown email and a wrong password
    /// get the same answer.
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> Result<AuthPayload> {
        let workspace_id = input
            .workspace_id
            .as_ref()
            .map(|id| parse_id(id, "workspace"))
            .transpose()?;
        let session =
            session::log_in(ctx.state(), &input.email, input.password, workspace_id).await?;
        Ok(session.into())
    }

    /// Trades a refresh token for a new pair. Each refresh token works once; presenting a used
    /// one ends the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> Result<AuthPayload> {
        Ok(session::refresh(ctx.state(), &refresh_token).await?.into())
    }

    /// Ends the current session: its refresh tokens stop working and its sockets close.
    async fn log_out(&self, ctx: &Context<'_>) -> Result<bool> {
        match ctx.actor()?.credential {
            Credential::User { session_id, .. } => {
                session::log_out(ctx.state(), session_id).await?;
                Ok(true)
            }
            Credential::ApiToken { .. } => Err(AppError::forbidden(
                "API tokens have no session; revoke the token instead",
            )
            .into()),
        }
    }
}
