//! The history a back-test replays: the range's events in keyset pages, the leads' fits, and
//! what actually happened to them (MQL entries, won deals, rejections).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{
    account, contact, event, opportunity, rejection, stage_change, LeadStage, OpportunityStage,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
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

/// The leads `ids`, with their accounts' rows.
pub async fn leads_with_accounts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    ids: HashSet<Uuid>,
) -> AppResult<(Vec<contact::Model>, Vec<account::Model>)> {
    let leads = tenant
        .select::<contact::Entity>()
        .filter(contact::Column::Id.is_in(ids))
        .all(tenant.conn())
        .await?;
    let accounts: HashSet<Uuid> = leads.iter().filter_map(|l| l.account_id).collect();
    let accounts = match accounts.is_empty() {
        true => Vec::new(),
        false => {
            tenant
                .select::<account::Entity>()
                .filter(account::Column::Id.is_in(accounts))
                .all(tenant.conn())
                .await?
        }
    };
    Ok((leads, accounts))
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

/// How many deals were won in the range: those with a lead and those without.
pub async fn won_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
) -> AppResult<(u64, u64)> {
    let with_lead = tenant
        .select::<opportunity::Entity>()
        .filter(won_in(range))
        .filter(opportunity::Column::LeadId.is_not_null())
        .count(tenant.conn())
        .await?;
    let without_lead = tenant
        .select::<opportunity::Entity>()
        .filter(won_in(range))
        .filter(opportunity::Column::LeadId.is_null())
        .count(tenant.conn())
        .await?;
    Ok((with_lead, without_lead))
}

/// How many deals each of `leads` won in the range (leads without a won deal left out).
pub async fn won_deals_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    leads: &[Uuid],
) -> AppResult<Vec<(Uuid, i64)>> {
    use opportunity::Column as O;
    Ok(tenant
        .select::<opportunity::Entity>()
        .filter(won_in(range))
        .filter(O::LeadId.is_in(leads.iter().copied()))
        .select_only()
        .column(O::LeadId)
        .column_as(O::Id.count(), "won")
        .group_by(O::LeadId)
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// How many deals with a lead were won in the range, by the source of their lead.
pub async fn won_deals_by_lead_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
) -> AppResult<Vec<(Option<Uuid>, i64)>> {
    use opportunity::Column as O;
    let lead = opportunity::Entity::belongs_to(contact::Entity)
        .from(O::LeadId)
        .to(contact::Column::Id)
        .into();
    Ok(tenant
        .select::<opportunity::Entity>()
        .filter(won_in(range))
        .join(JoinType::InnerJoin, lead)
        .filter(contact::Column::WorkspaceId.eq(tenant.workspace_id()))
        .select_only()
        .column(contact::Column::SourceId)
        .column_as(O::Id.count(), "won")
        .group_by(contact::Column::SourceId)
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// How many of `leads` sales rejected in the range (a rejection a dispute overturned aside).
pub async fn rejected_among<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    leads: &[Uuid],
) -> AppResult<u64> {
    Ok(tenant
        .select::<rejection::Entity>()
        .filter(super::rejections::counted())
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
