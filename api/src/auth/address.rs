//! Proving an address and resetting a password, both by a one-time link mailed to the address.
//!
//! The answers never depend on whether an address is known: a sign-up with a registered
//! address still makes a (fresh, unverified) account, a reset request for an unknown address
//! still answers `true`. Only the mailbox learns the difference.

use chrono::{Duration, Utc};
use entity::user;
use uuid::Uuid;

use super::{password, secret, session};
use crate::{
    domain::text::normalize_email,
    error::{AppError, AppResult},
    mail::compose,
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{
        self,
        email_tokens::{self, Purpose},
    },
};

const VERIFY_PREFIX: &str = "acv_";
const RESET_PREFIX: &str = "acp_";
/// How long a verification link works.
pub const VERIFY_TTL: Duration = Duration::hours(48);
/// How long a password-reset link works.
pub const RESET_TTL: Duration = Duration::hours(1);
/// The accounts one address may mean at log-in or reset (the verified one, then the newest).
pub const ACCOUNTS_PER_ADDRESS: u64 = 3;

fn invalid_token() -> AppError {
    AppError::bad_input("token", "is invalid, already used or expired")
}

/// Stores a fresh one-time link of `purpose` for `user` at their address; returns its token.
async fn mint_link(state: &AppState, user: &user::Model, purpose: Purpose) -> AppResult<String> {
    let (prefix, ttl) = match purpose {
        Purpose::Verify => (VERIFY_PREFIX, VERIFY_TTL),
        Purpose::Reset => (RESET_PREFIX, RESET_TTL),
    };
    let token = format!("{prefix}{}", secret::random_hex(32));
    email_tokens::insert(
        &state.store.global(),
        user.id,
        purpose,
        &user.email,
        &secret::digest(&token),
        Utc::now() + ttl,
    )
    .await?;
    Ok(token)
}

/// Spends the link `token` of `purpose` and returns its account, still at the linked address.
async fn claim_link(
    work: &UnitOfWork<'_>,
    token: &str,
    purpose: Purpose,
    now: chrono::DateTime<Utc>,
) -> AppResult<user::Model> {
    let global = work.global();
    let link = email_tokens::claim(&global, &secret::digest(token), purpose, now)
        .await?
        .ok_or_else(invalid_token)?;
    store::people::user_by_id(&global, link.user_id)
        .await?
        .filter(|user| user.email == link.email)
        .ok_or_else(invalid_token)
}

/// Mails what a new (or still unverified) account needs: a verification link, or, when another
/// account already proved the address, a warning to that address's owner.
pub async fn mail_verification(state: &AppState, user: &user::Model) -> AppResult<()> {
    let global = state.store.global();
    let public_url = &state.config.public_url;
    let proven = store::people::verified_user_by_email(&global, &user.email).await?;
    let mail = if proven.is_some_and(|owner| owner.id != user.id) {
        compose::address_in_use(public_url, &user.email)
    } else {
        let token = mint_link(state, user, Purpose::Verify).await?;
        compose::verify_email(public_url, &user.email, &token)
    };
    state.mailer.send(&global, mail).await
}

/// Follows a verification link: the account's address is proven.
pub async fn verify_email(state: &AppState, token: &str) -> AppResult<user::Model> {
    let now = Utc::now();
    let work = UnitOfWork::begin_global(state).await?;
    let user = claim_link(&work, token, Purpose::Verify, now).await?;
    store::people::mark_verified(&work.global(), user.id, now).await?;
    work.commit().await?;
    Ok(user::Model {
        email_verified_at: user.email_verified_at.or(Some(now)),
        ..user
    })
}

/// Sends the signed-in person a fresh verification link (nothing when already verified).
pub async fn resend_verification(state: &AppState, user_id: Uuid) -> AppResult<()> {
    let user = store::people::user_by_id(&state.store.global(), user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if user.email_verified_at.is_none() {
        mail_verification(state, &user).await?;
    }
    Ok(())
}

/// Mails a reset link for each account the address may mean. Answers the same whether or not
/// there is one.
pub async fn request_password_reset(state: &AppState, email: &str) -> AppResult<()> {
    let Some(email) = normalize_email(email) else {
        return Ok(());
    };
    let global = state.store.global();
    let accounts =
        store::people::accounts_for_address(&global, &email, ACCOUNTS_PER_ADDRESS).await?;
    for account in accounts {
        let token = mint_link(state, &account, Purpose::Reset).await?;
        let mail = compose::password_reset(
            &state.config.public_url,
            &account.email,
            &account.name,
            account.created_at,
            &token,
        );
        state.mailer.send(&global, mail).await?;
    }
    Ok(())
}

/// Follows a reset link: sets the new password, proves the address (the link reached it) unless
/// another account proved it first, spends the account's other reset links and ends every
/// session of the account.
pub async fn reset_password(state: &AppState, token: &str, new_password: String) -> AppResult<()> {
    password::check_strength(&new_password, "newPassword")?;
    let hash = password::hash(new_password).await?;
    let now = Utc::now();
    let work = UnitOfWork::begin_global(state).await?;
    let user = claim_link(&work, token, Purpose::Reset, now).await?;
    let global = work.global();
    store::people::set_password_hash(&global, user.id, hash).await?;
    email_tokens::spend_all(&global, user.id, Purpose::Reset, now).await?;
    if user.email_verified_at.is_none()
        && store::people::verified_user_by_email(&global, &user.email)
            .await?
            .is_none()
    {
        store::people::mark_verified(&global, user.id, now).await?;
    }
    let families = store::sessions::live_families_of(&global, user.id).await?;
    work.commit().await?;
    for family in families {
        session::log_out(state, family).await?;
    }
    store::people::clear_throttle(&state.store.global(), &user.email).await?;
    Ok(())
}
