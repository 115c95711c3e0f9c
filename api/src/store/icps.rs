//! ICP versions of one workspace and the fit-score recomputations their activation queues.

use entity::{account, contact, fit_job, icp, IcpMotion, VersionStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Every version of one ICP, oldest first.
pub async fn family<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Vec<icp::Model>> {
    Ok(tenant
        .select::<icp::Entity>()
        .filter(icp::Column::FamilyId.eq(family_id))
        .order_by_asc(icp::Column::Version)
        .all(tenant.conn())
        .await?)
}

/// The highest version number of one ICP.
pub async fn latest_version<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    family_id: Uuid,
) -> AppResult<Option<i32>> {
    Ok(tenant
        .select::<icp::Entity>()
        .filter(icp::Column::FamilyId.eq(family_id))
        .order_by_desc(icp::Column::Version)
        .one(tenant.conn())
        .await?
        .map(|row| row.version))
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: icp::ActiveModel,
) -> AppResult<icp::Model> {
    Ok(icp::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes the changed fields of a version.
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: icp::ActiveModel,
) -> AppResult<icp::Model> {
    Ok(row.update(tenant.conn()).await?)
}

/// Marks the active version of `motion` superseded (another takes its place).
pub async fn supersede_active<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    motion: IcpMotion,
) -> AppResult<()> {
    icp::Entity::update_many()
        .col_expr(
            icp::Column::Status,
            VersionStatus::Superseded.as_str().into(),
        )
        .filter(icp::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(icp::Column::Status.eq(VersionStatus::Active))
        .filter(icp::Column::Motion.eq(motion))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<()> {
    icp::Entity::delete_many()
        .filter(icp::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(icp::Column::Id.eq(id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// The records a recomputation scores: every account and every contact.
pub async fn records_to_score<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> AppResult<u64> {
    Ok(tenant
        .select::<account::Entity>()
        .count(tenant.conn())
        .await?
        + tenant
            .select::<contact::Entity>()
            .count(tenant.conn())
            .await?)
}

pub async fn queue_fit_job<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    job: fit_job::ActiveModel,
) -> AppResult<()> {
    fit_job::Entity::insert(job).exec(tenant.conn()).await?;
    Ok(())
}

/// The latest recomputation of fit scores, if any.
pub async fn latest_fit_job<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Option<fit_job::Model>> {
    Ok(tenant
        .select::<fit_job::Entity>()
        .order_by_desc(fit_job::Column::CreatedAt)
        .one(tenant.conn())
        .await?)
}
