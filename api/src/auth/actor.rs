//! Who is making the request, in which workspace, with which rights.

use chrono::{DateTime, TimeZone, Utc};
use entity::Role;
use uuid::Uuid;

use super::{api_token, cache::TokenGrant, jwt::AccessClaims, secret};
use crate::{
    domain::{
        permissions::{role_allows, Permission},
        scopes,
    },
    error::{AppError, AppResult},
    state::AppState,
    store,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A person, through an access token issued for a session.
    User {
        user_id: Uuid,
        session_id: Uuid,
        expires_at: DateTime<Utc>,
    },
    /// A partner app, through an API token.
    ApiToken {
        token_id: Uuid,
        expires_at: Option<DateTime<Utc>>,
        /// The token runs only the documents registered for it.
        trusted_documents_only: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub credential: Credential,
    /// The workspace the credential acts in; `None` for a person who has not chosen one.
    pub workspace_id: Option<Uuid>,
    /// The person's role in that workspace.
    pub role: Option<Role>,
    /// The API token's scopes.
    pub scopes: Vec<String>,
}

impl Actor {
    /// The person behind the request; API tokens act for no person.
    pub fn user_id(&self) -> AppResult<Uuid> {
        match self.credential {
            Credential::User { user_id, .. } => Ok(user_id),
            Credential::ApiToken { .. } => Err(AppError::forbidden(
                "this operation needs a person's credential, not an API token",
            )),
        }
    }

    /// The workspace of the credential.
    pub fn workspace_id(&self) -> AppResult<Uuid> {
        self.workspace_id.ok_or_else(|| {
            AppError::forbidden("no workspace selected: create one or call switchWorkspace")
        })
    }

    /// Checks `permission` and returns the workspace it applies to.
    pub fn require(&self, permission: Permission) -> AppResult<Uuid> {
        let workspace_id = self.workspace_id()?;
        let allowed = match &self.credential {
            Credential::User { .. } => self.role.is_some_and(|role| role_allows(role, permission)),
            Credential::ApiToken { .. } => permission
                .scope()
                .is_some_and(|scope| scopes::grants(&self.scopes, scope)),
        };
        if allowed {
            Ok(workspace_id)
        } else {
            Err(AppError::forbidden(match permission.scope() {
                Some(scope) if matches!(self.credential, Credential::ApiToken { .. }) => {
                    format!("this API token lacks the `{scope}` scope")
                }
                _ => "your role does not allow this operation".to_owned(),
            }))
        }
    }

    /// The key under which this actor's rate-limit budget is counted.
    pub fn rate_limit_key(&self) -> String {
        match &self.credential {
            Credential::User { user_id, .. } => format!("user:{user_id}"),
            Credential::ApiToken { token_id, .. } => format!("token:{token_id}"),
        }
    }

    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match &self.credential {
            Credential::User { expires_at, .. } => Some(*expires_at),
            Credential::ApiToken { expires_at, .. } => *expires_at,
        }
    }
}

/// Why a bearer token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    /// The credential is bad: refuse.
    #[error("invalid credential")]
    Invalid,
    /// The credential could not be checked right now: try again.
    #[error("credential check failed: {0:?}")]
    Unavailable(AppError),
}

/// Where [`authenticate`] may find what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// From the state's [`CredentialCache`](super::cache::CredentialCache) when it holds the
    /// entry: a repeated credential costs no round trip.
    Cached,
    /// From the database (the cache is refreshed): for a socket's periodic re-check, whose point
    /// is to catch a change whose bus message was lost.
    Fresh,
}

/// Resolves a bearer token (an access JWT or an API token) into an actor.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    lookup: Lookup,
) -> Result<Actor, AuthFailure> {
    if token.starts_with(api_token::PREFIX) {
        authenticate_api_token(state, token, lookup).await
    } else {
        authenticate_access_token(state, token, lookup).await
    }
}

async fn authenticate_api_token(
    state: &AppState,
    token: &str,
    lookup: Lookup,
) -> Result<Actor, AuthFailure> {
    if !api_token::is_well_formed(token) {
        return Err(AuthFailure::Invalid);
    }
    let cache = &state.credentials;
    let global = state.store.global();
    let digest = secret::digest(token);
    let cached = match lookup {
        Lookup::Cached => cache.token(&digest),
        Lookup::Fresh => None,
    };
    let grant = match cached {
        Some(grant) => grant,
        None => {
            let ticket = cache.ticket();
            let grant = store::api_tokens::by_hash(&global, &digest)
                .await
                .map_err(AuthFailure::Unavailable)?
                .filter(|found| found.revoked_at.is_none())
                .map(|found| TokenGrant {
                    scopes: store::api_tokens::scopes_of(&found),
                    id: found.id,
                    workspace_id: found.workspace_id,
                    expires_at: found.expires_at,
                    trusted_documents_only: found.trusted_documents_only,
                });
            cache.remember_token(ticket, digest, grant.clone());
            grant
        }
    }
    .ok_or(AuthFailure::Invalid)?;
    let now = Utc::now();
    if grant.expires_at.is_some_and(|at| at <= now) {
        return Err(AuthFailure::Invalid);
    }
    if cache.should_touch(grant.id) {
        if let Err(err) = store::api_tokens::touch(&global, grant.id, now).await {
            tracing::warn!(error = ?err, "could not record API token use");
        }
    }
    Ok(Actor {
        scopes: grant.scopes,
        credential: Credential::ApiToken {
            token_id: grant.id,
            expires_at: grant.expires_at,
            trusted_documents_only: grant.trusted_documents_only,
        },
        workspace_id: Some(grant.workspace_id),
        role: None,
    })
}

async fn authenticate_access_token(
    state: &AppState,
    token: &str,
    lookup: Lookup,
) -> Result<Actor, AuthFailure> {
    let claims = state.jwt.verify(token).map_err(|_| AuthFailure::Invalid)?;
    // A signature outlives its session: the token counts only while its family does.
    let cache = &state.credentials;
    let cached_role = match claims.wid {
        Some(workspace_id) => cache.seat(workspace_id, claims.sub),
        None => Some(None),
    };
    let (live, role) = match (lookup, cache.family_is_live(claims.sid), cached_role) {
        (Lookup::Cached, Some(live), Some(role)) => (live, role),
        _ => read_session(state, &claims).await?,
    };
    if !live {
        return Err(AuthFailure::Invalid);
    }
    Ok(Actor {
        credential: Credential::User {
            user_id: claims.sub,
            session_id: claims.sid,
            expires_at: Utc
                .timestamp_opt(claims.exp, 0)
                .single()
                .unwrap_or_else(Utc::now),
        },
        // Without a seat the token acts in no workspace (it was removed, or never had one).
        workspace_id: role.and(claims.wid),
        role,
        scopes: Vec::new(),
    })
}

/// Reads (and caches) whether the token's session is live and its role in its workspace.
async fn read_session(
    state: &AppState,
    claims: &AccessClaims,
) -> Result<(bool, Option<Role>), AuthFailure> {
    let cache = &state.credentials;
    let ticket = cache.ticket();
    let global = state.store.global();
    let seat = async {
        match claims.wid {
            Some(workspace_id) => {
                store::people::membership_of(&global, workspace_id, claims.sub).await
            }
            None => Ok(None),
        }
    };
    let live = store::sessions::family_is_live(&global, claims.sid);
    let (seat, live) = tokio::try_join!(seat, live).map_err(AuthFailure::Unavailable)?;
    let role = seat.map(|seat| seat.role);
    cache.remember_family(ticket, claims.sid, live);
    if let Some(workspace_id) = claims.wid {
        cache.remember_seat(ticket, workspace_id, claims.sub, role);
    }
    Ok((live, role))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Option<Role>) -> Actor {
        Actor {
            credential: Credential::User {
                user_id: Uuid::now_v7(),
                session_id: Uuid::now_v7(),
                expires_at: Utc::now(),
            },
            workspace_id: Some(Uuid::now_v7()),
            role,
            scopes: vec![],
        }
    }

    #[test]
    fn roles_decide_for_people() {
        use sea_orm::Iterable;
        let (mut allowed, mut refused) = (0, 0);
        for role in Role::iter() {
            let decided = user(Some(role)).require(Permission::ManageMembers).is_ok();
            assert_eq!(
                decided,
                role_allows(role, Permission::ManageMembers),
                "{role:?}"
            );
            if decided {
                allowed += 1;
            } else {
                refused += 1;
            }
        }
        assert!(allowed > 0 && refused > 0);
        assert!(user(None).require(Permission::ReadLeads).is_err());
    }

    #[test]
    fn scopes_decide_for_tokens() {
        let token = Actor {
            credential: Credential::ApiToken {
                token_id: Uuid::now_v7(),
                expires_at: None,
                trusted_documents_only: false,
            },
            workspace_id: Some(Uuid::now_v7()),
            role: None,
            scopes: vec!["events:write".into()],
        };
        assert!(token.require(Permission::IngestEvents).is_ok());
        assert!(token.require(Permission::ReadLeads).is_err());
        assert!(token.require(Permission::ManageMembers).is_err());
        assert!(token.user_id().is_err());
    }
}
