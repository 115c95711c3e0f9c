//! Plays as the revenue team defines them: create, update, activate, pause.

use entity::{asset, cadence, campaign, play, PlayStatus};
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use super::input_error;
use crate::{
    domain::plays::{ExitCriteria, PlayTrigger},
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{self, Tenant},
};

/// A play's definition with its references already resolved in the workspace.
pub struct PlayDraft {
    pub name: String,
    pub description: Option<String>,
    pub trigger: PlayTrigger,
    pub cadence_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub asset_ids: Vec<Uuid>,
    pub exit: ExitCriteria,
    pub priority: i32,
    pub exclusive: bool,
}

pub fn trigger_of(row: &play::Model) -> Option<PlayTrigger> {
    serde_json::from_value(row.trigger.clone()).ok()
}

pub fn exit_of(row: &play::Model) -> ExitCriteria {
    serde_json::from_value(row.exit.clone()).unwrap_or_default()
}

pub fn asset_ids_of(row: &play::Model) -> Vec<Uuid> {
    serde_json::from_value(row.asset_ids.clone()).unwrap_or_default()
}

/// Priorities are small numbers people choose: higher runs first.
const PRIORITIES: std::ops::RangeInclusive<i32> = 0..=1000;

pub async fn check<C: ConnectionTrait>(tenant: &Tenant<'_, C>, draft: &PlayDraft) -> AppResult<()> {
    draft.trigger.validate().map_err(input_error)?;
    if !PRIORITIES.contains(&draft.priority) {
        return Err(AppError::bad_input("input.priority", "must be 0 to 1000"));
    }
    tenant
        .get::<cadence::Entity>(draft.cadence_id)
        .await
        .map_err(|err| err.at_field("input.cadenceId"))?;
    if let Some(id) = draft.campaign_id {
        tenant
            .get::<campaign::Entity>(id)
            .await
            .map_err(|err| err.at_field("input.campaignId"))?;
    }
    let known: Vec<Uuid> = tenant
        .get_many::<asset::Entity>(&draft.asset_ids)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    if let Some(i) = draft.asset_ids.iter().position(|id| !known.contains(id)) {
        return Err(AppError::not_found_at(
            "asset",
            format!("input.assetIds[{i}]"),
        ));
    }
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> AppResult<serde_json::Value> {
    serde_json::to_value(value).map_err(AppError::internal)
}

/// A new play starts as a DRAFT: it enrolls nobody until activated.
pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    draft: PlayDraft,
    actor: Option<Uuid>,
) -> AppResult<play::Model> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    check(&tenant, &draft).await?;
    let row = store::plays::insert(
        &tenant,
        play::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            name: Set(draft.name),
            description: Set(draft.description),
            status: Set(PlayStatus::Draft),
            trigger: Set(json(&draft.trigger)?),
            cadence_id: Set(draft.cadence_id),
            campaign_id: Set(draft.campaign_id),
            asset_ids: Set(json(&draft.asset_ids)?),
            exit: Set(json(&draft.exit)?),
            priority: Set(draft.priority),
            exclusive: Set(draft.exclusive),
            created_by: Set(actor),
            created_at: Set(now),
            updated_at: Set(now),
            activated_at: Set(None),
        },
    )
    .await?;
    work.commit().await?;
    Ok(row)
}

/// Replaces a play's definition (whatever its status); running enrollments keep their tasks.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    draft: PlayDraft,
) -> AppResult<play::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = store::plays::get(&tenant, id).await?;
    check(&tenant, &draft).await?;
    let mut active = row.into_active_model();
    active.name = Set(draft.name);
    active.description = Set(draft.description);
    active.trigger = Set(json(&draft.trigger)?);
    active.cadence_id = Set(draft.cadence_id);
    active.campaign_id = Set(draft.campaign_id);
    active.asset_ids = Set(json(&draft.asset_ids)?);
    active.exit = Set(json(&draft.exit)?);
    active.priority = Set(draft.priority);
    active.exclusive = Set(draft.exclusive);
    active.updated_at = Set(state.clock.now());
    let row = store::plays::save(&tenant, active).await?;
    work.commit().await?;
    Ok(row)
}

/// DRAFT or PAUSED -> ACTIVE (activating an active play is a no-op); PAUSED stops new
/// enrollments, while running ones go on to their end.
pub async fn set_status(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    status: PlayStatus,
) -> AppResult<play::Model> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = store::plays::get(&tenant, id).await?;
    if row.status == status {
        return Ok(row);
    }
    if status == PlayStatus::Paused && row.status != PlayStatus::Active {
        return Err(AppError::bad_input(
            "id",
            "only an active play can be paused",
        ));
    }
    if status == PlayStatus::Draft {
        return Err(AppError::bad_input("id", "a play never goes back to draft"));
    }
    let first_activation = row.activated_at.is_none();
    let mut active = row.into_active_model();
    active.status = Set(status);
    if status == PlayStatus::Active && first_activation {
        active.activated_at = Set(Some(now));
    }
    active.updated_at = Set(now);
    let row = store::plays::save(&tenant, active).await?;
    work.commit().await?;
    Ok(row)
}
