//! The funnel's reads: the stays of the days a range cuts, and the occupancy of a stage from
//! the leads' current stage and the time they entered it (counted in SQL over the
//! `(workspace, stage, stage_changed_at)` index, so a million leads are never loaded).

use chrono::{DateTime, Utc};
use entity::{contact, stage_change, LeadStage};
use sea_orm::{
    ColumnTrait, ConnectionTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::within;
use crate::{
    domain::metrics::Range,
    error::AppResult,
    store::{sql::statement, Tenant},
};

/// A stay in a stage: its entry, and its end with the stage that followed.
#[derive(FromQueryResult)]
pub struct StayRow {
    pub contact_id: Uuid,
    pub to_stage: LeadStage,
    pub changed_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub next_stage: Option<LeadStage>,
}

/// The stays in one of `stages` that began in `spans`.
pub async fn stays_in<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stages: &[LeadStage],
    spans: &[Range],
) -> AppResult<Vec<StayRow>> {
    use stage_change::Column as S;
    Ok(tenant
        .select::<stage_change::Entity>()
        // Every stage named: the (stage, time) index serves each as a range.
        .filter(S::ToStage.is_in(stages.iter().copied()))
        .filter(within(S::ChangedAt, spans))
        .select_only()
        .columns([
            S::ContactId,
            S::ToStage,
            S::ChangedAt,
            S::LeftAt,
            S::NextStage,
        ])
        .into_model::<StayRow>()
        .all(tenant.conn())
        .await?)
}

/// How many leads are in a stage, and how many of them entered it before a cut.
#[derive(Default, FromQueryResult)]
pub struct StageCounts {
    pub current: i64,
    pub over: Option<i64>,
}

/// The leads in `stage` at `as_of`, and those among them that entered it before `cut`, in one
/// pass.
pub async fn stage_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stage: LeadStage,
    as_of: DateTime<Utc>,
    cut: DateTime<Utc>,
) -> AppResult<StageCounts> {
    Ok(StageCounts::find_by_statement(statement(
        tenant,
        "SELECT COUNT(*) AS current, \
           SUM(CASE WHEN stage_changed_at < $4 THEN 1 ELSE 0 END) AS over \
         FROM contacts WHERE workspace_id = $1 AND stage = $2 AND stage_changed_at <= $3",
        vec![
            tenant.workspace_id().into(),
            stage.as_str().into(),
            as_of.into(),
            cut.into(),
        ],
    ))
    .one(tenant.conn())
    .await?
    .unwrap_or_default())
}

/// The time the lead at rank `offset` (from the most recent) entered `stage`, among those in it
/// at `as_of`.
pub async fn median_stage_entry<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stage: LeadStage,
    as_of: DateTime<Utc>,
    offset: u64,
) -> AppResult<Option<DateTime<Utc>>> {
    use contact::Column as L;
    let entry: Option<Option<DateTime<Utc>>> = tenant
        .select::<contact::Entity>()
        .filter(L::Stage.eq(stage))
        .filter(L::StageChangedAt.lte(as_of))
        .select_only()
        .column(L::StageChangedAt)
        .order_by_desc(L::StageChangedAt)
        .offset(offset)
        .limit(1)
        .into_tuple()
        .one(tenant.conn())
        .await?;
    Ok(entry.flatten())
}
