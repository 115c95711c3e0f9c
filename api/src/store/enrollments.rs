//! Enrollments: one lead's run through one play.

use chrono::{DateTime, Utc};
use entity::{enrollment, EnrollmentStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// The plays the lead is running now.
pub async fn active_of_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
) -> AppResult<Vec<enrollment::Model>> {
    Ok(tenant
        .select::<enrollment::Entity>()
        .filter(enrollment::Column::ContactId.eq(lead_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .all(tenant.conn())
        .await?)
}

/// The running enrollments of these leads.
pub async fn active_of_leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_ids: &[Uuid],
) -> AppResult<Vec<enrollment::Model>> {
    if lead_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<enrollment::Entity>()
        .filter(enrollment::Column::ContactId.is_in(lead_ids.iter().copied()))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .all(tenant.conn())
        .await?)
}

/// Writes new enrollments, as many to a statement as the bound values allow.
pub async fn insert_many<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<enrollment::Model>,
) -> AppResult<()> {
    let rows: Vec<_> = rows
        .into_iter()
        .map(sea_orm::IntoActiveModel::into_active_model)
        .collect();
    super::sql::insert_all::<enrollment::Entity, _>(tenant, &rows).await
}

/// Every enrollment a play ever made (its figures).
pub async fn of_play<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    play_id: Uuid,
) -> AppResult<Vec<enrollment::Model>> {
    Ok(tenant
        .select::<enrollment::Entity>()
        .filter(enrollment::Column::PlayId.eq(play_id))
        .all(tenant.conn())
        .await?)
}

/// The enrollments made under any of these signal keys, whatever their play or status.
pub async fn with_signal_keys<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    keys: Vec<String>,
) -> AppResult<Vec<enrollment::Model>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<enrollment::Entity>()
        .filter(enrollment::Column::SignalKey.is_in(keys))
        .all(tenant.conn())
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: enrollment::ActiveModel,
) -> AppResult<enrollment::Model> {
    Ok(enrollment::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Ends those of the given enrollments still active with `status` and `reason`.
pub async fn end<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
    status: EnrollmentStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::Status, status.as_str().into())
        .col_expr(enrollment::Column::EndedAt, Some(now).into())
        .col_expr(
            enrollment::Column::EndReason,
            Some(reason.to_owned()).into(),
        )
        .filter(enrollment::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(enrollment::Column::Id.is_in(ids.iter().copied()))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// The lead's running plays go to its new owner.
pub async fn reassign_active<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    owner: Uuid,
) -> AppResult<()> {
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::OwnerId, owner.into())
        .filter(enrollment::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(enrollment::Column::ContactId.eq(lead_id))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Records the first touch of those of the given enrollments that had none yet.
pub async fn mark_first_touch<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> AppResult<()> {
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::FirstTouchAt, Some(at).into())
        .filter(enrollment::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(enrollment::Column::Id.is_in(ids.iter().copied()))
        .filter(enrollment::Column::FirstTouchAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}
