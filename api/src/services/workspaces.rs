//! A new workspace and what every workspace starts with; its members' seats.

use async_graphql::ID;
use chrono::{DateTime, Utc};
use entity::{membership, workspace, Role};
use uuid::Uuid;

use crate::{
    auth::Actor,
    bus::{ActivityKind, BusEvent},
    domain::{
        contract::Terms,
        permissions::{may_grant, Permission, FOUNDING_ROLE},
        text::slugify,
    },
    error::{AppError, AppResult},
    services::{access, contracts, plays::cadences, unassigned, unit_of_work::UnitOfWork},
    state::AppState,
};

/// Creates the workspace with `owner` in its founding seat, a draft contract holding the seed's
/// defaults and the seed's two-week cadence, in the caller's unit of work.
pub async fn create(
    work: &UnitOfWork<'_>,
    name: &str,
    owner: Uuid,
    now: DateTime<Utc>,
) -> AppResult<workspace::Model> {
    let workspace = crate::store::people::create_workspace(
        &work.global(),
        name,
        &slugify(name),
        owner,
        FOUNDING_ROLE,
    )
    .await?;
    let tenant = work.tenant_of(workspace.id);
    contracts::insert_draft(&tenant, &Terms::seed(), Some(owner)).await?;
    cadences::seed(&tenant, Some(owner), now).await?;
    Ok(workspace)
}

/// Creates a workspace for `owner` in a unit of work of its own (`createWorkspace`).
pub async fn create_for(state: &AppState, name: &str, owner: Uuid) -> AppResult<workspace::Model> {
    let work = UnitOfWork::begin_global(state).await?;
    let workspace = create(&work, name, owner, state.clock.now()).await?;
    work.commit().await?;
    Ok(workspace)
}

/// FORBIDDEN unless `granter` may hand out (or manage holders of) `role`.
pub fn check_grant(granter: Option<Role>, role: Role) -> AppResult<()> {
    if granter.is_some_and(|granter| may_grant(granter, role)) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "your role cannot manage {role:?} members"
        )))
    }
}

/// Changes a member's role. The last holder of the founding role keeps it.
pub async fn change_role(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    member_id: Uuid,
    role: Role,
) -> AppResult<membership::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let member = tenant.get::<membership::Entity>(member_id).await?;
    check_grant(actor.role, role)?;
    check_grant(actor.role, member.role)?;
    if member.role == FOUNDING_ROLE
        && role != FOUNDING_ROLE
        && tenant.count_with_role(FOUNDING_ROLE).await? <= 1
    {
        return Err(AppError::bad_input(
            "role",
            "the workspace must keep at least one OWNER",
        ));
    }
    let updated = tenant.set_member_role(member, role).await?;
    notices.announce(
        workspace_id,
        BusEvent::MembershipChanged {
            user_id: updated.user_id,
        },
    );
    notices.activity(
        workspace_id,
        ActivityKind::MemberRoleChanged,
        actor.user_id().ok(),
        updated.id,
        format!("role changed to {role:?}"),
    );
    // A role that takes leads makes its holder eligible for the leads waiting for them.
    unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    work.commit().await?;
    Ok(updated)
}

/// Removes a member; their sockets in the workspace close. The last holder of the founding role
/// stays.
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    member_id: Uuid,
) -> AppResult<membership::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let member = tenant.get::<membership::Entity>(member_id).await?;
    check_grant(actor.role, member.role)?;
    if member.role == FOUNDING_ROLE && tenant.count_with_role(FOUNDING_ROLE).await? <= 1 {
        return Err(AppError::bad_input(
            "memberId",
            "the last OWNER cannot be removed",
        ));
    }
    tenant.remove_member(member.id).await?;
    notices.announce(
        workspace_id,
        BusEvent::MembershipEnded {
            user_id: member.user_id,
        },
    );
    notices.activity(
        workspace_id,
        ActivityKind::MemberRemoved,
        actor.user_id().ok(),
        member.id,
        "member removed".to_owned(),
    );
    work.commit().await?;
    Ok(member)
}

/// Marks a member out of office (routing skips them) or back, as far as the actor's
/// [`Permission::SetAvailability`] reaches.
pub async fn set_availability(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    member_id: Uuid,
    out_of_office: bool,
) -> AppResult<membership::Model> {
    let mut work = UnitOfWork::begin(state, workspace_id).await?;
    let (tenant, notices) = work.parts();
    let member = tenant.get::<membership::Entity>(member_id).await?;
    access::require_on(
        &tenant,
        actor,
        Permission::SetAvailability,
        Some(member.user_id),
    )
    .await?;
    let saved = tenant.set_out_of_office(member, out_of_office).await?;
    if !out_of_office {
        // Back: the leads waiting for someone like them are routed now.
        unassigned::route_waiting(&tenant, notices, state.clock.now()).await?;
    }
    work.commit().await?;
    Ok(saved)
}

/// Puts a member on the team of the member whose user id `manager` names, or off any team.
pub async fn set_manager(
    state: &AppState,
    workspace_id: Uuid,
    member_id: Uuid,
    manager: Option<&ID>,
) -> AppResult<membership::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let member = tenant.get::<membership::Entity>(member_id).await?;
    let manager = match manager {
        Some(raw) => {
            let id = tenant
                .member_referenced(raw, "managerUserId")
                .await?
                .user_id;
            if id == member.user_id {
                return Err(AppError::bad_input(
                    "managerUserId",
                    "nobody manages themselves",
                ));
            }
            Some(id)
        }
        None => None,
    };
    let saved = tenant.set_manager(member, manager).await?;
    work.commit().await?;
    Ok(saved)
}
