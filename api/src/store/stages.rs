//! A lead's stage history: one row per stay, closed (`left_at`) when the lead moves on.

use chrono::{DateTime, Utc};
use entity::{account, stage_change, LeadStage};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// The lead's stays not yet ended, latest first (normally one).
pub async fn open_stays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
) -> AppResult<Vec<stage_change::Model>> {
    Ok(tenant
        .select::<stage_change::Entity>()
        .filter(stage_change::Column::ContactId.eq(lead_id))
        .filter(stage_change::Column::LeftAt.is_null())
        .order_by_desc(stage_change::Column::ChangedAt)
        .all(tenant.conn())
        .await?)
}

/// Ends the lead's open stays at `at`, noting the stage it moved on to.
pub async fn close_stays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    at: DateTime<Utc>,
    next: LeadStage,
) -> AppResult<()> {
    stage_change::Entity::update_many()
        .col_expr(stage_change::Column::LeftAt, Expr::value(at))
        .col_expr(stage_change::Column::NextStage, Expr::value(next))
        .filter(stage_change::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(stage_change::Column::ContactId.eq(lead_id))
        .filter(stage_change::Column::LeftAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// The segment of an account, which a stay is credited to.
pub async fn segment_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    account_id: Uuid,
) -> AppResult<Option<String>> {
    Ok(tenant
        .select::<account::Entity>()
        .filter(account::Column::Id.eq(account_id))
        .select_only()
        .column(account::Column::Segment)
        .into_tuple::<Option<String>>()
        .one(tenant.conn())
        .await?
        .flatten())
}

/// Records a new stay (and how far along the funnel it takes the lead).
pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: stage_change::ActiveModel,
) -> AppResult<stage_change::Model> {
    let stay = stage_change::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?;
    super::market_facts::raise_funnel_reach(tenant, [(stay.contact_id, stay.to_stage)]).await?;
    Ok(stay)
}

/// The open stays of these leads, newest first (a batch's moves read them once).
pub async fn open_stays_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_ids: &[Uuid],
) -> AppResult<Vec<stage_change::Model>> {
    if lead_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<stage_change::Entity>()
        .filter(stage_change::Column::ContactId.is_in(lead_ids.iter().copied()))
        .filter(stage_change::Column::LeftAt.is_null())
        .order_by_desc(stage_change::Column::ChangedAt)
        .all(tenant.conn())
        .await?)
}

/// Ends the open stays of these leads at `at`, noting the stage they moved on to.
pub async fn close_stays_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_ids: &[Uuid],
    at: DateTime<Utc>,
    next: LeadStage,
) -> AppResult<()> {
    if lead_ids.is_empty() {
        return Ok(());
    }
    stage_change::Entity::update_many()
        .col_expr(stage_change::Column::LeftAt, Expr::value(at))
        .col_expr(stage_change::Column::NextStage, Expr::value(next))
        .filter(stage_change::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(stage_change::Column::ContactId.is_in(lead_ids.iter().copied()))
        .filter(stage_change::Column::LeftAt.is_null())
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Records new stays, as many to a statement as the bound values allow (and how far along the
/// funnel they take their leads).
pub async fn insert_many<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<stage_change::Model>,
) -> AppResult<()> {
    let reaches: Vec<(Uuid, LeadStage)> = rows.iter().map(|r| (r.contact_id, r.to_stage)).collect();
    super::market_facts::raise_funnel_reach(tenant, reaches).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .map(sea_orm::IntoActiveModel::into_active_model)
        .collect();
    super::sql::insert_all::<stage_change::Entity, _>(tenant, &rows).await
}
