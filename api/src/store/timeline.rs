//! `Lead.timeline`'s reads: for each kind a lead's rows newest first, strictly after the page's
//! cursor ([`Bound`]), at most a page and one: one bounded, index-ordered statement per kind
//! and page (events, touches and score entries by `(workspace, contact, occurred_at)`, stage
//! changes by `(workspace, contact, changed_at)`, triggers by `(workspace, lead, created_at)`).

use entity::{event, score_entry, stage_change, touch, trigger};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

use super::{keyset::time_key, Tenant, TenantEntity};
use crate::{
    domain::intel::timeline::{Bound, TimelineKey, TimelineKind},
    error::{AppError, AppResult},
};

fn bounded<E: EntityTrait>(
    query: Select<E>,
    time: E::Column,
    id: E::Column,
    bound: Bound,
    limit: u64,
) -> Select<E> {
    let query = match bound {
        Bound::All => query,
        Bound::Before(at) => query.filter(time.lt(at)),
        Bound::AtOrBefore(at) => query.filter(time.lte(at)),
        Bound::BeforeId(at, before) => query.filter(
            Condition::any()
                .add(time.lt(at))
                .add(Condition::all().add(time.eq(at)).add(id.lt(before))),
        ),
    };
    query.order_by_desc(time).order_by_desc(id).limit(limit)
}

async fn read<E, C>(
    tenant: &Tenant<'_, C>,
    owner: E::Column,
    lead: Uuid,
    time: E::Column,
    id: E::Column,
    bound: Bound,
    limit: u64,
) -> AppResult<Vec<E::Model>>
where
    E: TenantEntity,
    C: ConnectionTrait,
{
    let query = tenant.select::<E>().filter(owner.eq(lead));
    Ok(bounded(query, time, id, bound, limit)
        .all(tenant.conn())
        .await?)
}

pub async fn events<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    bound: Bound,
    limit: u64,
) -> AppResult<Vec<event::Model>> {
    use event::Column as E;
    read::<event::Entity, _>(
        tenant,
        E::ContactId,
        lead,
        E::OccurredAt,
        E::Id,
        bound,
        limit,
    )
    .await
}

pub async fn score_entries<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    bound: Bound,
    limit: u64,
) -> AppResult<Vec<score_entry::Model>> {
    use score_entry::Column as S;
    read::<score_entry::Entity, _>(
        tenant,
        S::ContactId,
        lead,
        S::OccurredAt,
        S::Id,
        bound,
        limit,
    )
    .await
}

pub async fn stage_changes<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    bound: Bound,
    limit: u64,
) -> AppResult<Vec<stage_change::Model>> {
    use stage_change::Column as S;
    read::<stage_change::Entity, _>(
        tenant,
        S::ContactId,
        lead,
        S::ChangedAt,
        S::Id,
        bound,
        limit,
    )
    .await
}

pub async fn triggers<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    bound: Bound,
    limit: u64,
) -> AppResult<Vec<trigger::Model>> {
    use trigger::Column as T;
    read::<trigger::Entity, _>(tenant, T::LeadId, lead, T::CreatedAt, T::Id, bound, limit).await
}

pub async fn touches<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    lead: Uuid,
    bound: Bound,
    limit: u64,
) -> AppResult<Vec<touch::Model>> {
    use touch::Column as T;
    read::<touch::Entity, _>(
        tenant,
        T::ContactId,
        lead,
        T::OccurredAt,
        T::Id,
        bound,
        limit,
    )
    .await
}

fn kind_name(kind: TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Event => "EVENT",
        TimelineKind::ScoreEntry => "SCORE_ENTRY",
        TimelineKind::StageChange => "STAGE_CHANGE",
        TimelineKind::Trigger => "TRIGGER",
        TimelineKind::Touch => "TOUCH",
    }
}

/// An item's cursor: its time (every digit the row holds), kind and id, hex-encoded JSON like
/// the lists' cursors.
pub fn encode_cursor(key: &TimelineKey) -> String {
    let value = (time_key(key.at), kind_name(key.kind), key.id);
    hex::encode(serde_json::to_vec(&value).unwrap_or_default())
}

/// The key of a cursor from [`encode_cursor`]; BAD_USER_INPUT at `field` otherwise.
pub fn decode_cursor(raw: &str, field: &str) -> AppResult<TimelineKey> {
    let bad = || AppError::bad_input(field, "is not a cursor from this list");
    let bytes = hex::decode(raw).map_err(|_| bad())?;
    let (at, kind, id): (String, String, Uuid) =
        serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let at = chrono::DateTime::parse_from_rfc3339(&at)
        .map_err(|_| bad())?
        .with_timezone(&chrono::Utc);
    let kind = TimelineKind::ALL
        .into_iter()
        .find(|k| kind_name(*k) == kind)
        .ok_or_else(bad)?;
    Ok(TimelineKey { at, kind, id })
}
