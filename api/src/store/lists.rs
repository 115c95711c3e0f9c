//! The workspace's top-level lists, each a filtered select in a client-chosen order, read a
//! page at a time through [`super::keyset`].

use chrono::{DateTime, Utc};
use entity::{account, contact, routing_rule};
use sea_orm::{Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    filters::{
        AccountFilter, AccountSort, LeadFilter, LeadSort, NamedSort, RoutingRuleFilter,
        RoutingRuleSort,
    },
    id_column,
    keyset::{self, by_created, sort_value, time_key, Ordering, PageArgs, RowPage, SortKind},
    Identified, Tenant, TenantEntity,
};
use crate::error::AppResult;

/// Accounts matching `filter`, sorted by `sort` (descending when asked), a page at a time.
pub async fn accounts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &AccountFilter,
    sort: AccountSort,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<account::Model>> {
    use account::Column as A;
    let (column, kind) = match sort {
        AccountSort::CreatedAt => (A::CreatedAt, SortKind::Time),
        AccountSort::UpdatedAt => (A::UpdatedAt, SortKind::Time),
        AccountSort::Name => (A::Name, SortKind::Text),
        AccountSort::Domain => (A::Domain, SortKind::Text),
        AccountSort::FitScore => (A::FitScore, SortKind::Int),
    };
    let key_of = move |row: &account::Model| {
        let value = match sort {
            AccountSort::CreatedAt => time_key(row.created_at),
            AccountSort::UpdatedAt => time_key(row.updated_at),
            AccountSort::Name => sort_value(row.name.clone()),
            AccountSort::Domain => sort_value(row.domain.clone()),
            AccountSort::FitScore => sort_value(row.fit_score),
        };
        (value, row.id)
    };
    let ordering = Ordering {
        column,
        kind,
        descending,
    };
    let select = tenant.accounts_matching(filter);
    keyset::page(
        tenant.conn(),
        select,
        A::Id,
        ordering,
        key_of,
        args,
        max_page_size,
    )
    .await
}

/// Leads matching `filter`, sorted by `sort` (descending when asked), a page at a time.
pub async fn leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &LeadFilter,
    sort: LeadSort,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<contact::Model>> {
    use contact::Column as L;
    let (column, kind) = match sort {
        LeadSort::CreatedAt => (L::CreatedAt, SortKind::Time),
        LeadSort::UpdatedAt => (L::UpdatedAt, SortKind::Time),
        LeadSort::FitScore => (L::FitScore, SortKind::Int),
        LeadSort::EngagementScore => (L::EngagementScore, SortKind::Int),
    };
    let key_of = move |row: &contact::Model| {
        let value = match sort {
            LeadSort::CreatedAt => time_key(row.created_at),
            LeadSort::UpdatedAt => time_key(row.updated_at),
            LeadSort::FitScore => sort_value(row.fit_score),
            LeadSort::EngagementScore => sort_value(row.engagement_score),
        };
        (value, row.id)
    };
    let ordering = Ordering {
        column,
        kind,
        descending,
    };
    let select = tenant.leads_matching(filter);
    keyset::page(
        tenant.conn(),
        select,
        L::Id,
        ordering,
        key_of,
        args,
        max_page_size,
    )
    .await
}

/// The unassigned queue (MQLs no rep could take), longest waiting first, a page at a time.
pub async fn unassigned_leads<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<contact::Model>> {
    use contact::Column as L;
    keyset::page(
        tenant.conn(),
        super::assignment::waiting_select(tenant),
        L::Id,
        by_created(L::WaitingSince),
        |row: &contact::Model| {
            (
                time_key(row.waiting_since.unwrap_or(row.created_at)),
                row.id,
            )
        },
        args,
        max_page_size,
    )
    .await
}

/// A tenant table listed oldest first by its creation time.
pub trait CreatedInOrder: TenantEntity<Model: Identified + Sync> {
    fn created_column() -> Self::Column;
    fn created_at(row: &Self::Model) -> DateTime<Utc>;
}

macro_rules! created_in_order {
    ($($module:ident),+ $(,)?) => {
        $(
            impl CreatedInOrder for entity::$module::Entity {
                fn created_column() -> Self::Column {
                    entity::$module::Column::CreatedAt
                }
                fn created_at(row: &Self::Model) -> DateTime<Utc> {
                    row.created_at
                }
            }
        )+
    };
}

created_in_order!(
    source,
    campaign,
    asset,
    cadence,
    icp,
    action_item,
    webhook,
    membership,
    invitation,
);

/// Every row of `E` in the workspace, oldest first, a page at a time.
pub async fn oldest_first<E: CreatedInOrder, C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>> {
    keyset::page(
        tenant.conn(),
        tenant.select::<E>(),
        id_column::<E>(),
        by_created(E::created_column()),
        |row: &E::Model| (time_key(E::created_at(row)), row.id()),
        args,
        max_page_size,
    )
    .await
}

/// A tenant table whose rows carry a name, listable by creation time or by name.
pub trait Named: CreatedInOrder {
    fn name_column() -> Self::Column;
    fn name(row: &Self::Model) -> &str;
}

macro_rules! named {
    ($($module:ident),+ $(,)?) => {
        $(
            impl Named for entity::$module::Entity {
                fn name_column() -> Self::Column {
                    entity::$module::Column::Name
                }
                fn name(row: &Self::Model) -> &str {
                    &row.name
                }
            }
        )+
    };
}

named!(source, campaign, asset, cadence, icp);

impl Named for entity::webhook::Entity {
    fn name_column() -> Self::Column {
        entity::webhook::Column::Url
    }
    fn name(row: &Self::Model) -> &str {
        &row.url
    }
}

impl Named for entity::action_item::Entity {
    fn name_column() -> Self::Column {
        entity::action_item::Column::Title
    }
    fn name(row: &Self::Model) -> &str {
        &row.title
    }
}

/// A list's filter, as a condition on the rows of `E`.
pub trait ListFilter<E: EntityTrait> {
    fn condition(&self) -> Condition;
}

/// Rows of `E` in the workspace matching `filter`, by creation time or by name (descending
/// when asked), ties broken on the id, a page at a time.
pub async fn named_list<E: Named, C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &impl ListFilter<E>,
    sort: NamedSort,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>> {
    let (column, kind) = match sort {
        NamedSort::CreatedAt => (E::created_column(), SortKind::Time),
        NamedSort::Name => (E::name_column(), SortKind::Text),
    };
    let key_of = move |row: &E::Model| {
        let value = match sort {
            NamedSort::CreatedAt => time_key(E::created_at(row)),
            NamedSort::Name => sort_value(E::name(row)),
        };
        (value, row.id())
    };
    let ordering = Ordering {
        column,
        kind,
        descending,
    };
    keyset::page(
        tenant.conn(),
        tenant.select::<E>().filter(filter.condition()),
        id_column::<E>(),
        ordering,
        key_of,
        args,
        max_page_size,
    )
    .await
}

/// Routing rule versions matching `filter`, in the order routing tries them (by position), by
/// name or by creation time (descending when asked), a page at a time.
pub async fn routing_rules<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    filter: &RoutingRuleFilter,
    sort: RoutingRuleSort,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<routing_rule::Model>> {
    use routing_rule::Column as R;
    let (column, kind) = match sort {
        RoutingRuleSort::Position => (R::Position, SortKind::Int),
        RoutingRuleSort::Name => (R::Name, SortKind::Text),
        RoutingRuleSort::CreatedAt => (R::CreatedAt, SortKind::Time),
    };
    let key_of = move |row: &routing_rule::Model| {
        let value = match sort {
            RoutingRuleSort::Position => sort_value(row.position),
            RoutingRuleSort::Name => sort_value(row.name.clone()),
            RoutingRuleSort::CreatedAt => time_key(row.created_at),
        };
        (value, row.id)
    };
    let ordering = Ordering {
        column,
        kind,
        descending,
    };
    keyset::page(
        tenant.conn(),
        tenant
            .select::<routing_rule::Entity>()
            .filter(ListFilter::<routing_rule::Entity>::condition(filter)),
        R::Id,
        ordering,
        key_of,
        args,
        max_page_size,
    )
    .await
}
