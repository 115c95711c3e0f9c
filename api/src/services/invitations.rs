//! Invitations: `addMember` offers a seat to an address; the seat exists once a signed-in
//! account that proved that address accepts the mailed link.

use chrono::{Duration, Utc};
use entity::{invitation, membership, Role};
use uuid::Uuid;

use crate::{
    auth::secret,
    bus::ActivityKind,
    error::{AppError, AppResult},
    mail::compose,
    state::AppState,
    store::{self, invitations::NewInvitation, Tenant},
};

const INVITATION_PREFIX: &str = "aci_";
/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::days(7);

/// Records the invitation and mails its link. Looks up no account: the answer is the same for
/// any address.
pub async fn invite(
    state: &AppState,
    workspace_id: Uuid,
    invited_by: Option<Uuid>,
    email: &str,
    role: Role,
) -> AppResult<invitation::Model> {
    let db = state.store.db();
    let workspace = store::people::workspace_by_id(db, workspace_id)
        .await?
        .ok_or(AppError::not_found("workspace"))?;
    let token = format!("{INVITATION_PREFIX}{}", secret::random_hex(32));
    let invitation = state
        .store
        .tenant(workspace_id)
        .create_invitation(NewInvitation {
            email,
            role,
            token_hash: &secret::digest(&token),
            invited_by,
            expires_at: Utc::now() + INVITATION_TTL,
        })
        .await?;
    let mail = compose::invitation(
        &state.config.public_url,
        email,
        &workspace.name,
        role,
        &token,
    );
    state.mailer.send(db, mail).await?;
    Ok(invitation)
}

/// Accepts the invitation `token` names for `user_id`, whose verified address must be the
/// invited one. A used, revoked, expired or unknown token gets one answer.
pub async fn accept(state: &AppState, user_id: Uuid, token: &str) -> AppResult<membership::Model> {
    let invalid = || AppError::bad_input("token", "is invalid, already used, revoked or expired");
    let now = Utc::now();
    let txn = state.store.begin_write().await?;
    let invitation = store::invitations::by_token_hash(&txn, &secret::digest(token))
        .await?
        .ok_or_else(invalid)?;
    let user = store::people::user_by_id(&txn, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if user.email_verified_at.is_none() || user.email != invitation.email {
        return Err(AppError::forbidden(
            "an invitation is accepted by the account that confirmed the invited address: \
             sign in with it, or confirm your address first",
        ));
    }
    if !store::invitations::claim(&txn, invitation.id, user.id, now).await? {
        return Err(invalid());
    }
    let member = Tenant::new(&txn, invitation.workspace_id)
        .add_member(user.id, invitation.role)
        .await?;
    txn.commit().await.map_err(AppError::from)?;
    state
        .publish_activity(
            invitation.workspace_id,
            ActivityKind::MemberAdded,
            Some(user.id),
            member.id,
            format!("{} joined as {:?}", user.name, invitation.role),
        )
        .await;
    Ok(member)
}
