//! Cadences: ordered steps on business days. Every workspace starts with the seed's template.

use chrono::{DateTime, Utc};
use entity::{asset, cadence};
use sea_orm::{ActiveValue::Set, ConnectionTrait, IntoActiveModel};
use uuid::Uuid;

use super::input_error;
use crate::{
    domain::plays::{seed_steps, validate_steps, CadenceStep},
    error::{AppError, AppResult},
    services::unit_of_work::UnitOfWork,
    state::AppState,
    store::{self, Tenant},
};

pub const SEED_NAME: &str = "Two-week follow-up";

pub struct CadenceDraft {
    pub name: String,
    pub description: Option<String>,
    pub steps: Vec<CadenceStep>,
}

/// The steps stored on a row (validated when written).
pub fn steps_of(row: &cadence::Model) -> Vec<CadenceStep> {
    serde_json::from_value(row.steps.clone()).unwrap_or_default()
}

/// The domain's rules, then every asset named by a step must exist in this workspace.
async fn check_steps<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    steps: &[CadenceStep],
) -> AppResult<()> {
    validate_steps(steps).map_err(input_error)?;
    let ids: Vec<Uuid> = steps.iter().filter_map(|s| s.asset_id).collect();
    let known: Vec<Uuid> = tenant
        .get_many::<asset::Entity>(&ids)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    for (i, step) in steps.iter().enumerate() {
        if step.asset_id.is_some_and(|id| !known.contains(&id)) {
            return Err(AppError::not_found_at(
                "asset",
                format!("input.steps[{i}].assetId"),
            ));
        }
    }
    Ok(())
}

/// A new cadence, written by `actor` (revops and leaders).
pub async fn create(
    state: &AppState,
    workspace_id: Uuid,
    draft: CadenceDraft,
    actor: Option<Uuid>,
) -> AppResult<cadence::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let row = add(&work.tenant(), draft, actor, state.clock.now()).await?;
    work.commit().await?;
    Ok(row)
}

/// Checks and writes a new cadence in the caller's transaction.
async fn add<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    draft: CadenceDraft,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<cadence::Model> {
    check_steps(tenant, &draft.steps).await?;
    store::cadences::insert(
        tenant,
        cadence::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            name: Set(draft.name),
            description: Set(draft.description),
            steps: Set(serde_json::to_value(&draft.steps).map_err(AppError::internal)?),
            created_by: Set(actor),
            created_at: Set(now),
            updated_at: Set(now),
        },
    )
    .await
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Default)]
pub struct CadencePatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub steps: Option<Vec<CadenceStep>>,
}

/// Changes a cadence. Enrollments already running keep the tasks they were given; new
/// enrollments get the new steps.
pub async fn update(
    state: &AppState,
    workspace_id: Uuid,
    id: Uuid,
    patch: CadencePatch,
) -> AppResult<cadence::Model> {
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = store::cadences::get(&tenant, id).await?;
    if let Some(steps) = &patch.steps {
        check_steps(&tenant, steps).await?;
    }
    let mut active = row.into_active_model();
    if let Some(name) = patch.name {
        active.name = Set(name);
    }
    if let Some(description) = patch.description {
        active.description = Set(description);
    }
    if let Some(steps) = patch.steps {
        active.steps = Set(serde_json::to_value(&steps).map_err(AppError::internal)?);
    }
    active.updated_at = Set(state.clock.now());
    let row = store::cadences::save(&tenant, active).await?;
    work.commit().await?;
    Ok(row)
}

/// The seed's template, written when a workspace is created.
pub async fn seed<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<cadence::Model> {
    add(
        tenant,
        CadenceDraft {
            name: SEED_NAME.to_owned(),
            description: Some(
                "Six touches over two weeks across phone, email and LinkedIn: thought \
                 leadership, then a customer story, then the next step."
                    .to_owned(),
            ),
            steps: seed_steps(),
        },
        actor,
        now,
    )
    .await
}
