//! Tasks: cadence steps to do. Completing one records who did it; the touch that did it is
//! logged with `logTouch` (which completes the task too).

use chrono::{DateTime, Utc};
use entity::{task, TaskStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use uuid::Uuid;

use crate::{
    auth::Actor,
    error::{AppError, AppResult},
    services::lead_actions::check_works_lead,
    state::AppState,
    store::Tenant,
};

/// Marks a task done (a no-op when it already is); a cancelled task cannot be completed.
pub async fn complete(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let txn = state.store.begin_write().await?;
    let tenant = Tenant::new(&txn, workspace_id);
    let row = tenant.get::<task::Entity>(id).await?;
    let lead = tenant.lead_for_update(row.contact_id).await?;
    let me = if row.assignee_id == actor.user_id()? {
        row.assignee_id
    } else {
        check_works_lead(&tenant, actor, &lead).await?
    };
    let done = match row.status {
        TaskStatus::Done => row,
        TaskStatus::Cancelled => {
            return Err(AppError::bad_input(
                "id",
                "the task was cancelled: its play ended",
            ))
        }
        TaskStatus::Open => {
            let mut active = row.into_active_model();
            active.status = Set(TaskStatus::Done);
            active.completed_at = Set(Some(now));
            active.completed_by = Set(Some(me));
            active.update(&txn).await?
        }
    };
    txn.commit().await?;
    Ok(done)
}
