//! DataLoaders, created per request and scoped to the caller's workspace, so a list of N rows
//! costs one query per relation, not N.

use std::{collections::HashMap, marker::PhantomData, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    account, asset, cadence, campaign, contact, enrollment, opportunity, play, score_entry, source,
    spend, stage_change, touch, user, webhook_attempt,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    child_pages::{ChildList, Children},
    pagination::{time_key, SortKind},
};
use crate::{
    error::AppError,
    store::{self, Identified, Store, TenantEntity},
};

type LoadResult<V> = Result<HashMap<Uuid, V>, Arc<AppError>>;

pub struct UserLoader {
    store: Store,
}

impl Loader<Uuid> for UserLoader {
    type Value = user::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<user::Model> {
        let users = store::people::users_by_ids(&self.store.global(), keys).await?;
        Ok(users.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Rows of one tenant table by id.
pub struct ById<E> {
    store: Store,
    workspace_id: Option<Uuid>,
    entity: PhantomData<fn() -> E>,
}

impl<E> Loader<Uuid> for ById<E>
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

impl<E> Loader<Uuid> for ByParent<E>
where
    E: TenantEntity + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> LoadResult<Vec<E::Model>> {
        let Some(workspace_id) = self.workspace_id else {
            return Ok(HashMap::new());
        };
        let tenant = self.store.tenant(workspace_id);
        let rows = tenant
            .select::<E>()
            .filter(self.parent.is_in(keys.iter().copied()))
            .order_by_asc(self.order)
            .all(tenant.conn())
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

/// Every loader a request may use.
pub struct Loaders {
    pub users: DataLoader<UserLoader>,
    pub accounts: DataLoader<ById<account::Entity>>,
    pub contacts: DataLoader<ById<contact::Entity>>,
    pub sources: DataLoader<ById<source::Entity>>,
    pub assets: DataLoader<ById<asset::Entity>>,
    pub spend_by_source: DataLoader<ByParent<spend::Entity>>,
    pub spend_by_campaign: DataLoader<ByParent<spend::Entity>>,
    pub contacts_by_account: Children<contact::Entity>,
    pub opportunities_by_account: Children<opportunity::Entity>,
    pub ledger_by_contact: DataLoader<ByParent<score_entry::Entity>>,
    pub stages_by_contact: Children<stage_change::Entity>,
    pub plays: DataLoader<ById<play::Entity>>,
    pub campaigns: DataLoader<ById<campaign::Entity>>,
    pub cadences: DataLoader<ById<cadence::Entity>>,
    pub plays_by_campaign: DataLoader<ByParent<play::Entity>>,
    pub enrollments_by_contact: Children<enrollment::Entity>,
    pub touches_by_contact: Children<touch::Entity>,
    pub attempts_by_delivery: DataLoader<ByParent<webhook_attempt::Entity>>,
}

impl Loaders {
    pub fn new(store: &Store, workspace_id: Option<Uuid>) -> Self {
        fn by_id<E>(store: &Store, workspace_id: Option<Uuid>) -> DataLoader<ById<E>>
        where
            E: TenantEntity + Send + Sync + 'static,
            E::Model: Identified + Clone + Send + Sync + 'static,
        {
            DataLoader::new(
                ById {
                    store: store.clone(),
                    workspace_id,
                    entity: PhantomData,
                },
                tokio::spawn,
            )
        }
        Self {
            users: DataLoader::new(
                UserLoader {
                    store: store.clone(),
                },
                tokio::spawn,
            ),
            accounts: by_id(store, workspace_id),
            contacts: by_id(store, workspace_id),
            sources: by_id(store, workspace_id),
            assets: by_id(store, workspace_id),
            spend_by_source: DataLoader::new(
                ByParent {
                    store: store.clone(),
                    workspace_id,
                    parent: spend::Column::SourceId,
                    parent_of: |s: &spend::Model| s.source_id,
                    order: spend::Column::Month,
                },
                tokio::spawn,
            ),
            spend_by_campaign: DataLoader::new(
                ByParent {
                    store: store.clone(),
                    workspace_id,
                    parent: spend::Column::CampaignId,
                    parent_of: |s: &spend::Model| s.campaign_id,
                    order: spend::Column::Month,
                },
                tokio::spawn,
            ),
            ledger_by_contact: DataLoader::new(
                ByParent {
                    store: store.clone(),
                    workspace_id,
                    parent: score_entry::Column::ContactId,
                    parent_of: |e: &score_entry::Model| Some(e.contact_id),
                    order: score_entry::Column::OccurredAt,
                },
                tokio::spawn,
            ),
            contacts_by_account: Children::new(
                store,
                workspace_id,
                ChildList {
                    parent: contact::Column::AccountId,
                    parent_of: |c: &contact::Model| c.account_id.unwrap_or_default(),
                    order: contact::Column::CreatedAt,
                    kind: SortKind::Time,
                    sort_value: |c: &contact::Model| time_key(c.created_at),
                    id: contact::Column::Id,
                    id_of: |c: &contact::Model| c.id,
                },
            ),
            opportunities_by_account: Children::new(
                store,
                workspace_id,
                ChildList {
                    parent: opportunity::Column::AccountId,
                    parent_of: |o: &opportunity::Model| o.account_id,
                    order: opportunity::Column::CreatedAt,
                    kind: SortKind::Time,
                    sort_value: |o: &opportunity::Model| time_key(o.created_at),
                    id: opportunity::Column::Id,
                    id_of: |o: &opportunity::Model| o.id,
                },
            ),
            stages_by_contact: Children::new(
                store,
                workspace_id,
                ChildList {
                    parent: stage_change::Column::ContactId,
                    parent_of: |c: &stage_change::Model| c.contact_id,
                    order: stage_change::Column::ChangedAt,
                    kind: SortKind::Time,
                    sort_value: |c: &stage_change::Model| time_key(c.changed_at),
                    id: stage_change::Column::Id,
                    id_of: |c: &stage_change::Model| c.id,
                },
            ),
            enrollments_by_contact: Children::new(
                store,
                workspace_id,
                ChildList {
                    parent: enrollment::Column::ContactId,
                    parent_of: |e: &enrollment::Model| e.contact_id,
                    order: enrollment::Column::EnrolledAt,
                    kind: SortKind::Time,
                    sort_value: |e: &enrollment::Model| time_key(e.enrolled_at),
                    id: enrollment::Column::Id,
                    id_of: |e: &enrollment::Model| e.id,
                },
            ),
            touches_by_contact: Children::new(
                store,
                workspace_id,
                ChildList {
                    parent: touch::Column::ContactId,
                    parent_of: |t: &touch::Model| t.contact_id,
                    order: touch::Column::OccurredAt,
                    kind: SortKind::Time,
                    sort_value: |t: &touch::Model| time_key(t.occurred_at),
                    id: touch::Column::Id,
                    id_of: |t: &touch::Model| t.id,
                },
            ),
            plays: by_id(store, workspace_id),
            campaigns: by_id(store, workspace_id),
            cadences: by_id(store, workspace_id),
            plays_by_campaign: DataLoader::new(
                ByParent {
                    store: store.clone(),
                    workspace_id,
                    parent: play::Column::CampaignId,
                    parent_of: |p: &play::Model| p.campaign_id,
                    order: play::Column::CreatedAt,
                },
                tokio::spawn,
            ),
            attempts_by_delivery: DataLoader::new(
                ByParent {
                    store: store.clone(),
                    workspace_id,
                    parent: webhook_attempt::Column::DeliveryId,
                    parent_of: |a: &webhook_attempt::Model| Some(a.delivery_id),
                    order: webhook_attempt::Column::AttemptedAt,
                },
                tokio::spawn,
            ),
        }
    }
}

/// Loads one row through a loader, mapping a loader failure to the API error.
pub async fn load_one<L>(
    loader: &DataLoader<L>,
    id: Uuid,
) -> async_graphql::Result<Option<L::Value>>
where
    L: Loader<Uuid, Error = Arc<AppError>>,
{
    use async_graphql::ErrorExtensions;
    loader.load_one(id).await.map_err(|err| err.extend())
}
