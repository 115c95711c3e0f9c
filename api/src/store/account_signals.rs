//! Account signals: the account score and committee state ingestion keeps per account
//! (`account_signals`), the contacts a committee or a score is computed from, and the
//! `accountsInMarket` list. Every read and write here is one statement for a whole batch of
//! accounts (split only past the bound-value limit).

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use entity::{account, account_signal, contact, icp};
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

use super::{
    keyset::{self, time_key, Ordering, PageArgs, RowPage, SortKind},
    sql::{rows_per_statement, CHUNK},
    Store, Tenant,
};
use crate::error::{AppError, AppResult};

/// A contact as a committee and an account score read it.
#[derive(Debug, Clone, PartialEq)]
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

type MemberTuple = (
    Uuid,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Uuid>,
    i32,
    Option<DateTime<Utc>>,
);

impl From<MemberTuple> for MemberRow {
    fn from(row: MemberTuple) -> Self {
        let (id, account_id, name, title, persona, owner_id, engagement_score, last_engaged_at) =
            row;
        MemberRow {
            id,
            account_id,
            name,
            title,
            persona,
            owner_id,
            engagement_score,
            last_engaged_at,
        }
    }
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
                // Read by position (see `store::positional`): thousands of rows per batch.
                .into_tuple::<MemberTuple>()
                .all(tenant.conn())
                .await?
                .into_iter()
                .map(MemberRow::from),
        );
    }
    Ok(rows)
}

/// A stored signal as scoring reads it: all but the reason, which is written with a crossing
/// and never read back by scoring (decoding every account's reason on every batch cost more
/// than scoring the accounts).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSignal {
    pub id: Uuid,
    pub account_id: Uuid,
    pub score: i32,
    pub in_market_since: Option<DateTime<Utc>>,
    pub committee_covered_at: Option<DateTime<Utc>>,
    pub scored_at: DateTime<Utc>,
}

type StoredTuple = (
    Uuid,
    Uuid,
    i32,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

impl StoredSignal {
    /// The stored row, its reason left out.
    fn without_reason(&self, workspace_id: Uuid) -> account_signal::Model {
        account_signal::Model {
            id: self.id,
            workspace_id,
            account_id: self.account_id,
            score: self.score,
            in_market_since: self.in_market_since,
            reason: None,
            committee_covered_at: self.committee_covered_at,
            scored_at: self.scored_at,
        }
    }
}

/// The stored signals of `accounts`, without their reasons.
pub async fn of_accounts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    accounts: &[Uuid],
) -> AppResult<Vec<StoredSignal>> {
    use account_signal::Column as S;
    let mut rows = Vec::new();
    for chunk in accounts.chunks(CHUNK) {
        let found: Vec<StoredTuple> = tenant
            .select::<account_signal::Entity>()
            .select_only()
            .columns([
                S::Id,
                S::AccountId,
                S::Score,
                S::InMarketSince,
                S::CommitteeCoveredAt,
                S::ScoredAt,
            ])
            .filter(S::AccountId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(tenant.conn())
            .await?;
        rows.extend(found.into_iter().map(
            |(id, account_id, score, in_market_since, committee_covered_at, scored_at)| {
                StoredSignal {
                    id,
                    account_id,
                    score,
                    in_market_since,
                    committee_covered_at,
                    scored_at,
                }
            },
        ));
    }
    Ok(rows)
}

/// Writes the signals of a batch's accounts: those `stored` before are updated in the columns
/// that changed, the reason only where the account entered or left the market (an account
/// staying in market keeps the reason it crossed with); new ones with one multi-row upsert
/// keyed by account (a row another batch created meanwhile is updated, not duplicated).
pub async fn write<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stored: &HashMap<Uuid, StoredSignal>,
    rows: Vec<account_signal::Model>,
) -> AppResult<()> {
    use account_signal::Column as S;
    let (known, rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|row| stored.contains_key(&row.account_id));
    let crossed: Vec<&account_signal::Model> = known
        .iter()
        .filter(|row| row.in_market_since != stored[&row.account_id].in_market_since)
        .collect();
    super::updates::write_columns::<account_signal::Entity, _>(tenant, &crossed, &[S::Reason])
        .await?;
    let before: Vec<account_signal::Model> = known
        .iter()
        .map(|row| stored[&row.account_id].without_reason(tenant.workspace_id()))
        .collect();
    let after: Vec<account_signal::Model> = known
        .into_iter()
        .map(|row| account_signal::Model {
            reason: None,
            ..row
        })
        .collect();
    let pairs: Vec<(&account_signal::Model, &account_signal::Model)> =
        before.iter().zip(&after).collect();
    super::updates::write_changed::<account_signal::Entity, _>(tenant, &pairs).await?;
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
