//! Rejections of one workspace (sales refusing an MQL, marketing's disputes), and the pause the
//! source rule puts on a source whose leads sales keeps rejecting.

use chrono::{DateTime, Utc};
use entity::{rejection, source, RejectionReason};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, Select,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// The resolution of a dispute that overturned its rejection.
pub const UPHELD: &str = "UPHELD";
/// The resolution of a dispute that let its rejection stand.
pub const DENIED: &str = "DENIED";

/// The rejections that count (rejection rates, the source rule, alignment health, the
/// rollups): all but those whose dispute was upheld.
pub fn counted() -> Condition {
    use rejection::Column as R;
    Condition::any()
        .add(R::Resolution.is_null())
        .add(R::Resolution.ne(UPHELD))
}

/// Which rejections a list shows.
#[derive(Default)]
pub struct RejectionFilter {
    pub reasons: Option<Vec<RejectionReason>>,
    pub source_id: Option<Uuid>,
    pub disputed: Option<bool>,
    pub rejected_after: Option<DateTime<Utc>>,
    pub rejected_before: Option<DateTime<Utc>>,
}

/// The rejections matching `filter`, ready for pagination.
pub fn matching<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: RejectionFilter,
) -> Select<rejection::Entity> {
    use rejection::Column as R;
    let mut query = tenant.select::<rejection::Entity>();
    if let Some(reasons) = filter.reasons {
        query = query.filter(R::Reason.is_in(reasons));
    }
    if let Some(id) = filter.source_id {
        query = query.filter(R::SourceId.eq(id));
    }
    match filter.disputed {
        Some(true) => query = query.filter(R::DisputedAt.is_not_null()),
        Some(false) => query = query.filter(R::DisputedAt.is_null()),
        None => {}
    }
    if let Some(after) = filter.rejected_after {
        query = query.filter(R::RejectedAt.gte(after));
    }
    if let Some(before) = filter.rejected_before {
        query = query.filter(R::RejectedAt.lt(before));
    }
    query
}

/// What a new rejection records.
pub struct NewRejection {
    pub lead_id: Uuid,
    pub rejected_by: Uuid,
    pub source_id: Option<Uuid>,
    pub reason: RejectionReason,
    pub note: Option<String>,
    pub segment: Option<String>,
    pub at: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    new: NewRejection,
) -> AppResult<rejection::Model> {
    Ok(rejection::Entity::insert(rejection::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(tenant.workspace_id()),
        contact_id: Set(new.lead_id),
        rejected_by: Set(new.rejected_by),
        source_id: Set(new.source_id),
        reason: Set(new.reason),
        note: Set(new.note),
        rejected_at: Set(new.at),
        disputed_by: Set(None),
        disputed_at: Set(None),
        dispute_note: Set(None),
        resolution: Set(None),
        resolved_by: Set(None),
        resolved_at: Set(None),
        segment: Set(new.segment),
    })
    .exec_with_returning(tenant.conn())
    .await?)
}

/// Records marketing's dispute of `row`.
pub async fn mark_disputed<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: rejection::Model,
    by: Uuid,
    note: String,
    at: DateTime<Utc>,
) -> AppResult<rejection::Model> {
    let mut active = row.into_active_model();
    active.disputed_by = Set(Some(by));
    active.disputed_at = Set(Some(at));
    active.dispute_note = Set(Some(note));
    Ok(active.update(tenant.conn()).await?)
}

/// Records how the dispute of `row` was settled (`UPHELD` or `DENIED`).
pub async fn mark_resolved<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: rejection::Model,
    resolution: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> AppResult<rejection::Model> {
    let mut active = row.into_active_model();
    active.resolution = Set(Some(resolution.to_owned()));
    active.resolved_by = Set(Some(by));
    active.resolved_at = Set(Some(at));
    Ok(active.update(tenant.conn()).await?)
}

/// Lifts the source rule's pause from `row`; the rule judges it from `at` on.
pub async fn resume_source<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: source::Model,
    at: DateTime<Utc>,
) -> AppResult<source::Model> {
    let was_paused = row.paused;
    let mut active = row.into_active_model();
    active.paused = Set(false);
    active.paused_at = Set(None);
    if was_paused {
        active.rule_window_from = Set(Some(at));
    }
    Ok(active.update(tenant.conn()).await?)
}

/// The rejections matching `filter`, newest first, a page at a time.
pub async fn page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: RejectionFilter,
    args: super::keyset::PageArgs,
    max_page_size: usize,
) -> AppResult<super::keyset::RowPage<rejection::Model>> {
    use super::keyset::{self, time_key, Ordering, SortKind};
    use rejection::Column as R;
    keyset::page(
        tenant.conn(),
        matching(tenant, filter),
        R::Id,
        Ordering {
            column: R::RejectedAt,
            kind: SortKind::Time,
            descending: true,
        },
        |row: &rejection::Model| (time_key(row.rejected_at), row.id),
        args,
        max_page_size,
    )
    .await
}
