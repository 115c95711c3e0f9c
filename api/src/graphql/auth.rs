//! Sign-up, log-in, sessions and `me`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::{
    context::ContextExt,
    types::{AuthPayload, User},
};
use crate::{
    auth::{address, session, Credential},
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
        let user = store::people::user_by_id(&ctx.state().store.global(), user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(user.into())
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates an account and signs it in (with no workspace yet: call `createWorkspace`), and
    /// mails a link that confirms the address (`verifyEmail`). The answer is the same whether
    /// or not the address is registered already: the account is new and unverified either way,
    /// and only a verified account can take a seat.
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

    /// Confirms the address of the account a mailed verification link was sent for.
    /// BAD_USER_INPUT at `token` when the link is unknown, used or expired; CONFLICT when
    /// another account confirmed the address first.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<User> {
        Ok(address::verify_email(ctx.state(), &token).await?.into())
    }

    /// Mails the signed-in person a fresh verification link (nothing if already confirmed).
    async fn resend_verification(&self, ctx: &Context<'_>) -> Result<bool> {
        let user_id = ctx.actor()?.user_id()?;
        address::resend_verification(ctx.state(), user_id).await?;
        Ok(true)
    }

    /// Mails a password-reset link (valid for an hour) if an account uses this address.
    /// Always answers `true`, so it tells nobody whether the address is registered.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        address::request_password_reset(ctx.state(), &email).await?;
        Ok(true)
    }

    /// Sets a new password with a mailed reset link (once), confirms the address the link
    /// reached, and ends every session of the account.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        new_password: String,
    ) -> Result<bool> {
        address::reset_password(ctx.state(), &token, new_password).await?;
        Ok(true)
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
