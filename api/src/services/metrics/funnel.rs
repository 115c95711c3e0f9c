//! The funnel of a range: the flow from the daily rollups (entries, and the stays among them
//! that advanced) and the stays of the days the range cuts, the medians ranked in SQL, the
//! occupancy of each stage from the leads' current stage and the time they entered it (counted
//! in SQL over the `(workspace, stage, stage_changed_at)` index, so a million leads are never
//! loaded).

use chrono::{DateTime, Duration, Utc};
use entity::LeadStage;
use sea_orm::ConnectionTrait;

use super::{
    lead_stage_of,
    rollups::{self, Dimension, Family},
    stage_of,
};
use crate::{
    domain::metrics::{add_counted, flow, funnel, DaySplit, Funnel, Occupancy, Range, Stage, Stay},
    error::{AppError, AppResult},
    store::{metrics as rows, Tenant},
};

/// The funnel of `range` as known at `as_of`: entries and advances of whole days from the
/// rollups, those of the days the range cuts from their stays, the medians in SQL.
pub async fn funnel_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    as_of: DateTime<Utc>,
) -> AppResult<Funnel> {
    range.validate("range")?;
    let split = DaySplit::of(range, range.to, &[]);
    let stays: Vec<Stay> = if split.rows.is_empty() {
        Vec::new()
    } else {
        let stages: Vec<LeadStage> = Stage::ALL.iter().map(|s| lead_stage_of(*s)).collect();
        rows::stays_in(tenant, &stages, &split.rows)
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
        rows::lower_median_stays(tenant, "stage_changes", &stages, filter, values)
            .await?
            .into_iter()
            .map(|(stage, median)| (stage_of(stage), median))
            .collect(),
    )
}

/// The leads in `stage` at `as_of`: how many, their median time in it, how many exceed the
/// stage's median stay.
async fn occupancy_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stage: Stage,
    median: Option<Duration>,
    as_of: DateTime<Utc>,
) -> AppResult<Occupancy> {
    // How many, and how many entered before the median stay's length ago, in one pass.
    let cut = as_of - median.unwrap_or_else(Duration::zero);
    let counts = rows::stage_counts(tenant, lead_stage_of(stage), as_of, cut).await?;
    let current = u64::try_from(counts.current).unwrap_or(0);
    if current == 0 {
        return Ok(Occupancy {
            over_median: median.map(|_| 0),
            ..Occupancy::default()
        });
    }
    // The lower median of the ages is the entry time at that rank from the most recent.
    let median_entry =
        rows::median_stage_entry(tenant, lead_stage_of(stage), as_of, (current - 1) / 2).await?;
    let over_median = median.map(|_| u64::try_from(counts.over.unwrap_or(0)).unwrap_or(0));
    Ok(Occupancy {
        current,
        median_age: median_entry.map(|entered| as_of - entered),
        over_median,
    })
}
