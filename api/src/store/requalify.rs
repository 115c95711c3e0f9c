//! What the background re-evaluation of leads reads and its progress: the `requalify_job` rows,
//! and pages of the leads still in the LEAD stage (of one source, or all), in id order.

use chrono::{DateTime, Utc};
use entity::{contact, requalify_job, LeadStage};
use sea_orm::{
    sea_query::{LockBehavior, LockType},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use super::{Global, Tenant};
use crate::error::AppResult;

fn leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Option<Uuid>,
) -> Select<contact::Entity> {
    let query = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::Stage.eq(LeadStage::Lead));
    match source_id {
        Some(source) => query.filter(contact::Column::SourceId.eq(source)),
        None => query,
    }
}

/// How many leads a re-evaluation of `source_id` (or of the workspace) would judge now.
pub async fn leads_to_judge<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Option<Uuid>,
) -> AppResult<u64> {
    Ok(leads(tenant, source_id).count(tenant.conn()).await?)
}

/// The ids of up to `limit` LEAD-stage leads after `after`, in id order.
pub async fn leads_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<Uuid>> {
    let mut query = leads(tenant, source_id)
        .select_only()
        .column(contact::Column::Id)
        .order_by_asc(contact::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(contact::Column::Id.gt(after));
    }
    Ok(query.into_tuple().all(tenant.conn()).await?)
}

/// The ids of the LEAD-stage leads among `ids`.
pub async fn still_leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let page: Vec<Uuid> = leads(tenant, None)
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(tenant.conn())
            .await?;
        found.extend(page);
    }
    found.sort();
    Ok(found)
}

pub async fn queue<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    job: requalify_job::Model,
) -> AppResult<()> {
    debug_assert_eq!(job.workspace_id, tenant.workspace_id());
    requalify_job::Entity::insert(sea_orm::IntoActiveModel::into_active_model(job))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Whether a job over the same leads (`source_id`) waits and has not started: queuing another
/// would judge the same leads twice.
pub async fn waiting<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    source_id: Option<Uuid>,
    pending: &str,
) -> AppResult<bool> {
    let query = tenant
        .select::<requalify_job::Entity>()
        .filter(requalify_job::Column::Status.eq(pending));
    let query = match source_id {
        Some(source) => query.filter(requalify_job::Column::SourceId.eq(source)),
        None => query.filter(requalify_job::Column::SourceId.is_null()),
    };
    Ok(query.one(tenant.conn()).await?.is_some())
}

/// Claims the oldest unfinished re-evaluation of any workspace (on Postgres, one another worker
/// holds is skipped rather than waited for).
pub async fn claim_job<C: ConnectionTrait>(
    global: &Global<'_, C>,
    done: &str,
) -> AppResult<Option<requalify_job::Model>> {
    let mut claim = requalify_job::Entity::find()
        .filter(requalify_job::Column::Status.ne(done))
        .order_by_asc(requalify_job::Column::CreatedAt);
    if global.conn().get_database_backend() == DbBackend::Postgres {
        claim = claim.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(claim.one(global.conn()).await?)
}

/// Saves a job's progress; `finished_at` marks it done.
pub async fn save_progress<C: ConnectionTrait>(
    global: &Global<'_, C>,
    job: &requalify_job::Model,
    status: &str,
    finished_at: Option<DateTime<Utc>>,
) -> AppResult<()> {
    requalify_job::Entity::update_many()
        .col_expr(requalify_job::Column::Status, status.into())
        .col_expr(requalify_job::Column::Cursor, job.cursor.into())
        .col_expr(requalify_job::Column::Processed, job.processed.into())
        .col_expr(requalify_job::Column::Qualified, job.qualified.into())
        .col_expr(requalify_job::Column::Total, job.total.into())
        .col_expr(requalify_job::Column::FinishedAt, finished_at.into())
        .filter(requalify_job::Column::Id.eq(job.id))
        .exec(global.conn())
        .await?;
    Ok(())
}

/// The latest re-evaluation, if any.
pub async fn latest<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<requalify_job::Model>> {
    Ok(tenant
        .select::<requalify_job::Entity>()
        .order_by_desc(requalify_job::Column::CreatedAt)
        .order_by_desc(requalify_job::Column::Id)
        .one(tenant.conn())
        .await?)
}
