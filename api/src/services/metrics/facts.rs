//! Loads what the metrics read for one span of time. Stage changes, rejections and SLA clocks
//! of whole days come from the daily rollups, already counted (a month is a few thousand rows
//! whatever the workspace's size); only the days a report's edges cut, the days not over yet
//! and the facts that need rows (first touches for percentiles, deals, stays for aging) are
//! read row by row, each through an index.

use chrono::{DateTime, Duration, Utc};
use entity::LeadStage;
use sea_orm::ConnectionTrait;

use super::{
    lead_stage_of,
    rollups::{self, Dimension, Family},
    sales::{due_clocks, first_touches, rejections, spend_rows},
    stage_of,
};
use crate::{
    domain::metrics::{Attribution, DaySplit, Facts, GroupBy, Range, StageChange, StageStay},
    domain::review::{MID_FUNNEL, WIN_RATE_WINDOW_DAYS},
    error::AppResult,
    store::{
        metrics::{open_pipeline, opportunities, DealNeeds, StageRow},
        Tenant,
    },
};

/// The report the facts are for: each reads only what it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// The shared metrics: everything in the range.
    Shared,
    /// The weekly review: the shared metrics, with every rejection as a row (the checklist
    /// times each one) and the segment of the deals created in the range.
    Review,
    /// Alignment health: stage entries, rejections, SLA clocks, the deals closed in the range
    /// and the win-rate window before it with their segments, the mid-funnel stays overlapping
    /// the range and the open disputes. No first touches, spend or open pipeline.
    Health,
    /// Conversion rates and deal size: stage entries and the deals closed in the range.
    Rates,
}

/// A stage change as the metrics count it.
fn change_of(row: &StageRow) -> StageChange {
    StageChange {
        lead_id: row.contact_id,
        from: row.from_stage.map(stage_of),
        to: stage_of(row.to_stage),
        at: row.changed_at,
        attribution: Attribution {
            source_id: row.source_id,
            segment: row.segment.clone(),
            owner_id: row.owner_id,
            campaign_id: row.campaign_id,
            play_id: row.play_id,
        },
    }
}

/// Everything the shared metrics of `range` read (stage changes back to the month before it,
/// for the lead velocity rate), as known at `as_of`, counted under the dimension `group_by`
/// reports by.
pub async fn load_facts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    as_of: DateTime<Utc>,
    group_by: Option<GroupBy>,
    report: Report,
) -> AppResult<Facts> {
    let dimension = Dimension::of(group_by);
    let history = Range {
        from: range.history_from(),
        to: range.to,
    };
    // The day holding the range's start is read as rows: it is partly in the velocity's
    // months and partly in the range.
    let stages = DaySplit::of(history, range.to, &[range.from]);
    let deals = DealNeeds {
        closed_before: match report {
            Report::Health => Duration::days(WIN_RATE_WINDOW_DAYS),
            _ => Duration::zero(),
        },
        group_by,
        segments: matches!(report, Report::Review | Report::Health),
        closed_only: matches!(report, Report::Health | Report::Rates),
    };
    // A clock due on a day not over at `as_of` may still be running: such days are rows.
    let clocks = DaySplit::of(*range, as_of, &[]);
    let rejected = if report == Report::Review {
        DaySplit {
            days: Vec::new(),
            rows: vec![*range],
        }
    } else {
        DaySplit::of(*range, range.to, &[])
    };
    let sales = report != Report::Rates;
    let shared = matches!(report, Report::Shared | Report::Review);
    // The reads are independent: they run at once, each on its own pooled connection.
    let (stage_changes, stage_days, opportunities, stays, first_touches, spend, open_pipeline) = tokio::try_join!(
        stage_rows(tenant, &stages.rows),
        rollups::daily(tenant, Family::Stages, dimension, &stages.days),
        opportunities(tenant, range, deals),
        when(report == Report::Health, mid_funnel_stays(tenant, range)),
        when(shared, first_touches(tenant, range)),
        when(shared, spend_rows(tenant, range)),
        when(
            report == Report::Shared,
            open_pipeline(tenant, range, group_by)
        ),
    )?;
    let (sla_clocks, clock_days, (rejections, disputes), rejection_days) = tokio::try_join!(
        when(sales, due_clocks(tenant, &clocks.rows)),
        when(
            sales,
            rollups::daily(tenant, Family::Clocks, dimension, &clocks.days)
        ),
        when(
            sales,
            rejections(tenant, &rejected.rows, report == Report::Health, as_of)
        ),
        when(
            sales,
            rollups::daily(tenant, Family::Rejections, dimension, &rejected.days)
        ),
    )?;
    let mut daily = stage_days;
    daily.extend(clock_days);
    daily.extend(rejection_days);
    Ok(Facts {
        stage_changes,
        opportunities,
        first_touches,
        sla_clocks,
        rejections,
        spend,
        daily,
        stays,
        disputes,
        open_pipeline,
    })
}

/// `read` when the report needs it, nothing otherwise.
async fn when<T: Default>(
    needed: bool,
    read: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<T> {
    if needed {
        read.await
    } else {
        Ok(T::default())
    }
}

/// The changes into MQL, SAL and SQL in `spans`.
async fn stage_rows<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    spans: &[Range],
) -> AppResult<Vec<StageChange>> {
    let stages = [LeadStage::Mql, LeadStage::Sal, LeadStage::Sql];
    let rows = crate::store::metrics::stage_entries(tenant, &stages, spans).await?;
    Ok(rows.iter().map(change_of).collect())
}

/// The SAL and SQL stays that may be running at a week's end in `range`: entry and end only.
async fn mid_funnel_stays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<StageStay>> {
    let stages: Vec<LeadStage> = MID_FUNNEL.iter().map(|s| lead_stage_of(*s)).collect();
    let rows = crate::store::metrics::mid_funnel_stays(tenant, &stages, range).await?;
    Ok(rows
        .into_iter()
        .map(|(entered_at, left_at)| StageStay {
            entered_at,
            left_at,
        })
        .collect())
}
