//! Tasks: cadence steps to do, one per step of an enrollment, assigned to the lead's owner.

use chrono::{DateTime, Utc};
use entity::{task, TaskStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use super::Tenant;
use crate::{
    error::AppResult,
    store::keyset::{self, time_key, Ordering, PageArgs, RowPage, SortKind},
};

/// One task, NOT_FOUND when it is not this workspace's.
pub async fn get<C: ConnectionTrait>(tenant: &Tenant<'_, C>, id: Uuid) -> AppResult<task::Model> {
    tenant.get::<task::Entity>(id).await
}

/// Writes tasks, as many to a statement as the bound values allow.
pub async fn insert_many<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<task::ActiveModel>,
) -> AppResult<()> {
    super::sql::insert_all::<task::Entity, _>(tenant, &rows).await
}

/// Marks an open task done by `by` at `now`.
pub async fn complete<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: task::Model,
    by: Uuid,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let mut active = row.into_active_model();
    active.status = Set(TaskStatus::Done);
    active.completed_at = Set(Some(now));
    active.completed_by = Set(Some(by));
    Ok(active.update(tenant.conn()).await?)
}

/// Cancels the open tasks of the given enrollments (their plays ended).
pub async fn cancel_open_of_enrollments<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    enrollment_ids: &[Uuid],
) -> AppResult<()> {
    task::Entity::update_many()
        .col_expr(task::Column::Status, TaskStatus::Cancelled.as_str().into())
        .filter(task::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(task::Column::EnrollmentId.is_in(enrollment_ids.iter().copied()))
        .filter(task::Column::Status.eq(TaskStatus::Open))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// The lead's open tasks go to its new owner.
pub async fn reassign_open<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    owner: Uuid,
) -> AppResult<()> {
    task::Entity::update_many()
        .col_expr(task::Column::AssigneeId, owner.into())
        .filter(task::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(task::Column::ContactId.eq(lead_id))
        .filter(task::Column::Status.eq(TaskStatus::Open))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// When a task falls due, relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Past due.
    Overdue,
    /// Due by the end of today (UTC), overdue included.
    Today,
    /// Not due yet.
    Upcoming,
}

/// Which of a person's tasks a list shows. An id of another workspace's play or lead simply
/// matches nothing.
#[derive(Debug, Clone)]
pub struct TaskFilter {
    pub assignee_id: Uuid,
    pub status: TaskStatus,
    pub due: Option<Due>,
    pub play_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
}

/// One page of a person's tasks, soonest due first.
pub async fn page_assigned<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &TaskFilter,
    now: DateTime<Utc>,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<task::Model>> {
    let mut select = tenant
        .select::<task::Entity>()
        .filter(task::Column::AssigneeId.eq(filter.assignee_id))
        .filter(task::Column::Status.eq(filter.status));
    if let Some(play) = filter.play_id {
        select = select.filter(task::Column::PlayId.eq(play));
    }
    if let Some(lead) = filter.lead_id {
        select = select.filter(task::Column::ContactId.eq(lead));
    }
    select = match filter.due {
        Some(Due::Overdue) => select.filter(task::Column::DueAt.lt(now)),
        Some(Due::Today) => {
            let end_of_day = (now.date_naive() + chrono::Days::new(1))
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc();
            select.filter(task::Column::DueAt.lt(end_of_day))
        }
        Some(Due::Upcoming) => select.filter(task::Column::DueAt.gte(now)),
        None => select,
    };
    keyset::page(
        tenant.conn(),
        select,
        task::Column::Id,
        Ordering {
            column: task::Column::DueAt,
            kind: SortKind::Time,
            descending: false,
        },
        |row: &task::Model| (time_key(row.due_at), row.id),
        args,
        max_page_size,
    )
    .await
}
