//! The funnel of a range: the flow from the stays that began or ended in it, the occupancy of
//! each stage from the leads' current stage and the time they entered it (counted in SQL over
//! the `(workspace, stage, stage_changed_at)` index, so a million leads are never loaded).

use chrono::{DateTime, Duration, Utc};
use entity::{contact, stage_change, LeadStage};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{lead_stage_of, stage_of};
use crate::{
    domain::metrics::{flow, funnel, Funnel, Occupancy, Range, Stage, Stay},
    error::AppResult,
    store::Tenant,
};

#[derive(FromQueryResult)]
struct StayRow {
    contact_id: Uuid,
    to_stage: LeadStage,
    changed_at: DateTime<Utc>,
    left_at: Option<DateTime<Utc>>,
    next_stage: Option<LeadStage>,
}

/// The funnel of `range` as known at `as_of`.
pub async fn funnel_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    as_of: DateTime<Utc>,
) -> AppResult<Funnel> {
    range.validate("range")?;
    use stage_change::Column as S;
    let within = |column: S| {
        Condition::all()
            .add(column.gte(range.from))
            .add(column.lt(range.to))
    };
    let stays: Vec<Stay> = tenant
        .select::<stage_change::Entity>()
        .filter(
            Condition::any()
                .add(within(S::ChangedAt))
                .add(within(S::LeftAt)),
        )
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
        .await?
        .into_iter()
        .map(|row| Stay {
            lead_id: row.contact_id,
            stage: stage_of(row.to_stage),
            entered_at: row.changed_at,
            next: row
                .left_at
                .zip(row.next_stage.map(stage_of))
                .map(|(at, to)| (to, at)),
        })
        .collect();
    let flows = flow(&stays, &range, as_of)?;
    let mut occupancy = Vec::with_capacity(Stage::ALL.len());
    for stage in Stage::ALL {
        let median = flows.get(&stage).and_then(|f| f.median);
        occupancy.push((stage, occupancy_of(tenant, stage, median, as_of).await?));
    }
    Ok(funnel(&flows, |stage, _| {
        occupancy
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, o)| o.clone())
            .unwrap_or_default()
    }))
}

/// The leads in `stage` at `as_of`: how many, their median time in it, how many exceed the
/// stage's median stay.
async fn occupancy_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stage: Stage,
    median: Option<Duration>,
    as_of: DateTime<Utc>,
) -> AppResult<Occupancy> {
    use contact::Column as L;
    let in_stage = || {
        tenant
            .select::<contact::Entity>()
            .filter(L::Stage.eq(lead_stage_of(stage)))
            .filter(L::StageChangedAt.lte(as_of))
    };
    let current = in_stage().count(tenant.conn()).await?;
    if current == 0 {
        return Ok(Occupancy {
            over_median: median.map(|_| 0),
            ..Occupancy::default()
        });
    }
    // The lower median of the ages is the entry time at that rank from the most recent.
    let median_entry: Option<Option<DateTime<Utc>>> = in_stage()
        .select_only()
        .column(L::StageChangedAt)
        .order_by_desc(L::StageChangedAt)
        .offset((current - 1) / 2)
        .limit(1)
        .into_tuple()
        .one(tenant.conn())
        .await?;
    let over_median = match median {
        Some(median) => Some(
            in_stage()
                .filter(L::StageChangedAt.lt(as_of - median))
                .count(tenant.conn())
                .await?,
        ),
        None => None,
    };
    Ok(Occupancy {
        current,
        median_age: median_entry.flatten().map(|entered| as_of - entered),
        over_median,
    })
}
