//! The DataLoaders of one request, scoped to the caller's workspace, so a list of N rows costs
//! one query per relation, not N. The store defines how each relation is read
//! (`store::loaders`).

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    account, asset, cadence, campaign, contact, enrollment, opportunity, play, score_entry, source,
    spend, stage_change, touch, webhook_attempt,
};
use uuid::Uuid;

use crate::{
    error::AppError,
    store::{
        children::Children,
        loaders::{self, ById, ByParent, UserLoader},
        Store,
    },
};

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
        let ws = workspace_id;
        Self {
            users: loaders::users(store),
            accounts: loaders::by_id(store, ws),
            contacts: loaders::by_id(store, ws),
            sources: loaders::by_id(store, ws),
            assets: loaders::by_id(store, ws),
            spend_by_source: loaders::spend_by_source(store, ws),
            spend_by_campaign: loaders::spend_by_campaign(store, ws),
            ledger_by_contact: loaders::ledger_by_contact(store, ws),
            contacts_by_account: loaders::contacts_by_account(store, ws),
            opportunities_by_account: loaders::opportunities_by_account(store, ws),
            stages_by_contact: loaders::stages_by_contact(store, ws),
            enrollments_by_contact: loaders::enrollments_by_contact(store, ws),
            touches_by_contact: loaders::touches_by_contact(store, ws),
            plays: loaders::by_id(store, ws),
            campaigns: loaders::by_id(store, ws),
            cadences: loaders::by_id(store, ws),
            plays_by_campaign: loaders::plays_by_campaign(store, ws),
            attempts_by_delivery: loaders::attempts_by_delivery(store, ws),
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
