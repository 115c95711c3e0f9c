//! What sales did with MQLs, as the metrics count it: SLA clocks due in the spans not counted
//! by the rollups, first touches (percentiles need every one), rejections, and spend.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::sla_clock;
use sea_orm::ConnectionTrait;

use crate::{
    domain::metrics::{month_start, Attribution, FirstTouch, Range, Rejection, SlaClock, Spend},
    error::AppResult,
    store::{metrics as rows, Tenant},
};

fn clock_credit(clock: &sla_clock::Model) -> Attribution {
    Attribution {
        source_id: clock.source_id,
        segment: clock.segment.clone(),
        owner_id: Some(clock.assignee_id),
        campaign_id: None,
        play_id: None,
    }
}

/// The SLA clocks due in `spans`.
pub(super) async fn due_clocks<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    spans: &[Range],
) -> AppResult<Vec<SlaClock>> {
    let rows = rows::clocks_due(tenant, spans).await?;
    Ok(rows
        .iter()
        .map(|clock| SlaClock {
            lead_id: clock.contact_id,
            due_at: clock.due_at,
            met_at: clock.met_at,
            breached_at: clock.breached_at,
            attribution: clock_credit(clock),
        })
        .collect())
}

/// The MQLs assigned in `range` and the first touch after each assignment, as its clock keeps
/// it.
pub(super) async fn first_touches<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<FirstTouch>> {
    let rows = rows::first_touch_assignments(tenant, range).await?;
    Ok(rows
        .into_iter()
        .map(
            |(lead_id, assigned_at, first_touch_at, owner, source_id, segment)| FirstTouch {
                lead_id,
                assigned_at,
                first_touch_at,
                attribution: Attribution {
                    source_id,
                    segment,
                    owner_id: Some(owner),
                    campaign_id: None,
                    play_id: None,
                },
            },
        )
        .collect())
}

/// The rejections made in `spans`, and with `open_disputes` those disputed and not resolved
/// whenever they were made; the second list never repeats the first.
pub(super) async fn rejections<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    spans: &[Range],
    open_disputes: bool,
    as_of: DateTime<Utc>,
) -> AppResult<(Vec<Rejection>, Vec<Rejection>)> {
    let rows = rows::rejections_in(tenant, spans, open_disputes).await?;
    if rows.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let until = spans.iter().map(|s| s.to).max().unwrap_or(as_of).max(as_of);
    let leads: Vec<_> = rows.iter().map(|r| r.contact_id).collect();
    let handed_over = rows::mql_entries(tenant, &leads, until).await?;
    let (mut counted, mut disputes) = (Vec::new(), Vec::new());
    for row in rows {
        let handed_over_at = handed_over
            .get(&row.contact_id)
            .and_then(|entries| entries.iter().rev().find(|at| **at <= row.rejected_at))
            .copied()
            .unwrap_or(row.rejected_at);
        let in_spans = spans.iter().any(|s| s.contains(row.rejected_at));
        let rejection = Rejection {
            lead_id: row.contact_id,
            reason: Some(row.reason.as_str().to_owned()),
            at: row.rejected_at,
            handed_over_at,
            disputed_at: row.disputed_at,
            resolved_at: row.resolved_at,
            attribution: Attribution {
                source_id: row.source_id,
                segment: row.segment,
                owner_id: Some(row.rejected_by),
                campaign_id: None,
                play_id: None,
            },
        };
        if in_spans {
            counted.push(rejection);
        } else {
            disputes.push(rejection);
        }
    }
    Ok((counted, disputes))
}

/// The spend of the months `range` reads (from its history's start).
pub(super) async fn spend_rows<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<Spend>> {
    let month = |day: NaiveDate| format!("{:04}-{:02}", day.year(), day.month());
    let first = month(range.history_from().date_naive());
    let last = month(range.to.date_naive());
    let rows = rows::spend_between(tenant, first, last).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let day = NaiveDate::parse_from_str(&format!("{}-01", row.month), "%Y-%m-%d").ok()?;
            Some(Spend {
                amount: row.amount,
                month: month_start(day),
                source_id: row.source_id,
                campaign_id: row.campaign_id,
            })
        })
        .collect())
}
