//! What sales did with MQLs and what marketing spent, as rows: SLA clocks, first-touch
//! assignments, rejections, MQL entries, spend, and the deals closed since a day.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{opportunity, rejection, sla_clock, spend, stage_change, LeadStage, SlaKind};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    domain::metrics::Range,
    error::AppResult,
    store::{sql::CHUNK, Tenant},
};

/// `column` falls in one of `spans`.
pub fn within<C: ColumnTrait>(column: C, spans: &[Range]) -> Condition {
    spans.iter().fold(Condition::any(), |any, span| {
        any.add(
            Condition::all()
                .add(column.gte(span.from))
                .add(column.lt(span.to)),
        )
    })
}

/// The SLA clocks due in `spans`.
pub async fn clocks_due<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    spans: &[Range],
) -> AppResult<Vec<sla_clock::Model>> {
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<sla_clock::Entity>()
        .filter(within(sla_clock::Column::DueAt, spans))
        .all(tenant.conn())
        .await?)
}

/// A first-touch clock started in a range: the lead, when it was assigned, its first touch,
/// the assignee, the source and the segment.
pub type Assignment = (
    Uuid,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Uuid,
    Option<Uuid>,
    Option<String>,
);

/// The MQLs assigned in `range` and the first touch after each assignment, as its clock keeps
/// it.
pub async fn first_touch_assignments<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<Assignment>> {
    use sla_clock::Column as K;
    Ok(tenant
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
        .await?)
}

/// The rejections made in `spans`, and with `open_disputes` those disputed and not resolved
/// whenever they were made; an upheld dispute's rejection does not count.
pub async fn rejections_in<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    spans: &[Range],
    open_disputes: bool,
) -> AppResult<Vec<rejection::Model>> {
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
        return Ok(Vec::new());
    }
    Ok(tenant
        .select::<rejection::Entity>()
        .filter(condition)
        .filter(crate::store::rejections::counted())
        .all(tenant.conn())
        .await?)
}

/// When each of `leads` became an MQL (all its entries up to `until`, oldest first).
pub async fn mql_entries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    leads: &[Uuid],
    until: DateTime<Utc>,
) -> AppResult<HashMap<Uuid, Vec<DateTime<Utc>>>> {
    use stage_change::Column as S;
    let mut entries: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for chunk in leads.chunks(CHUNK) {
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

/// The spend of the months `first` to `last` (`YYYY-MM`, both included).
pub async fn spend_between<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    first: String,
    last: String,
) -> AppResult<Vec<spend::Model>> {
    Ok(tenant
        .select::<spend::Entity>()
        .filter(spend::Column::Month.gte(first))
        .filter(spend::Column::Month.lte(last))
        .all(tenant.conn())
        .await?)
}

/// The deals won or lost since `since`.
pub async fn closed_deals_since<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    since: DateTime<Utc>,
) -> AppResult<Vec<opportunity::Model>> {
    use entity::OpportunityStage;
    Ok(tenant
        .select::<opportunity::Entity>()
        .filter(
            opportunity::Column::Stage
                .is_in([OpportunityStage::ClosedWon, OpportunityStage::ClosedLost]),
        )
        .filter(opportunity::Column::ClosedAt.gte(since))
        .all(tenant.conn())
        .await?)
}
