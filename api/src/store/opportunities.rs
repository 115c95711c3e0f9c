//! Opportunities of one workspace.

use chrono::{DateTime, Utc};
use entity::{account, opportunity, opportunity_stage_change, Lifecycle, OpportunityStage};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Select,
};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

impl<C: ConnectionTrait> Tenant<'_, C> {
    /// The deals with these partner ids.
    pub async fn opportunities_by_external_ids(
        &self,
        ids: &[String],
    ) -> AppResult<Vec<opportunity::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .select::<opportunity::Entity>()
            .filter(opportunity::Column::ExternalId.is_in(ids.iter().cloned()))
            .all(self.conn())
            .await?)
    }

    /// Inserts new deals in one statement.
    pub async fn insert_opportunities(
        &self,
        deals: Vec<opportunity::ActiveModel>,
    ) -> AppResult<()> {
        if !deals.is_empty() {
            opportunity::Entity::insert_many(deals)
                .exec_without_returning(self.conn())
                .await?;
        }
        Ok(())
    }
}

/// Which of these accounts have an open deal (one neither won nor lost).
pub async fn accounts_with_open_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    accounts: &[Uuid],
) -> AppResult<std::collections::HashSet<Uuid>> {
    if accounts.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<Uuid> = tenant
        .select::<opportunity::Entity>()
        .select_only()
        .column(opportunity::Column::AccountId)
        .filter(opportunity::Column::AccountId.is_in(accounts.iter().copied()))
        .filter(
            opportunity::Column::Stage
                .is_not_in([OpportunityStage::ClosedWon, OpportunityStage::ClosedLost]),
        )
        .into_tuple()
        .all(tenant.conn())
        .await?;
    Ok(rows.into_iter().collect())
}

/// Inserts a new deal.
pub async fn insert<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: opportunity::Model,
) -> AppResult<opportunity::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    Ok(opportunity::Entity::insert(row.into_active_model())
        .exec_with_returning(tenant.conn())
        .await?)
}

/// Writes a changed deal back (every column); its attribution credit is due again (its
/// amount, win or lead may have changed).
pub async fn save<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: opportunity::Model,
) -> AppResult<opportunity::Model> {
    debug_assert_eq!(row.workspace_id, tenant.workspace_id());
    let saved = row
        .into_active_model()
        .reset_all()
        .update(tenant.conn())
        .await?;
    super::deal_credits::invalidate(tenant, &[saved.id]).await?;
    Ok(saved)
}

/// Deletes a deal and its stage history (the history first: it references the deal).
pub async fn delete_with_history<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    id: Uuid,
) -> AppResult<()> {
    opportunity_stage_change::Entity::delete_many()
        .filter(opportunity_stage_change::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(opportunity_stage_change::Column::OpportunityId.eq(id))
        .exec(tenant.conn())
        .await?;
    opportunity::Entity::delete_many()
        .filter(opportunity::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(opportunity::Column::Id.eq(id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Appends one move to the deal stage history.
pub async fn append_stage_change<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    row: opportunity_stage_change::ActiveModel,
) -> AppResult<()> {
    opportunity_stage_change::Entity::insert(row)
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Appends many moves to the deal stage history in one statement.
pub async fn append_stage_changes<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<opportunity_stage_change::ActiveModel>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    opportunity_stage_change::Entity::insert_many(rows)
        .exec_without_returning(tenant.conn())
        .await?;
    Ok(())
}

/// Sets when each move of `deals` ended (its deal's next move), after moves were recorded: the
/// migration's `DEAL_STAY_ENDS` statement, restricted to these deals.
pub async fn end_stays<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
) -> AppResult<()> {
    for chunk in deals.chunks(crate::services::metrics::CHUNK) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
        let deals = format!(
            "workspace_id = $1 AND opportunity_id IN ({})",
            placeholders.join(", ")
        );
        let mut values: Vec<sea_orm::Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| (*id).into()));
        let sql = migration::DEAL_STAY_ENDS.replace("{deals}", &deals);
        tenant
            .conn()
            .execute_raw(crate::services::metrics::statement(tenant, &sql, values))
            .await?;
    }
    Ok(())
}

/// Makes an account a CUSTOMER (a deal on it was won).
pub async fn mark_account_customer<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    account_id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    account::Entity::update_many()
        .col_expr(
            account::Column::Lifecycle,
            Lifecycle::Customer.as_str().into(),
        )
        .col_expr(account::Column::UpdatedAt, at.into())
        .filter(account::Column::WorkspaceId.eq(tenant.workspace_id()))
        .filter(account::Column::Id.eq(account_id))
        .exec(tenant.conn())
        .await?;
    Ok(())
}

/// Whether a deal is still open, won or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealStatus {
    Open,
    Won,
    Lost,
}

/// The filter of the `opportunities` list.
#[derive(Debug, Default, Clone)]
pub struct DealFilter {
    pub status: Option<DealStatus>,
    pub stages: Option<Vec<OpportunityStage>>,
    pub account_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub source_id: Option<Uuid>,
    pub closed_after: Option<DateTime<Utc>>,
    pub closed_before: Option<DateTime<Utc>>,
}

/// The sort columns of the `opportunities` list (ties break on the id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealOrder {
    CreatedAt,
    Amount,
}

impl DealOrder {
    pub fn column(self) -> opportunity::Column {
        match self {
            DealOrder::CreatedAt => opportunity::Column::CreatedAt,
            DealOrder::Amount => opportunity::Column::Amount,
        }
    }
}

/// The workspace's deals matching `filter`, ready to be ordered and paged.
pub fn matching<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &DealFilter,
) -> Select<opportunity::Entity> {
    use opportunity::Column as O;
    let mut query = tenant.select::<opportunity::Entity>();
    match filter.status {
        Some(DealStatus::Open) => {
            query = query.filter(
                O::Stage.is_not_in([OpportunityStage::ClosedWon, OpportunityStage::ClosedLost]),
            )
        }
        Some(DealStatus::Won) => query = query.filter(O::Stage.eq(OpportunityStage::ClosedWon)),
        Some(DealStatus::Lost) => query = query.filter(O::Stage.eq(OpportunityStage::ClosedLost)),
        None => {}
    }
    if let Some(stages) = &filter.stages {
        query = query.filter(O::Stage.is_in(stages.iter().copied()));
    }
    if let Some(id) = filter.account_id {
        query = query.filter(O::AccountId.eq(id));
    }
    if let Some(id) = filter.owner_id {
        query = query.filter(O::OwnerId.eq(id));
    }
    if let Some(id) = filter.source_id {
        query = query.filter(O::SourceId.eq(id));
    }
    if let Some(after) = filter.closed_after {
        query = query.filter(O::ClosedAt.gte(after));
    }
    if let Some(before) = filter.closed_before {
        query = query.filter(O::ClosedAt.lt(before));
    }
    query
}

/// The deals matching `filter`, sorted by `order` (descending when asked), a page at a time.
pub async fn page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &DealFilter,
    order: DealOrder,
    descending: bool,
    args: super::keyset::PageArgs,
    max_page_size: usize,
) -> AppResult<super::keyset::RowPage<opportunity::Model>> {
    use super::keyset::{self, sort_value, time_key, Ordering, SortKind};
    let kind = match order {
        DealOrder::CreatedAt => SortKind::Time,
        DealOrder::Amount => SortKind::Float,
    };
    keyset::page(
        tenant.conn(),
        matching(tenant, filter),
        opportunity::Column::Id,
        Ordering {
            column: order.column(),
            kind,
            descending,
        },
        move |row: &opportunity::Model| {
            let value = match order {
                DealOrder::CreatedAt => time_key(row.created_at),
                DealOrder::Amount => sort_value(row.amount),
            };
            (value, row.id)
        },
        args,
        max_page_size,
    )
    .await
}
