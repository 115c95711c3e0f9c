//! Sessions: sign-up, log-in with throttling, refresh-token rotation with reuse detection,
//! log-out, and the token pairs they issue.

use chrono::{DateTime, Duration, Utc};
use entity::{user, workspace};
use uuid::Uuid;

use super::{
    address,
    password::{self, Verified},
    secret,
};
use crate::{
    bus::BusEvent,
    domain::text::normalize_email,
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{self, sessions::NewRefreshToken},
};

const REFRESH_PREFIX: &str = "acr_";
const MAX_LOCKOUT: Duration = Duration::hours(1);

/// A fresh access and refresh token for one user and (optionally) one workspace.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
    pub workspace: Option<workspace::Model>,
}

fn email_or_error(raw: &str, field: &str) -> AppResult<String> {
    normalize_email(raw).ok_or_else(|| AppError::bad_input(field, "is not a valid email address"))
}

fn name_or_error(raw: &str, field: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::bad_input(field, "must be 1 to 200 characters"));
    }
    Ok(name.to_owned())
}

pub async fn sign_up(
    state: &AppState,
    email: &str,
    password: String,
    name: &str,
) -> AppResult<Session> {
    let email = email_or_error(email, "input.email")?;
    let name = name_or_error(name, "input.name")?;
    password::check_strength(&password, "input.password")?;
    let hash = password::hash(password).await?;
    // Always a new, unverified account, whether or not the address is registered: the answer
    // must not tell. Only the mail differs (a verification link, or a warning to the owner).
    let user = store::people::create_user(&state.store.global(), &email, &name, hash, None).await?;
    address::mail_verification(state, &user).await?;
    issue_for(state, user, None, Uuid::now_v7()).await
}

pub async fn log_in(
    state: &AppState,
    email: &str,
    password: String,
    workspace_id: Option<Uuid>,
) -> AppResult<Session> {
    let invalid = || AppError::InvalidCredentials;
    // An unparseable email gets the same answer as a wrong password.
    let email = normalize_email(email).unwrap_or_else(|| email.trim().to_lowercase());
    let global = state.store.global();
    let now = Utc::now();
    let throttle = store::people::throttle(&global, &email).await?;
    if let Some(until) = throttle.as_ref().and_then(|t| t.locked_until) {
        if until > now {
            return Err(AppError::RateLimited {
                retry_after_secs: (until - now).num_seconds().max(1) as u64,
            });
        }
    }
    let (user, verified) = matching_account(state, &email, &password).await?;
    let Some(user) = user else {
        let failures = store::people::count_failed_log_in(&global, &email).await?;
        let max = state.config.login_max_failures as i32;
        if failures >= max {
            let doublings = (failures - max).min(12) as u32;
            let lockout =
                Duration::seconds(state.config.login_lockout_secs as i64) * 2i32.pow(doublings);
            store::people::lock_out(&global, &email, now + lockout.min(MAX_LOCKOUT)).await?;
        }
        return Err(invalid());
    };
    if throttle.is_some() {
        store::people::clear_throttle(&global, &email).await?;
    }
    if verified == Verified::YesRehash {
        let hash = password::hash(password).await?;
        store::people::set_password_hash(&global, user.id, hash).await?;
    }
    let workspace = match workspace_id {
        Some(id) => Some(workspace_of_member(state, user.id, id).await?),
        None => store::people::workspaces_of(&global, user.id)
            .await?
            .into_iter()
            .next()
            .map(|(_, ws)| ws),
    };
    issue_for(state, user, workspace, Uuid::now_v7()).await
}

/// The account with `email` whose password is `password`: the verified account first, then the
/// newest unverified ones (an address may be registered by several people; only one proves it).
/// With no account, one check against no hash, so an unknown address takes as long.
async fn matching_account(
    state: &AppState,
    email: &str,
    password: &str,
) -> AppResult<(Option<user::Model>, Verified)> {
    let global = state.store.global();
    let accounts =
        store::people::accounts_for_address(&global, email, address::ACCOUNTS_PER_ADDRESS).await?;
    let checked = accounts.len();
    for account in accounts {
        let verified =
            password::verify(password.to_owned(), Some(account.password_hash.clone())).await?;
        if verified != Verified::No {
            return Ok((Some(account), verified));
        }
    }
    // A refusal costs the same argon2 work whether the address means no account or several,
    // so its timing does not tell whether the address is registered.
    for _ in checked..address::ACCOUNTS_PER_ADDRESS as usize {
        password::verify(password.to_owned(), None).await?;
    }
    Ok((None, Verified::No))
}

/// The workspace `id` if `user_id` is a member; NOT_FOUND otherwise, whether or not it exists.
pub async fn workspace_of_member(
    state: &AppState,
    user_id: Uuid,
    id: Uuid,
) -> AppResult<workspace::Model> {
    let global = state.store.global();
    if store::people::membership_of(&global, id, user_id)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("workspace"));
    }
    store::people::workspace_by_id(&global, id)
        .await?
        .ok_or(AppError::not_found("workspace"))
}

/// Rotates a refresh token. A token presented twice revokes its whole family: whoever holds the
/// other copy is locked out too.
pub async fn refresh(state: &AppState, refresh_token: &str) -> AppResult<Session> {
    let global = state.store.global();
    let found = store::sessions::by_hash(&global, &secret::digest(refresh_token))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if found.revoked_at.is_some() || found.expires_at <= Utc::now() {
        return Err(AppError::Unauthenticated);
    }
    if found.used_at.is_some() || !store::sessions::claim(&global, found.id).await? {
        tracing::warn!(family = %found.family_id, "refresh token reused; revoking the session");
        end_family(state, found.family_id, found.workspace_id).await?;
        return Err(AppError::Unauthenticated);
    }
    let user = store::people::user_by_id(&global, found.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let workspace = match found.workspace_id {
        Some(id) => workspace_of_member(state, user.id, id).await.ok(),
        None => None,
    };
    issue_for(state, user, workspace, found.family_id).await
}

/// Ends a session: its refresh tokens stop working and its sockets close.
pub async fn log_out(state: &AppState, session_id: Uuid) -> AppResult<()> {
    end_family(state, session_id, None).await
}

async fn end_family(
    state: &AppState,
    family_id: Uuid,
    workspace_id: Option<Uuid>,
) -> AppResult<()> {
    let mut work = UnitOfWork::begin_global(state).await?;
    store::sessions::revoke_family(&work.global(), family_id).await?;
    work.notices().announce(
        workspace_id.unwrap_or(Uuid::nil()),
        BusEvent::SessionRevoked {
            session_id: family_id,
        },
    );
    work.commit().await
}

/// Issues a pair for `user` in `workspace_id` (checked for membership), continuing `family_id`,
/// which must still be live: an ended session never mints tokens again.
pub async fn issue(
    state: &AppState,
    user: user::Model,
    workspace_id: Option<Uuid>,
    family_id: Uuid,
) -> AppResult<Session> {
    if !store::sessions::family_is_live(&state.store.global(), family_id).await? {
        return Err(AppError::Unauthenticated);
    }
    let workspace = match workspace_id {
        Some(id) => Some(workspace_of_member(state, user.id, id).await?),
        None => None,
    };
    issue_for(state, user, workspace, family_id).await
}

/// [`issue`] for the account `user_id` (UNAUTHENTICATED when it is gone).
pub async fn issue_for_user(
    state: &AppState,
    user_id: Uuid,
    workspace_id: Option<Uuid>,
    family_id: Uuid,
) -> AppResult<Session> {
    let user = store::people::user_by_id(&state.store.global(), user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    issue(state, user, workspace_id, family_id).await
}

async fn issue_for(
    state: &AppState,
    user: user::Model,
    workspace: Option<workspace::Model>,
    family_id: Uuid,
) -> AppResult<Session> {
    let now = Utc::now();
    let expires_at =
        now + Duration::from_std(state.config.access_token_ttl()).unwrap_or(Duration::minutes(15));
    let workspace_id = workspace.as_ref().map(|ws| ws.id);
    let access_token = state
        .jwt
        .issue(user.id, workspace_id, family_id, expires_at)?;
    let refresh_token = format!("{REFRESH_PREFIX}{}", secret::random_hex(32));
    store::sessions::insert(
        &state.store.global(),
        NewRefreshToken {
            family_id,
            user_id: user.id,
            workspace_id,
            token_hash: &secret::digest(&refresh_token),
            expires_at: now
                + Duration::from_std(state.config.refresh_token_ttl())
                    .unwrap_or(Duration::days(30)),
        },
    )
    .await?;
    Ok(Session {
        access_token,
        refresh_token,
        expires_at,
        user,
        workspace,
    })
}
