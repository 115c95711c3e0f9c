//! Account signals: the account score and committee state ingestion keeps per account
//! (`account_signals`), the contacts a committee or a score is computed from, and the
//! `accountsInMarket` list. Every read and write here is one statement for a whole batch of
//! accounts (split only past the bound-value limit).

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use entity::{account, account_signal, contact, icp};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

use super::{
    keyset::{self, time_key, Ordering, PageArgs, RowPage, SortKind},
    sql::{rows_per_statement, CHUNK},
    Store, Tenant,
};
use crate::error::{AppError, AppResult};

/// A contact as a committee and an account score read it.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct MemberRow {
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub persona: Option<String>,
    pub owner_id: Option<Uuid>,
    pub engagement_score: i32,
    pub last_engaged_at: Option<DateTime<Utc>>,
}

/// The contacts of `accounts` (the columns a committee and a score need), oldest first: one
/// statement per 5,000 accounts.
pub async fn members_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    accounts: &[Uuid],
) -> AppResult<Vec<MemberRow>> {
    use contact::Column as L;
    let mut rows = Vec::new();
    for chunk in accounts.chunks(CHUNK) {
        rows.extend(
            tenant
                .select::<contact::Entity>()
                .select_only()
                .columns([
                    L::Id,
                    L::AccountId,
                    L::Name,
                    L::Title,
                    L::Persona,
                    L::OwnerId,
                    L::EngagementScore,
                    L::LastEngagedAt,
                ])
                .filter(L::AccountId.is_in(chunk.iter().copied()))
                .order_by_asc(L::Id)
                .into_model::<MemberRow>()
                .all(tenant.conn())
                .await?,
        );
    }
    Ok(rows)
}

/// The stored signals of `accounts`.
pub async fn of_accounts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    accounts: &[Uuid],
) -> AppResult<Vec<account_signal::Model>> {
    let mut rows = Vec::new();
    for chunk in accounts.chunks(CHUNK) {
        rows.extend(
            tenant
                .select::<account_signal::Entity>()
                .filter(account_signal::Column::AccountId.is_in(chunk.iter().copied()))
                .all(tenant.conn())
                .await?,
        );
    }
    Ok(rows)
}

/// Writes the signals of a batch's accounts with one multi-row upsert keyed by account (a row
/// another batch created meanwhile is updated, not duplicated).
pub async fn write<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<account_signal::Model>,
) -> AppResult<()> {
    use account_signal::Column as S;
    for chunk in rows.chunks(rows_per_statement(8)) {
        account_signal::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .on_conflict(
            OnConflict::columns([S::WorkspaceId, S::AccountId])
                .update_columns([
                    S::Score,
                    S::InMarketSince,
                    S::Reason,
                    S::CommitteeCoveredAt,
                    S::ScoredAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(tenant.conn())
        .await?;
    }
    Ok(())
}

/// What `accountsInMarket` is narrowed by.
#[derive(Debug, Default, Clone)]
pub struct InMarketFilter {
    /// Accounts this member owns.
    pub owner_id: Option<Uuid>,
    /// In market since this moment or later.
    pub since: Option<DateTime<Utc>>,
}

fn in_market<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &InMarketFilter,
) -> Select<account_signal::Entity> {
    use account_signal::Column as S;
    let mut select = tenant
        .select::<account_signal::Entity>()
        .filter(S::InMarketSince.is_not_null());
    if let Some(since) = filter.since {
        select = select.filter(S::InMarketSince.gte(since));
    }
    if let Some(owner) = filter.owner_id {
        let owned = tenant
            .select::<account::Entity>()
            .select_only()
            .column(account::Column::Id)
            .filter(account::Column::OwnerId.eq(owner))
            .into_query();
        select = select.filter(S::AccountId.in_subquery(owned));
    }
    select
}

/// The accounts in market, newest crossing first, a page at a time.
pub async fn in_market_page<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &InMarketFilter,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<account_signal::Model>> {
    use account_signal::Column as S;
    keyset::page(
        tenant.conn(),
        in_market(tenant, filter),
        S::Id,
        Ordering {
            column: S::InMarketSince,
            kind: SortKind::Time,
            descending: true,
        },
        |row: &account_signal::Model| {
            (
                time_key(row.in_market_since.unwrap_or(row.scored_at)),
                row.id,
            )
        },
        args,
        max_page_size,
    )
    .await
}

/// What a buying committee is computed from: the workspace's active ICPs and the account's
/// contacts.
#[derive(Clone)]
pub struct CommitteeFacts {
    pub icps: Arc<Vec<icp::Model>>,
    pub members: Vec<MemberRow>,
}

/// The committee facts of accounts by id: for any number of accounts, two statements (the active
/// ICPs, the contacts).
pub struct CommitteeLoader {
    store: Store,
    workspace_id: Option<Uuid>,
}

impl Loader<Uuid> for CommitteeLoader {
    type Value = CommitteeFacts;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, CommitteeFacts>, Arc<AppError>> {
        let Some(workspace_id) = self.workspace_id else {
            return Ok(HashMap::new());
        };
        let tenant = self.store.tenant(workspace_id);
        let icps = Arc::new(super::fit::active_icps(&tenant).await?);
        let mut by_account: HashMap<Uuid, CommitteeFacts> = keys
            .iter()
            .map(|k| {
                let facts = CommitteeFacts {
                    icps: Arc::clone(&icps),
                    members: Vec::new(),
                };
                (*k, facts)
            })
            .collect();
        for row in members_of(&tenant, keys).await? {
            if let Some(facts) = row.account_id.and_then(|a| by_account.get_mut(&a)) {
                facts.members.push(row);
            }
        }
        Ok(by_account)
    }
}

/// The committee loader of a request.
pub fn committees(store: &Store, workspace_id: Option<Uuid>) -> DataLoader<CommitteeLoader> {
    DataLoader::new(
        CommitteeLoader {
            store: store.clone(),
            workspace_id,
        },
        tokio::spawn,
    )
}
