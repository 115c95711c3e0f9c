//! Touches: what a rep did and what came of it, and what a touch changes on the lead's clocks.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{contact, sla_clock, touch, SlaKind, TouchOutcome};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: touch::ActiveModel,
) -> AppResult<touch::Model> {
    Ok(touch::Entity::insert(row)
        .exec_with_returning(tenant.conn())
        .await?)
}

/// How many touches the lead has had since `since`.
pub async fn count_since<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    since: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(tenant
        .select::<touch::Entity>()
        .filter(touch::Column::ContactId.eq(lead_id))
        .filter(touch::Column::OccurredAt.gte(since))
        .count(tenant.conn())
        .await?)
}

/// The enrollments of a play that had a REPLIED or MEETING_BOOKED touch (`None` for such a
/// touch logged under the play without an enrollment).
pub async fn replied_enrollments<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    play_id: Uuid,
) -> AppResult<HashSet<Option<Uuid>>> {
    Ok(tenant
        .select::<touch::Entity>()
        .filter(touch::Column::PlayId.eq(play_id))
        .filter(touch::Column::Outcome.is_in([TouchOutcome::Replied, TouchOutcome::MeetingBooked]))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|t| t.enrollment_id)
        .collect())
}

/// A touch at `occurred_at` is the first touch of every first-touch clock of the lead that
/// started by then and had no touch, or only a later one.
pub async fn set_first_touch_on_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead_id: Uuid,
    occurred_at: DateTime<Utc>,
) -> AppResult<()> {
    use sla_clock::Column as K;
    sla_clock::Entity::update_many()
        .col_expr(K::FirstTouchAt, Some(occurred_at).into())
        .filter(K::WorkspaceId.eq(tenant.workspace_id()))
        .filter(K::ContactId.eq(lead_id))
        .filter(K::Kind.eq(SlaKind::FirstTouch))
        .filter(K::StartedAt.lte(occurred_at))
        .filter(
            sea_orm::Condition::any()
                .add(K::FirstTouchAt.is_null())
                .add(K::FirstTouchAt.gt(occurred_at)),
        )
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Saves every field of a lead a touch changed (stage, tags, opt-out, `updated_at`).
pub async fn save_touched_lead<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: contact::Model,
) -> AppResult<contact::Model> {
    Ok(lead
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?)
}
