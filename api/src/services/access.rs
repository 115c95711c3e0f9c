//! Per-record authorization: the actor's relation to a record's owner, read from the owner's
//! seat, decided by the permission table.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    auth::{Actor, Credential},
    domain::permissions::{reach, Permission, Reach, Relation},
    error::{AppError, AppResult},
    store::{self, Tenant},
};

/// The relation of `actor` to a record owned by `owner` (a user id): their own, their team's
/// (the owner's seat names the actor as manager), or another's.
pub async fn relation<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: Uuid,
    owner: Option<Uuid>,
) -> AppResult<Relation> {
    let owners_manager = match owner {
        Some(owner) if owner != actor => tenant
            .member_by_user(owner)
            .await?
            .and_then(|seat| seat.manager_id),
        _ => None,
    };
    Ok(Relation::between(actor, owner, owners_manager))
}

/// Checks that `actor` may perform the record-level `permission` on a record owned by `owner`
/// (FORBIDDEN otherwise). An API token acts for no person: its scope decides. The owner's seat is
/// read only when the role reaches the team and the record is not the actor's.
pub async fn require_on<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: &Actor,
    permission: Permission,
    owner: Option<Uuid>,
) -> AppResult<()> {
    let user_id = match actor.credential {
        Credential::ApiToken { .. } => return actor.require(permission).map(|_| ()),
        Credential::User { user_id, .. } => user_id,
    };
    let reach = actor
        .role
        .map_or(Reach::Nothing, |role| reach(role, permission));
    let allowed = match reach {
        Reach::Nothing => false,
        Reach::All => true,
        Reach::Own => owner == Some(user_id),
        Reach::Team => reach.covers(relation(tenant, user_id, owner).await?),
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden(refusal(permission, reach)))
    }
}

/// Whose records a member-wide `permission` lets the actor see (the workspace activity stream
/// uses `WatchTriggers`).
pub enum Audience {
    /// Everyone's.
    Everyone,
    /// Only these people's (the actor's own, and their team's).
    People(HashSet<Uuid>),
    /// No one's.
    Nobody,
}

/// How far `permission` reaches for `actor`, as the set of people whose records it covers. An
/// API token reaches everyone's; a team reach reads the team from the seats.
pub async fn audience<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: &Actor,
    permission: Permission,
) -> AppResult<Audience> {
    let user_id = match actor.credential {
        Credential::ApiToken { .. } => return Ok(Audience::Everyone),
        Credential::User { user_id, .. } => user_id,
    };
    let reach = actor
        .role
        .map_or(Reach::Nothing, |role| reach(role, permission));
    Ok(match reach {
        Reach::All => Audience::Everyone,
        Reach::Nothing => Audience::Nobody,
        Reach::Own => Audience::People(HashSet::from([user_id])),
        Reach::Team => {
            let mut team: HashSet<Uuid> = store::audiences::team_of(tenant, user_id)
                .await?
                .into_iter()
                .collect();
            team.insert(user_id);
            Audience::People(team)
        }
    })
}

fn refusal(permission: Permission, reach: Reach) -> String {
    let whose = match reach {
        Reach::Nothing => return "your role does not allow this operation".to_owned(),
        Reach::Own => "your own",
        Reach::Team => "your own or your team's",
        Reach::All => "any",
    };
    let what = match permission {
        Permission::UpdateDeal | Permission::DeleteDeal => "deals",
        Permission::WorkLead | Permission::AssignLead => "leads",
        Permission::FollowTriggers | Permission::WatchTriggers => "triggers",
        Permission::SetAvailability => "availability",
        _ => "records",
    };
    format!("your role reaches only {whose} {what}")
}
