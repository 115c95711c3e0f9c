//! What sales did with MQLs, as rows: SLA clocks due in the spans not counted by the rollups,
//! first touches (percentiles need every one), rejections, and spend.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::{rejection, sla_clock, spend, stage_change, LeadStage, SlaKind};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::CHUNK;
use crate::{
    domain::metrics::{month_start, Attribution, FirstTouch, Range, Rejection, SlaClock, Spend},
    error::AppResult,
    store::Tenant,
};

/// `column` falls in one of `spans`.
pub(super) fn within<C: ColumnTrait>(column: C, spans: &[Range]) -> Condition {
    spans.iter().fold(Condition::any(), |any, span| {
        any.add(
            Condition::all()
                .add(column.gte(span.from))
                .add(column.lt(span.to)),
        )
    })
}

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
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let rows = tenant
        .select::<sla_clock::Entity>()
        .filter(within(sla_clock::Column::DueAt, spans))
        .all(tenant.conn())
        .await?;
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
    use sla_clock::Column as K;
    let rows: Vec<Assignment> = tenant
        .select::<sla_clock::Entity>()
        .filter(K::Kind.eq(SlaKind::FirstTouch))
        .filter(K::StartedAt.gte(range.from))
        .filter(K::StartedAt.lt(range.to))
        .select_only()
        .columns([
            K::ContactId,
            K::StartedAt,
            K::FirstTouchAt,
            K::AssigneeId,
            K::SourceId,
            K::Segment,
        ])
        .into_tuple()
        .all(tenant.conn())
        .await?;
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

type Assignment = (
    Uuid,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Uuid,
    Option<Uuid>,
    Option<String>,
);

/// The rejections made in `spans`, and with `open_disputes` those disputed and not resolved
/// whenever they were made; the second list never repeats the first.
pub(super) async fn rejections<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    spans: &[Range],
    open_disputes: bool,
    as_of: DateTime<Utc>,
) -> AppResult<(Vec<Rejection>, Vec<Rejection>)> {
    use rejection::Column as R;
    let mut condition = within(R::RejectedAt, spans);
    if open_disputes {
        condition = condition.add(
            Condition::all()
                .add(R::ResolvedAt.is_null())
                .add(R::DisputedAt.is_not_null()),
        );
    }
    if condition.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let rows = tenant
        .select::<rejection::Entity>()
        .filter(condition)
        .all(tenant.conn())
        .await?;
    let until = spans.iter().map(|s| s.to).max().unwrap_or(as_of).max(as_of);
    let handed_over = mql_entries(tenant, &rows, until).await?;
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

/// When each rejected lead became an MQL (all its entries up to `until`, oldest first).
async fn mql_entries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rejections: &[rejection::Model],
    until: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<DateTime<Utc>>>> {
    use stage_change::Column as S;
    let ids: Vec<Uuid> = rejections.iter().map(|r| r.contact_id).collect();
    let mut entries: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Uuid, DateTime<Utc>)> = tenant
            .select::<stage_change::Entity>()
            .filter(S::ContactId.is_in(chunk.iter().copied()))
            .filter(S::ToStage.eq(LeadStage::Mql))
            .filter(S::ChangedAt.lte(until))
            .select_only()
            .columns([S::ContactId, S::ChangedAt])
            .into_tuple()
            .all(tenant.conn())
            .await?;
        for (lead, at) in rows {
            entries.entry(lead).or_default().push(at);
        }
    }
    for list in entries.values_mut() {
        list.sort_unstable();
    }
    Ok(entries)
}

pub(super) async fn spend_rows<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<Spend>> {
    let month = |day: NaiveDate| format!("{:04}-{:02}", day.year(), day.month());
    let first = month(range.history_from().date_naive());
    let last = month(range.to.date_naive());
    let rows = tenant
        .select::<spend::Entity>()
        .filter(spend::Column::Month.gte(first))
        .filter(spend::Column::Month.lte(last))
        .all(tenant.conn())
        .await?;
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
