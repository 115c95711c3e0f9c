//! The funnel of a range: the flow from the daily rollups (entries, and the stays among them
//! that advanced) and the stays of the days the range cuts, the medians ranked in SQL, the
//! occupancy of each stage from the leads' current stage and the time they entered it (counted
//! in SQL over the `(workspace, stage, stage_changed_at)` index, so a million leads are never
//! loaded).

use chrono::{DateTime, Duration, Utc};
use entity::{contact, stage_change, LeadStage};
use sea_orm::{
    ColumnTrait, ConnectionTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{
    lead_stage_of, lower_median_stays,
    rollups::{self, Dimension, Family},
    sales::within,
    stage_of, statement,
};
use crate::{
    domain::metrics::{add_counted, flow, funnel, DaySplit, Funnel, Occupancy, Range, Stage, Stay},
    error::{AppError, AppResult},
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

/// The funnel of `range` as known at `as_of`: entries and advances of whole days from the
/// rollups, those of the days the range cuts from their stays, the medians in SQL.
pub async fn funnel_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    as_of: DateTime<Utc>,
) -> AppResult<Funnel> {
    range.validate("range")?;
    use stage_change::Column as S;
    let split = DaySplit::of(range, range.to, &[]);
    let stays: Vec<Stay> = if split.rows.is_empty() {
        Vec::new()
    } else {
        tenant
            .select::<stage_change::Entity>()
            // Every stage named: the (stage, time) index serves each as a range.
            .filter(S::ToStage.is_in(Stage::ALL.iter().map(|s| lead_stage_of(*s))))
            .filter(within(S::ChangedAt, &split.rows))
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
            .collect()
    };
    let mut flows = flow(&stays, &range, as_of)?;
    let (counted, medians) = tokio::try_join!(
        rollups::daily(tenant, Family::Flow, Dimension::All, &split.days),
        median_stays(tenant, &range, as_of),
    )?;
    add_counted(&mut flows, &counted, &range);
    for flow in flows.values_mut() {
        flow.median = None;
    }
    for (stage, median) in medians {
        flows.entry(stage).or_default().median = Some(median);
    }
    // Each stage's occupancy is its own index range: read at once.
    let occupancy: Vec<(Stage, Occupancy)> =
        futures_util::future::try_join_all(
            Stage::ALL.into_iter().map(|stage| {
                let median = flows.get(&stage).and_then(|f| f.median);
                async move {
                    Ok::<_, AppError>((stage, occupancy_of(tenant, stage, median, as_of).await?))
                }
            }),
        )
        .await?;
    Ok(funnel(&flows, |stage, _| {
        occupancy
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, o)| o.clone())
            .unwrap_or_default()
    }))
}

/// Per stage, the lower median length of the stays that ended in `range` (by `as_of`).
async fn median_stays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    as_of: DateTime<Utc>,
) -> AppResult<Vec<(Stage, Duration)>> {
    let stages: Vec<LeadStage> = Stage::ALL.iter().map(|s| lead_stage_of(*s)).collect();
    let filter = "left_at >= $2 AND left_at < $3 AND left_at <= $4 AND changed_at <= $4";
    let values = vec![range.from.into(), range.to.into(), as_of.into()];
    Ok(
        lower_median_stays(tenant, "stage_changes", &stages, filter, values)
            .await?
            .into_iter()
            .map(|(stage, median)| (stage_of(stage), median))
            .collect(),
    )
}

#[derive(Default, FromQueryResult)]
struct Counts {
    current: i64,
    over: Option<i64>,
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
    // How many, and how many entered before the median stay's length ago, in one pass.
    let cut = as_of - median.unwrap_or_else(Duration::zero);
    let counts = Counts::find_by_statement(statement(
        tenant,
        "SELECT COUNT(*) AS current, \
           SUM(CASE WHEN stage_changed_at < $4 THEN 1 ELSE 0 END) AS over \
         FROM contacts WHERE workspace_id = $1 AND stage = $2 AND stage_changed_at <= $3",
        vec![
            tenant.workspace_id().into(),
            lead_stage_of(stage).as_str().into(),
            as_of.into(),
            cut.into(),
        ],
    ))
    .one(tenant.conn())
    .await?
    .unwrap_or_default();
    let current = u64::try_from(counts.current).unwrap_or(0);
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
    let over_median = median.map(|_| u64::try_from(counts.over.unwrap_or(0)).unwrap_or(0));
    Ok(Occupancy {
        current,
        median_age: median_entry.flatten().map(|entered| as_of - entered),
        over_median,
    })
}
