//! What fit scoring reads and the rescoring job's progress: the active ICPs, pages of accounts
//! and contacts in id order, and the `fit_job` rows.

use chrono::{DateTime, Utc};
use entity::{account, contact, fit_job, icp, VersionStatus};
use sea_orm::{
    sea_query::{LockBehavior, LockType},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{Global, Tenant};
use crate::error::AppResult;

/// The workspace's active ICP versions.
pub async fn active_icps<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<Vec<icp::Model>> {
    Ok(tenant
        .select::<icp::Entity>()
        .filter(icp::Column::Status.eq(VersionStatus::Active))
        .all(tenant.conn())
        .await?)
}

/// Claims the oldest unfinished rescoring job of any workspace (on Postgres, one another worker
/// holds is skipped rather than waited for).
pub async fn claim_job<C: ConnectionTrait>(
    global: &Global<'_, C>,
    done: &str,
) -> AppResult<Option<fit_job::Model>> {
    let mut claim = fit_job::Entity::find()
        .filter(fit_job::Column::Status.ne(done))
        .order_by_asc(fit_job::Column::CreatedAt);
    if global.conn().get_database_backend() == DbBackend::Postgres {
        claim = claim.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(claim.one(global.conn()).await?)
}

/// Whether the workspace has a job created after `created_at`.
pub async fn newer_job<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    created_at: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(tenant
        .select::<fit_job::Entity>()
        .filter(fit_job::Column::CreatedAt.gt(created_at))
        .one(tenant.conn())
        .await?
        .is_some())
}

/// Saves a job's phase, cursor and count.
pub async fn save_progress<C: ConnectionTrait>(
    global: &Global<'_, C>,
    job_id: Uuid,
    phase: &str,
    cursor: Option<Uuid>,
    processed: i64,
) -> AppResult<()> {
    fit_job::Entity::update_many()
        .col_expr(fit_job::Column::Status, phase.into())
        .col_expr(fit_job::Column::Cursor, cursor.into())
        .col_expr(fit_job::Column::Processed, processed.into())
        .filter(fit_job::Column::Id.eq(job_id))
        .exec(global.conn())
        .await?;
    Ok(())
}

/// Marks a job finished now.
pub async fn finish_job<C: ConnectionTrait>(
    global: &Global<'_, C>,
    job_id: Uuid,
    done: &str,
    processed: i64,
) -> AppResult<()> {
    fit_job::Entity::update_many()
        .col_expr(fit_job::Column::Status, done.into())
        .col_expr(fit_job::Column::Processed, processed.into())
        .col_expr(fit_job::Column::FinishedAt, Some(Utc::now()).into())
        .filter(fit_job::Column::Id.eq(job_id))
        .exec(global.conn())
        .await?;
    Ok(())
}

/// Up to `limit` accounts after `after`, in id order.
pub async fn accounts_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<account::Model>> {
    let mut query = tenant
        .select::<account::Entity>()
        .order_by_asc(account::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(account::Column::Id.gt(after));
    }
    Ok(query.all(tenant.conn()).await?)
}

/// Up to `limit` contacts after `after`, in id order.
pub async fn contacts_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<contact::Model>> {
    let mut query = tenant
        .select::<contact::Entity>()
        .order_by_asc(contact::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(contact::Column::Id.gt(after));
    }
    Ok(query.all(tenant.conn()).await?)
}
