//! The lead stage history as the metrics read it: stage entries in spans of time, and the
//! mid-funnel stays that may be running at a week's end.

use chrono::{DateTime, Duration, Utc};
use entity::{stage_change, LeadStage};
use sea_orm::{ColumnTrait, ConnectionTrait, FromQueryResult, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::within;
use crate::{domain::metrics::Range, error::AppResult, store::Tenant};

/// A lead's move into a stage, with the credit it carries.
#[derive(FromQueryResult)]
pub struct StageRow {
    pub contact_id: Uuid,
    pub from_stage: Option<LeadStage>,
    pub to_stage: LeadStage,
    pub changed_at: DateTime<Utc>,
    pub source_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub segment: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub play_id: Option<Uuid>,
}

/// The changes into one of `stages` in `spans`.
pub async fn stage_entries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stages: &[LeadStage],
    spans: &[Range],
) -> AppResult<Vec<StageRow>> {
    use stage_change::Column as S;
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<stage_change::Entity>()
        .select_only()
        .columns([
            S::ContactId,
            S::FromStage,
            S::ToStage,
            S::ChangedAt,
            S::SourceId,
            S::OwnerId,
            S::Segment,
            S::CampaignId,
            S::PlayId,
        ])
        .filter(S::ToStage.is_in(stages.iter().copied()))
        .filter(within(S::ChangedAt, spans))
        .into_model::<StageRow>()
        .all(tenant.conn())
        .await?)
}

/// The stays in one of `stages` that may be running at a week's end in `range` (they began
/// before the range ended and had not ended a week into it): entry and end only. Read through
/// the `(stage, end)` index, from the index alone: the stays still running, then those that
/// ended since.
pub async fn mid_funnel_stays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stages: &[LeadStage],
    range: &Range,
) -> AppResult<Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>> {
    use stage_change::Column as S;
    let first_end = range.from + Duration::weeks(1);
    let mut stays = Vec::new();
    for ended in [S::LeftAt.is_null(), S::LeftAt.gte(first_end)] {
        let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = tenant
            .select::<stage_change::Entity>()
            .select_only()
            .columns([S::ChangedAt, S::LeftAt])
            .filter(S::ToStage.is_in(stages.iter().copied()))
            .filter(ended)
            .filter(S::ChangedAt.lt(range.to))
            .into_tuple()
            .all(tenant.conn())
            .await?;
        stays.extend(rows);
    }
    Ok(stays)
}
