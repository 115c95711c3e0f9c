//! The history a back-test replays: the range's events in keyset pages, the leads' fits, and
//! what actually happened to them (MQL entries, won deals, rejections).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{contact, event, opportunity, rejection, stage_change, LeadStage, OpportunityStage};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Tenant;
use crate::{domain::metrics::Range, error::AppResult};

/// Where the next page of events starts.
pub enum EventCursor {
    Start,
    /// After this event of this lead.
    After(Uuid, DateTime<Utc>, Uuid),
    /// After every event of this lead (already judged).
    PastLead(Uuid),
}

/// The next page of the range's events: (id, lead, type, time), by lead, then time, then id.
pub async fn events_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    cursor: &EventCursor,
    page_size: u64,
) -> AppResult<Vec<(Uuid, Uuid, String, DateTime<Utc>)>> {
    use event::Column as E;
    let mut query = tenant
        .select::<event::Entity>()
        .filter(E::OccurredAt.gte(range.from))
        .filter(E::OccurredAt.lt(range.to));
    query = match *cursor {
        EventCursor::Start => query,
        EventCursor::PastLead(contact_id) => query.filter(E::ContactId.gt(contact_id)),
        EventCursor::After(contact_id, at, id) => query.filter(
            Condition::any().add(E::ContactId.gt(contact_id)).add(
                Condition::all().add(E::ContactId.eq(contact_id)).add(
                    Condition::any()
                        .add(E::OccurredAt.gt(at))
                        .add(Condition::all().add(E::OccurredAt.eq(at)).add(E::Id.gt(id))),
                ),
            ),
        ),
    };
    Ok(query
        .order_by_asc(E::ContactId)
        .order_by_asc(E::OccurredAt)
        .order_by_asc(E::Id)
        .select_only()
        .columns([E::Id, E::ContactId, E::EventType, E::OccurredAt])
        .limit(page_size)
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// The fit score of each of `ids` whose fit is at least `min_fit`.
pub async fn fits_at_least<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: HashSet<Uuid>,
    min_fit: i32,
) -> AppResult<HashMap<Uuid, i32>> {
    let rows: Vec<(Uuid, i32)> = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::Id.is_in(ids))
        .filter(contact::Column::FitScore.gte(min_fit))
        .select_only()
        .columns([contact::Column::Id, contact::Column::FitScore])
        .into_tuple()
        .all(tenant.conn())
        .await?;
    Ok(rows.into_iter().collect())
}

/// How many leads became MQLs in the range.
pub async fn mql_leads<C: ConnectionTrait>(tenant: &Tenant<'_, C>, range: Range) -> AppResult<u64> {
    Ok(tenant
        .select::<stage_change::Entity>()
        .filter(mql_entries_in(range))
        .select_only()
        .column(stage_change::Column::ContactId)
        .distinct()
        .count(tenant.conn())
        .await?)
}

/// Which of `leads` became MQLs in the range.
pub async fn mql_leads_among<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    leads: &[Uuid],
) -> AppResult<Vec<Uuid>> {
    Ok(tenant
        .select::<stage_change::Entity>()
        .filter(mql_entries_in(range))
        .filter(stage_change::Column::ContactId.is_in(leads.iter().copied()))
        .select_only()
        .column(stage_change::Column::ContactId)
        .distinct()
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// How many deals were won in the range (only those of `leads`, when given).
pub async fn won_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    leads: Option<&[Uuid]>,
) -> AppResult<u64> {
    let mut query = tenant.select::<opportunity::Entity>().filter(won_in(range));
    if let Some(leads) = leads {
        query = query.filter(opportunity::Column::LeadId.is_in(leads.iter().copied()));
    }
    Ok(query.count(tenant.conn()).await?)
}

/// How many of `leads` sales rejected in the range.
pub async fn rejected_among<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    leads: &[Uuid],
) -> AppResult<u64> {
    Ok(tenant
        .select::<rejection::Entity>()
        .filter(rejection::Column::RejectedAt.gte(range.from))
        .filter(rejection::Column::RejectedAt.lt(range.to))
        .filter(rejection::Column::ContactId.is_in(leads.iter().copied()))
        .select_only()
        .column(rejection::Column::ContactId)
        .distinct()
        .count(tenant.conn())
        .await?)
}

fn mql_entries_in(range: Range) -> Condition {
    Condition::all()
        .add(stage_change::Column::ToStage.eq(LeadStage::Mql))
        .add(stage_change::Column::ChangedAt.gte(range.from))
        .add(stage_change::Column::ChangedAt.lt(range.to))
}

fn won_in(range: Range) -> Condition {
    Condition::all()
        .add(opportunity::Column::Stage.eq(OpportunityStage::ClosedWon))
        .add(opportunity::Column::ClosedAt.gte(range.from))
        .add(opportunity::Column::ClosedAt.lt(range.to))
}
