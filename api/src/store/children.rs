//! Child lists (an account's contacts, a lead's touches, ...) read a page at a time for a whole
//! page of parents at once: one query numbers each parent's children (`ROW_NUMBER() OVER
//! (PARTITION BY parent ...)`, on SQLite and Postgres alike) and keeps the first `first + 1` of
//! each, so neither the rows read nor the queries made grow with how many children a parent
//! has.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, WindowStatement},
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::{
    keyset::{
        beyond, decode_cursor, encode_cursor, page_size, RowPage, SortKind, DEFAULT_PAGE_SIZE,
    },
    Store, TenantEntity,
};
use crate::error::{AppError, AppResult};

/// A tenant table whose rows a request loads in batches: its rows and columns cross the
/// loaders' tasks.
pub trait Batched:
    TenantEntity
    + EntityTrait<Model: Clone + Send + Sync + 'static, Column: Send + Sync>
    + Send
    + Sync
    + 'static
{
}

impl<E> Batched for E
where
    E: TenantEntity + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
}

/// How one child list is keyed and sorted (ascending, ties on the time-ordered id).
pub struct ChildList<E: EntityTrait> {
    pub parent: E::Column,
    pub parent_of: fn(&E::Model) -> Uuid,
    pub order: E::Column,
    pub kind: SortKind,
    pub sort_value: fn(&E::Model) -> Json,
    pub id: E::Column,
    pub id_of: fn(&E::Model) -> Uuid,
}

/// One parent's page: where it starts and how many rows it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChildPageKey {
    pub parent: Uuid,
    pub after: Option<String>,
    pub limit: usize,
}

/// Loads pages of children: the first `limit + 1` rows of each parent after the cursor.
pub struct ChildPages<E: EntityTrait> {
    store: Store,
    workspace_id: Option<Uuid>,
    list: ChildList<E>,
}

/// Counts the children of each parent (`totalCount`, only when asked for).
pub struct ChildCounts<E: EntityTrait> {
    store: Store,
    workspace_id: Option<Uuid>,
    parent: E::Column,
}

/// The two loaders of one child list.
pub struct Children<E: Batched> {
    pub pages: DataLoader<ChildPages<E>>,
    pub counts: DataLoader<ChildCounts<E>>,
}

impl<E: Batched> Children<E> {
    pub fn new(store: &Store, workspace_id: Option<Uuid>, list: ChildList<E>) -> Self {
        let parent = list.parent;
        Self {
            pages: DataLoader::new(
                ChildPages {
                    store: store.clone(),
                    workspace_id,
                    list,
                },
                tokio::spawn,
            ),
            counts: DataLoader::new(
                ChildCounts {
                    store: store.clone(),
                    workspace_id,
                    parent,
                },
                tokio::spawn,
            ),
        }
    }

    /// The page of `parent`'s children that `first`/`after` ask for, with the count when
    /// `count_total`.
    pub async fn load_page(
        &self,
        parent: Uuid,
        first: Option<i32>,
        after: Option<String>,
        count_total: bool,
        max_page_size: usize,
    ) -> Result<RowPage<E::Model>, Arc<AppError>> {
        let list = &self.pages.loader().list;
        let limit = page_size(first, "first", max_page_size)?.unwrap_or(DEFAULT_PAGE_SIZE);
        if let Some(raw) = &after {
            decode_cursor(raw, list.kind, "after")?;
        }
        let total_count = if count_total {
            self.counts.load_one(parent).await?.unwrap_or(0)
        } else {
            0
        };
        let has_previous = after.is_some();
        let key = ChildPageKey {
            parent,
            after,
            limit,
        };
        let mut rows = self.pages.load_one(key).await?.unwrap_or_default();
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        Ok(RowPage {
            rows: rows
                .into_iter()
                .map(|row| {
                    let cursor = encode_cursor(&(list.sort_value)(&row), (list.id_of)(&row));
                    (cursor, row)
                })
                .collect(),
            has_previous,
            has_next,
            total_count,
        })
    }
}

impl<E: Batched> Loader<ChildPageKey> for ChildPages<E> {
    type Value = Vec<E::Model>;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[ChildPageKey],
    ) -> Result<HashMap<ChildPageKey, Vec<E::Model>>, Arc<AppError>> {
        let Some(workspace_id) = self.workspace_id else {
            return Ok(HashMap::new());
        };
        // The parents of one list field share their `first` and usually their `after`: one
        // query per distinct pair.
        let mut groups: HashMap<(Option<&str>, usize), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.after.as_deref(), key.limit))
                .or_default()
                .push(key.parent);
        }
        let mut found = HashMap::new();
        for ((after, limit), parents) in groups {
            let rows = self
                .first_rows(workspace_id, &parents, after, limit + 1)
                .await?;
            let mut by_parent: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
            for row in rows {
                by_parent
                    .entry((self.list.parent_of)(&row))
                    .or_default()
                    .push(row);
            }
            for parent in parents {
                let key = ChildPageKey {
                    parent,
                    after: after.map(str::to_owned),
                    limit,
                };
                found.insert(key, by_parent.remove(&parent).unwrap_or_default());
            }
        }
        Ok(found)
    }
}

impl<E: Batched> ChildPages<E> {
    /// The first `take` children of each parent after `after`, each parent's in order.
    async fn first_rows(
        &self,
        workspace_id: Uuid,
        parents: &[Uuid],
        after: Option<&str>,
        take: usize,
    ) -> AppResult<Vec<E::Model>> {
        let list = &self.list;
        let tenant = self.store.tenant(workspace_id);
        let mut select = tenant
            .select::<E>()
            .filter(list.parent.is_in(parents.iter().copied()));
        if let Some(raw) = after {
            let (value, id) = decode_cursor(raw, list.kind, "after")?;
            select = select.filter(beyond(list.order, list.id, value, id, true));
        }
        let row_number = Alias::new("child_row");
        let mut numbered = select.into_query();
        numbered.expr_window_as(
            Expr::cust("ROW_NUMBER()"),
            WindowStatement::partition_by(list.parent)
                .order_by(list.order, Order::Asc)
                .order_by(list.id, Order::Asc)
                .to_owned(),
            row_number.clone(),
        );
        let firsts = Query::select()
            .column(Asterisk)
            .from_subquery(numbered, Alias::new("numbered"))
            .and_where(Expr::col(row_number.clone()).lte(take as i64))
            .order_by(row_number, Order::Asc)
            .to_owned();
        let statement = tenant.conn().get_database_backend().build(&firsts);
        // In row-number order, so each parent's rows arrive in its list's order.
        Ok(E::find().from_raw_sql(statement).all(tenant.conn()).await?)
    }
}

impl<E: Batched> Loader<Uuid> for ChildCounts<E> {
    type Value = u64;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, u64>, Arc<AppError>> {
        let Some(workspace_id) = self.workspace_id else {
            return Ok(HashMap::new());
        };
        let tenant = self.store.tenant(workspace_id);
        let counts: Vec<(Uuid, i64)> = tenant
            .select::<E>()
            .filter(self.parent.is_in(keys.iter().copied()))
            .select_only()
            .column(self.parent)
            .column_as(Expr::cust("COUNT(*)"), "child_count")
            .group_by(self.parent)
            .into_tuple()
            .all(tenant.conn())
            .await
            .map_err(AppError::from)?;
        Ok(counts
            .into_iter()
            .map(|(parent, n)| (parent, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}
