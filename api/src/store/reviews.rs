//! The weekly revenue review of one workspace: its sessions, attendance, decision log, action
//! items and messaging tests, and the reads its agenda makes of deals and touches.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    action_item, messaging_test, opportunity, revenue_review, review_attendance, review_decision,
    touch, OpportunityStage, TouchOutcome,
};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition,
    ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Tenant;
use crate::{domain::metrics::Range, error::AppResult};

/// The session of the week starting `week_of` (a Monday), if it was started.
pub async fn of_week<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week_of: NaiveDate,
) -> AppResult<Option<revenue_review::Model>> {
    Ok(tenant
        .select::<revenue_review::Entity>()
        .filter(revenue_review::Column::WeekOf.eq(week_of))
        .one(tenant.conn())
        .await?)
}

/// The sessions started since `from`.
pub async fn started_since<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    from: DateTime<Utc>,
) -> AppResult<Vec<revenue_review::Model>> {
    Ok(tenant
        .select::<revenue_review::Entity>()
        .filter(revenue_review::Column::StartedAt.gte(from))
        .all(tenant.conn())
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: revenue_review::ActiveModel,
) -> AppResult<revenue_review::Model> {
    Ok(row.insert(tenant.conn()).await?)
}

/// Writes the changed fields of a session.
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: revenue_review::ActiveModel,
) -> AppResult<revenue_review::Model> {
    Ok(row.update(tenant.conn()).await?)
}

/// The attendance recorded in the sessions `ids`, in the order recorded.
pub async fn attendance_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<review_attendance::Model>> {
    Ok(tenant
        .select::<review_attendance::Entity>()
        .filter(review_attendance::Column::ReviewId.is_in(ids.iter().copied()))
        .order_by_asc(review_attendance::Column::RecordedAt)
        .all(tenant.conn())
        .await?)
}

/// The decisions of the sessions `ids`, in the order decided.
pub async fn decisions_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<review_decision::Model>> {
    Ok(tenant
        .select::<review_decision::Entity>()
        .filter(review_decision::Column::ReviewId.is_in(ids.iter().copied()))
        .order_by_asc(review_decision::Column::RecordedAt)
        .all(tenant.conn())
        .await?)
}

/// The action items out of the sessions `ids`, oldest first.
pub async fn action_items_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: &[Uuid],
) -> AppResult<Vec<action_item::Model>> {
    Ok(tenant
        .select::<action_item::Entity>()
        .filter(action_item::Column::ReviewId.is_in(ids.iter().copied()))
        .order_by_asc(action_item::Column::CreatedAt)
        .all(tenant.conn())
        .await?)
}

/// Records whether `user_id` attended; a second record for a person replaces the first.
pub async fn record_attendance<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    review_id: Uuid,
    user_id: Uuid,
    present: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    review_attendance::Entity::insert(review_attendance::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        review_id: Set(review_id),
        user_id: Set(user_id),
        present: Set(present),
        recorded_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            review_attendance::Column::WorkspaceId,
            review_attendance::Column::ReviewId,
            review_attendance::Column::UserId,
        ])
        .update_columns([
            review_attendance::Column::Present,
            review_attendance::Column::RecordedAt,
        ])
        .to_owned(),
    )
    .exec(tenant.conn())
    .await?;
    Ok(())
}

pub async fn insert_decision<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: review_decision::ActiveModel,
) -> AppResult<review_decision::Model> {
    Ok(row.insert(tenant.conn()).await?)
}

pub async fn insert_action_item<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: action_item::ActiveModel,
) -> AppResult<action_item::Model> {
    Ok(row.insert(tenant.conn()).await?)
}

/// Writes the changed fields of an action item.
pub async fn save_action_item<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: action_item::ActiveModel,
) -> AppResult<action_item::Model> {
    Ok(row.update(tenant.conn()).await?)
}

/// Action items, oldest first; only the open ones when `open_only`.
pub async fn action_items<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    open_only: bool,
) -> AppResult<Vec<action_item::Model>> {
    let mut query = tenant
        .select::<action_item::Entity>()
        .order_by_asc(action_item::Column::CreatedAt);
    if open_only {
        query = query.filter(action_item::Column::CompletedAt.is_null());
    }
    Ok(query.all(tenant.conn()).await?)
}

pub async fn save_test<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: messaging_test::ActiveModel,
) -> AppResult<messaging_test::Model> {
    Ok(row.update(tenant.conn()).await?)
}

pub async fn insert_test<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: messaging_test::ActiveModel,
) -> AppResult<messaging_test::Model> {
    Ok(row.insert(tenant.conn()).await?)
}

/// Every messaging test, most recent first.
pub async fn tests<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<messaging_test::Model>> {
    Ok(tenant
        .select::<messaging_test::Entity>()
        .order_by_desc(messaging_test::Column::StartedAt)
        .all(tenant.conn())
        .await?)
}

/// The messaging tests that ran during `week`.
pub async fn tests_during<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    week: &Range,
) -> AppResult<Vec<messaging_test::Model>> {
    use messaging_test::Column as T;
    Ok(tenant
        .select::<messaging_test::Entity>()
        .filter(T::StartedAt.lt(week.to))
        .filter(
            Condition::any()
                .add(T::EndedAt.is_null())
                .add(T::EndedAt.gte(week.from)),
        )
        .all(tenant.conn())
        .await?)
}

/// Touches that used one of `assets` from `from` to `until` (inclusive), counted per asset and
/// outcome in the database: a busy test has thousands of touches.
pub async fn touch_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    assets: Vec<Uuid>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> AppResult<Vec<(Option<Uuid>, TouchOutcome, i64)>> {
    Ok(tenant
        .select::<touch::Entity>()
        .filter(touch::Column::AssetId.is_in(assets))
        .filter(touch::Column::OccurredAt.gte(from))
        .filter(touch::Column::OccurredAt.lte(until))
        .select_only()
        .columns([touch::Column::AssetId, touch::Column::Outcome])
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .group_by(touch::Column::AssetId)
        .group_by(touch::Column::Outcome)
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// The open deals in `stage` that entered it (or, never moved, were created) at `cut` or
/// before, through the `(stage, entered)` index.
pub async fn open_deals_in_stage_by<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stage: OpportunityStage,
    cut: DateTime<Utc>,
) -> AppResult<Vec<opportunity::Model>> {
    use opportunity::Column as O;
    Ok(tenant
        .select::<opportunity::Entity>()
        .filter(O::ClosedAt.is_null())
        .filter(O::Stage.eq(stage))
        .filter(
            Condition::any().add(O::StageChangedAt.lte(cut)).add(
                Condition::all()
                    .add(O::StageChangedAt.is_null())
                    .add(O::CreatedAt.lte(cut)),
            ),
        )
        .all(tenant.conn())
        .await?)
}
