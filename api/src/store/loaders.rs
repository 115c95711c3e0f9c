//! DataLoaders, created per request and scoped to the caller's workspace, so a list of N rows
//! costs one query per relation, not N: rows by id, rows grouped by a parent, and the child
//! lists of `store::children`, each named for the relation it loads.

use std::{collections::HashMap, marker::PhantomData, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    contact, enrollment, opportunity, play, score_entry, spend, stage_change, touch, user,
    webhook_attempt,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    children::{Batched, ChildList, Children},
    keyset::{time_key, SortKind},
    memo::Memo,
    people, Identified, Store, TenantEntity,
};
use crate::error::AppError;

type LoadResult<V> = Result<HashMap<Uuid, V>, Arc<AppError>>;

/// People by id (they belong to no workspace), each once per request.
pub type UserLoader = Memo<UsersById>;

/// Rows of one tenant table by id, each once per request.
pub type ById<E> = Memo<RowsById<E>>;

/// People by id (they belong to no workspace).
pub struct UsersById {
    store: Store,
}

impl Loader<Uuid> for UsersById {
    type Value = user::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<user::Model> {
        let users = people::users_by_ids(&self.store.global(), keys).await?;
        Ok(users.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Rows of one tenant table by id.
pub struct RowsById<E> {
    store: Store,
    workspace_id: Option<Uuid>,
    entity: PhantomData<fn() -> E>,
}

impl<E> Loader<Uuid> for RowsById<E>
where
    E: TenantEntity + Send + Sync + 'static,
    E::Model: Identified + Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<E::Model> {
        let Some(workspace_id) = self.workspace_id else {
            return Ok(HashMap::new());
        };
        let rows = self.store.tenant(workspace_id).get_many::<E>(keys).await?;
        Ok(rows.into_iter().map(|row| (row.id(), row)).collect())
    }
}

/// Rows of one tenant table grouped by a foreign key (an account's contacts, say).
pub struct ByParent<E: EntityTrait> {
    store: Store,
    workspace_id: Option<Uuid>,
    parent: E::Column,
    parent_of: fn(&E::Model) -> Option<Uuid>,
    order: E::Column,
}

impl<E: Batched> Loader<Uuid> for ByParent<E> {
    type Value = Vec<E::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<Vec<E::Model>> {
        let Some(workspace_id) = self.workspace_id else {
            return Ok(HashMap::new());
        };
        let tenant = self.store.tenant(workspace_id);
        let select = tenant
            .select::<E>()
            .filter(self.parent.is_in(keys.iter().copied()))
            .order_by_asc(self.order);
        let rows = super::positional::all(select, tenant.conn())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
        for row in rows {
            if let Some(parent) = (self.parent_of)(&row) {
                grouped.entry(parent).or_default().push(row);
            }
        }
        Ok(grouped)
    }
}

/// People by id.
pub fn users(store: &Store) -> DataLoader<UserLoader> {
    DataLoader::new(
        Memo::new(UsersById {
            store: store.clone(),
        }),
        tokio::spawn,
    )
}

/// Rows of `E` by id, in the caller's workspace (none without one).
pub fn by_id<E>(store: &Store, workspace_id: Option<Uuid>) -> DataLoader<ById<E>>
where
    E: TenantEntity + Send + Sync + 'static,
    E::Model: Identified + Clone + Send + Sync + 'static,
{
    DataLoader::new(
        Memo::new(RowsById {
            store: store.clone(),
            workspace_id,
            entity: PhantomData,
        }),
        tokio::spawn,
    )
}

fn by_parent<E: Batched>(
    store: &Store,
    workspace_id: Option<Uuid>,
    parent: E::Column,
    parent_of: fn(&E::Model) -> Option<Uuid>,
    order: E::Column,
) -> DataLoader<ByParent<E>> {
    DataLoader::new(
        ByParent {
            store: store.clone(),
            workspace_id,
            parent,
            parent_of,
            order,
        },
        tokio::spawn,
    )
}

/// A source's spend, by month.
pub fn spend_by_source(store: &Store, ws: Option<Uuid>) -> DataLoader<ByParent<spend::Entity>> {
    use spend::Column as S;
    by_parent(
        store,
        ws,
        S::SourceId,
        |s: &spend::Model| s.source_id,
        S::Month,
    )
}

/// A campaign's spend, by month.
pub fn spend_by_campaign(store: &Store, ws: Option<Uuid>) -> DataLoader<ByParent<spend::Entity>> {
    use spend::Column as S;
    by_parent(
        store,
        ws,
        S::CampaignId,
        |s: &spend::Model| s.campaign_id,
        S::Month,
    )
}

/// A lead's score ledger, oldest first.
pub fn ledger_by_contact(
    store: &Store,
    ws: Option<Uuid>,
) -> DataLoader<ByParent<score_entry::Entity>> {
    use score_entry::Column as E;
    by_parent(
        store,
        ws,
        E::ContactId,
        |e: &score_entry::Model| Some(e.contact_id),
        E::OccurredAt,
    )
}

/// A campaign's plays, oldest first.
pub fn plays_by_campaign(store: &Store, ws: Option<Uuid>) -> DataLoader<ByParent<play::Entity>> {
    use play::Column as P;
    by_parent(
        store,
        ws,
        P::CampaignId,
        |p: &play::Model| p.campaign_id,
        P::CreatedAt,
    )
}

/// A webhook delivery's attempts, oldest first.
pub fn attempts_by_delivery(
    store: &Store,
    ws: Option<Uuid>,
) -> DataLoader<ByParent<webhook_attempt::Entity>> {
    use webhook_attempt::Column as A;
    by_parent(
        store,
        ws,
        A::DeliveryId,
        |a: &webhook_attempt::Model| Some(a.delivery_id),
        A::AttemptedAt,
    )
}

/// An account's contacts, oldest first, a page at a time.
pub fn contacts_by_account(store: &Store, ws: Option<Uuid>) -> Children<contact::Entity> {
    Children::new(
        store,
        ws,
        ChildList {
            parent: contact::Column::AccountId,
            parent_of: |c: &contact::Model| c.account_id.unwrap_or_default(),
            order: contact::Column::CreatedAt,
            kind: SortKind::Time,
            sort_value: |c: &contact::Model| time_key(c.created_at),
            id: contact::Column::Id,
            id_of: |c: &contact::Model| c.id,
        },
    )
}

/// An account's deals, oldest first, a page at a time.
pub fn opportunities_by_account(store: &Store, ws: Option<Uuid>) -> Children<opportunity::Entity> {
    Children::new(
        store,
        ws,
        ChildList {
            parent: opportunity::Column::AccountId,
            parent_of: |o: &opportunity::Model| o.account_id,
            order: opportunity::Column::CreatedAt,
            kind: SortKind::Time,
            sort_value: |o: &opportunity::Model| time_key(o.created_at),
            id: opportunity::Column::Id,
            id_of: |o: &opportunity::Model| o.id,
        },
    )
}

/// A lead's stage history, oldest first, a page at a time.
pub fn stages_by_contact(store: &Store, ws: Option<Uuid>) -> Children<stage_change::Entity> {
    Children::new(
        store,
        ws,
        ChildList {
            parent: stage_change::Column::ContactId,
            parent_of: |c: &stage_change::Model| c.contact_id,
            order: stage_change::Column::ChangedAt,
            kind: SortKind::Time,
            sort_value: |c: &stage_change::Model| time_key(c.changed_at),
            id: stage_change::Column::Id,
            id_of: |c: &stage_change::Model| c.id,
        },
    )
}

/// A lead's play enrolments, oldest first, a page at a time.
pub fn enrollments_by_contact(store: &Store, ws: Option<Uuid>) -> Children<enrollment::Entity> {
    Children::new(
        store,
        ws,
        ChildList {
            parent: enrollment::Column::ContactId,
            parent_of: |e: &enrollment::Model| e.contact_id,
            order: enrollment::Column::EnrolledAt,
            kind: SortKind::Time,
            sort_value: |e: &enrollment::Model| time_key(e.enrolled_at),
            id: enrollment::Column::Id,
            id_of: |e: &enrollment::Model| e.id,
        },
    )
}

/// A lead's touches, oldest first, a page at a time.
pub fn touches_by_contact(store: &Store, ws: Option<Uuid>) -> Children<touch::Entity> {
    Children::new(
        store,
        ws,
        ChildList {
            parent: touch::Column::ContactId,
            parent_of: |t: &touch::Model| t.contact_id,
            order: touch::Column::OccurredAt,
            kind: SortKind::Time,
            sort_value: |t: &touch::Model| time_key(t.occurred_at),
            id: touch::Column::Id,
            id_of: |t: &touch::Model| t.id,
        },
    )
}
