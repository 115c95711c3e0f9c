//! Invitations: `addMember` offers a seat to an address; the seat exists once a signed-in
//! account that proved that address accepts the mailed link.

use chrono::{Duration, Utc};
use entity::{invitation, membership, Role};
use uuid::Uuid;

use crate::{
    auth::{secret, Actor},
    bus::{ActivityKind, BusEvent},
    error::{AppError, AppResult},
    mail::compose,
    services::{unit_of_work::UnitOfWork, workspaces::check_grant},
    state::AppState,
    store::{self, invitations::NewInvitation},
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
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let workspace = store::people::workspace_by_id(&work.global(), workspace_id)
        .await?
        .ok_or(AppError::not_found("workspace"))?;
    let token = format!("{INVITATION_PREFIX}{}", secret::random_hex(32));
    let invitation = work
        .tenant()
        .create_invitation(NewInvitation {
            email,
            role,
            token_hash: &secret::digest(&token),
            invited_by,
            expires_at: Utc::now() + INVITATION_TTL,
        })
        .await?;
    work.commit().await?;
    let mail = compose::invitation(
        &state.config.public_url,
        email,
        &workspace.name,
        role,
        &token,
    );
    state.mailer.send(&state.store.global(), mail).await?;
    Ok(invitation)
}

/// Accepts the invitation `token` names for `user_id`, whose verified address must be the
/// invited one. A used, revoked, expired or unknown token gets one answer.
pub async fn accept(state: &AppState, user_id: Uuid, token: &str) -> AppResult<membership::Model> {
    let invalid = || AppError::bad_input("token", "is invalid, already used, revoked or expired");
    let now = Utc::now();
    let mut work = UnitOfWork::begin_global(state).await?;
    let global = work.global();
    let invitation = store::invitations::by_token_hash(&global, &secret::digest(token))
        .await?
        .ok_or_else(invalid)?;
    let user = store::people::user_by_id(&global, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if user.email_verified_at.is_none() || user.email != invitation.email {
        return Err(AppError::forbidden(
            "an invitation is accepted by the account that confirmed the invited address: \
             sign in with it, or confirm your address first",
        ));
    }
    if !store::invitations::claim(&global, invitation.id, user.id, now).await? {
        return Err(invalid());
    }
    let member = work
        .tenant_of(invitation.workspace_id)
        .add_member(user.id, invitation.role)
        .await?;
    // A seat where there was none: an instance that cached "no seat" forgets it.
    work.notices().announce(
        invitation.workspace_id,
        BusEvent::MembershipChanged { user_id: user.id },
    );
    work.notices().activity(
        invitation.workspace_id,
        ActivityKind::MemberAdded,
        Some(user.id),
        member.id,
        format!("{} joined as {:?}", user.name, invitation.role),
    );
    work.commit().await?;
    Ok(member)
}

/// Withdraws a pending invitation of the workspace; its link stops working. The actor must be
/// able to grant the offered role; an accepted invitation is BAD_USER_INPUT at `id`.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<invitation::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let found = tenant.get::<invitation::Entity>(id).await?;
    check_grant(actor.role, found.role)?;
    if found.accepted_at.is_some() {
        return Err(AppError::bad_input(
            "id",
            "was accepted already: remove the member instead",
        ));
    }
    let revoked = tenant.revoke_invitation(id, Utc::now()).await?;
    work.commit().await?;
    Ok(revoked)
}
