//! The workspace's top-level lists, each a filtered select in a client-chosen order, read a
//! page at a time through [`super::keyset`].

use chrono::{DateTime, Utc};
use entity::contact;
use sea_orm::{Condition, ConnectionTrait, EntityTrait, QueryFilter, Select};

use super::{
    id_column,
    keyset::{self, by_created, time_key, Ordering, PageArgs, RowPage},
    narrow::Narrow,
    sorts::ListSort,
    Identified, Tenant, TenantEntity,
};
use crate::error::AppResult;

/// `select` (workspace-scoped, filtered) in the order `sort` names (descending when asked),
/// ties broken on the id, a page at a time.
pub async fn sorted<E, C>(
    tenant: &Tenant<'_, C>,
    select: Select<E>,
    sort: impl ListSort<E>,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>>
where
    E: TenantEntity<Model: Identified + Sync>,
    C: ConnectionTrait,
{
    sorted_of(tenant, select, None, sort, descending, args, max_page_size).await
}

/// [`sorted`], reading only `narrow`'s columns when given (with the id and the sort's column,
/// which the cursors need).
pub async fn sorted_of<E, C>(
    tenant: &Tenant<'_, C>,
    select: Select<E>,
    narrow: Option<Narrow<E>>,
    sort: impl ListSort<E>,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>>
where
    E: TenantEntity<Model: Identified + Sync>,
    C: ConnectionTrait,
{
    let spec = sort.spec();
    let key = spec.key;
    let narrow = narrow.map(|n| n.including(id_column::<E>()).including(spec.column));
    keyset::page_of(
        tenant.conn(),
        select,
        narrow.as_ref(),
        id_column::<E>(),
        Ordering {
            column: spec.column,
            kind: spec.kind,
            descending,
        },
        move |row: &E::Model| (key(row), row.id()),
        args,
        max_page_size,
    )
    .await
}

/// Rows of `E` in the workspace matching `filter`, in the order `sort` names (descending when
/// asked), a page at a time.
pub async fn filtered<E, C>(
    tenant: &Tenant<'_, C>,
    filter: &impl ListFilter<E>,
    sort: impl ListSort<E>,
    descending: bool,
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>>
where
    E: TenantEntity<Model: Identified + Sync>,
    C: ConnectionTrait,
{
    let select = tenant.select::<E>().filter(filter.condition());
    sorted(tenant, select, sort, descending, args, max_page_size).await
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
