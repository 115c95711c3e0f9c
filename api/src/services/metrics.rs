//! Dashboards' numbers, read from the stage history (not from counters). First piece of issue 6:
//! the funnel. It reads the whole workspace's history up to `as_of`; the maintained rollups that
//! keep this fast at a million leads are still to come.

use chrono::{DateTime, Utc};
use entity::{stage_change, LeadStage};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use crate::{
    domain::metrics::{funnel, Attribution, Funnel, Range, Stage, StageChange},
    error::{AppError, AppResult},
    store::Tenant,
};

pub fn stage_of(stage: LeadStage) -> Stage {
    match stage {
        LeadStage::Lead => Stage::Lead,
        LeadStage::Mql => Stage::Mql,
        LeadStage::Sal => Stage::Sal,
        LeadStage::Sql => Stage::Sql,
        LeadStage::Opportunity => Stage::Opportunity,
        LeadStage::Customer => Stage::Customer,
        LeadStage::Nurture => Stage::Nurture,
        LeadStage::Disqualified => Stage::Disqualified,
    }
}

pub fn lead_stage_of(stage: Stage) -> LeadStage {
    match stage {
        Stage::Lead => LeadStage::Lead,
        Stage::Mql => LeadStage::Mql,
        Stage::Sal => LeadStage::Sal,
        Stage::Sql => LeadStage::Sql,
        Stage::Opportunity => LeadStage::Opportunity,
        Stage::Customer => LeadStage::Customer,
        Stage::Nurture => LeadStage::Nurture,
        Stage::Disqualified => LeadStage::Disqualified,
    }
}

/// The funnel of `range` as known at `as_of`.
pub async fn funnel_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: DateTime<Utc>,
) -> AppResult<Funnel> {
    let range = Range::new(from, to).map_err(|err| AppError::bad_input(err.field, err.message))?;
    let changes: Vec<StageChange> = tenant
        .select::<stage_change::Entity>()
        .filter(stage_change::Column::ChangedAt.lte(as_of))
        .order_by_asc(stage_change::Column::ChangedAt)
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|row| StageChange {
            lead_id: row.contact_id,
            from: row.from_stage.map(stage_of),
            to: stage_of(row.to_stage),
            at: row.changed_at,
            attribution: Attribution {
                source_id: row.source_id,
                ..Default::default()
            },
        })
        .collect();
    funnel(&changes, &range, as_of).map_err(|err| AppError::bad_input(err.field, err.message))
}
