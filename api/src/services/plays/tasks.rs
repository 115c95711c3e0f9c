//! Tasks: cadence steps to do. Completing one records who did it; the touch that did it is
//! logged with `logTouch` (which completes the task too).

use entity::{task, TaskStatus};
use uuid::Uuid;

use crate::{
    auth::Actor,
    error::{AppError, AppResult},
    services::{lead_actions::check_works_lead, unit_of_work::UnitOfWork},
    state::AppState,
    store,
};

/// Marks a task done (a no-op when it already is); a cancelled task cannot be completed. The
/// assignee completes their own; anyone else must be allowed to work the task's lead.
pub async fn complete(
    state: &AppState,
    actor: &Actor,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<task::Model> {
    let now = state.clock.now();
    let work = UnitOfWork::begin(state, workspace_id).await?;
    let tenant = work.tenant();
    let row = store::tasks::get(&tenant, id).await?;
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
        TaskStatus::Open => store::tasks::complete(&tenant, row, me, now).await?,
    };
    work.commit().await?;
    Ok(done)
}
