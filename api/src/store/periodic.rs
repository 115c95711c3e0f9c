//! What the calendar jobs read and mark: the workspaces they visit, the mark that claims a
//! periodic run, running sources, and the deal stage history the stalled-deal search judges.

use chrono::{DateTime, Utc};
use entity::{job_mark, opportunity, opportunity_stage_change, source, workspace};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{serialize_identity_writes, Global, Tenant};
use crate::error::AppResult;

/// Every workspace.
pub async fn workspaces<C: ConnectionTrait>(
    global: &Global<'_, C>,
) -> AppResult<Vec<workspace::Model>> {
    Ok(workspace::Entity::find().all(global.conn()).await?)
}

/// Waits for the workspace's turn behind ingest batches and record upserts (see
/// [`serialize_identity_writes`]): a job about to touch leads takes it first.
pub async fn take_identity_turn<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<()> {
    serialize_identity_writes(tenant.conn(), tenant.workspace_id()).await
}

/// Inserts the mark of a periodic run; `false` when another run already holds it.
pub async fn claim_period<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    job: &str,
    period: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    // One statement, so two transactions claiming at once do not both pass a look-up and then
    // collide on the unique index: the second inserts nothing once the first commits.
    let inserted = job_mark::Entity::insert(job_mark::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        job: Set(job.to_owned()),
        period: Set(period.to_owned()),
        done_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            job_mark::Column::WorkspaceId,
            job_mark::Column::Job,
            job_mark::Column::Period,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(tenant.conn())
    .await?;
    Ok(inserted == 1)
}

/// The sources not paused.
pub async fn running_sources<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<source::Model>> {
    Ok(tenant
        .select::<source::Entity>()
        .filter(source::Column::Paused.eq(false))
        .all(tenant.conn())
        .await?)
}

/// The whole deal stage history.
pub async fn deal_moves<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<opportunity_stage_change::Model>> {
    Ok(tenant
        .select::<opportunity_stage_change::Entity>()
        .all(tenant.conn())
        .await?)
}

/// The deals that name a primary contact (the one a stalled-deal play enrolls).
pub async fn deals_with_primary_contact<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<opportunity::Model>> {
    Ok(tenant
        .select::<opportunity::Entity>()
        .filter(opportunity::Column::PrimaryContactId.is_not_null())
        .all(tenant.conn())
        .await?)
}
