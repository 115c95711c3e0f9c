//! The DataLoaders of one request, scoped to the caller's workspace, so a list of N rows costs
//! one query per relation, not N. The store defines how each relation is read
//! (`store::loaders`).

use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    account, asset, cadence, campaign, contact, enrollment, opportunity, play, score_entry, source,
    spend, stage_change, touch, webhook_attempt,
};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use crate::{
    error::AppError,
    store::{
        account_signals::{self, CommitteeLoader},
        children::Children,
        loaders::{self, ById, ByParent, UserLoader},
        Store,
    },
};

/// Declares the loaders a request may use: each is made the first time a resolver asks for it
/// (a request that loads nothing builds none), then shared by the rest of the request.
macro_rules! loaders {
    ($($(#[$doc:meta])* $name:ident: $ty:ty = $make:expr;)*) => {
        /// Every loader a request may use, each built on first use. The slots themselves are
        /// allocated on first use too: a subscription holds its request's data all day, and
        /// most never load anything.
        pub struct Loaders {
            store: Store,
            workspace_id: Option<Uuid>,
            slots: OnceLock<Box<Slots>>,
        }

        #[derive(Default)]
        struct Slots {
            $($name: OnceLock<$ty>,)*
        }

        impl Loaders {
            pub fn new(store: &Store, workspace_id: Option<Uuid>) -> Self {
                Self {
                    store: store.clone(),
                    workspace_id,
                    slots: OnceLock::new(),
                }
            }

            fn slots(&self) -> &Slots {
                self.slots.get_or_init(Box::default)
            }

            $(
                $(#[$doc])*
                pub fn $name(&self) -> &$ty {
                    self.slots().$name.get_or_init(|| {
                        let make: fn(&Store, Option<Uuid>) -> $ty = $make;
                        make(&self.store, self.workspace_id)
                    })
                }
            )*
        }
    };
}

loaders! {
    users: DataLoader<UserLoader> = |store, _| loaders::users(store);
    accounts: DataLoader<ById<account::Entity>> = loaders::by_id;
    contacts: DataLoader<ById<contact::Entity>> = loaders::by_id;
    sources: DataLoader<ById<source::Entity>> = loaders::by_id;
    assets: DataLoader<ById<asset::Entity>> = loaders::by_id;
    plays: DataLoader<ById<play::Entity>> = loaders::by_id;
    campaigns: DataLoader<ById<campaign::Entity>> = loaders::by_id;
    cadences: DataLoader<ById<cadence::Entity>> = loaders::by_id;
    spend_by_source: DataLoader<ByParent<spend::Entity>> = loaders::spend_by_source;
    spend_by_campaign: DataLoader<ByParent<spend::Entity>> = loaders::spend_by_campaign;
    ledger_by_contact: DataLoader<ByParent<score_entry::Entity>> = loaders::ledger_by_contact;
    plays_by_campaign: DataLoader<ByParent<play::Entity>> = loaders::plays_by_campaign;
    attempts_by_delivery: DataLoader<ByParent<webhook_attempt::Entity>> =
        loaders::attempts_by_delivery;
    contacts_by_account: Children<contact::Entity> = loaders::contacts_by_account;
    opportunities_by_account: Children<opportunity::Entity> = loaders::opportunities_by_account;
    stages_by_contact: Children<stage_change::Entity> = loaders::stages_by_contact;
    enrollments_by_contact: Children<enrollment::Entity> = loaders::enrollments_by_contact;
    touches_by_contact: Children<touch::Entity> = loaders::touches_by_contact;
    /// The active ICPs and an account's contacts, for `Account.buyingCommittee`.
    committees: DataLoader<CommitteeLoader> = account_signals::committees;
}

/// Loads one row through a loader, mapping a loader failure to the API error.
///
/// Boxed because a type's generated `resolve_field` future holds its largest field's future
/// inline, and async-graphql moves that whole future for every field it resolves, scalars
/// included: a loader's wait inline made each of a lead list's ~550 fields copy kilobytes
/// (40% of the request's instructions under callgrind, README "Benchmarks").
pub fn load_one<L>(
    loader: &DataLoader<L>,
    id: Uuid,
) -> BoxFuture<'_, async_graphql::Result<Option<L::Value>>>
where
    L: Loader<Uuid, Error = Arc<AppError>>,
{
    use async_graphql::ErrorExtensions;
    Box::pin(async move { loader.load_one(id).await.map_err(|err| err.extend()) })
}

#[cfg(test)]
mod tests {
    use super::Loaders;

    /// Every open subscription keeps its request's loaders: they must cost a few words until a
    /// resolver uses one (all the slots inline were 1.6 KiB per subscription).
    #[test]
    fn unused_loaders_cost_a_few_words() {
        assert!(
            std::mem::size_of::<Loaders>() <= 128,
            "Loaders is {} bytes",
            std::mem::size_of::<Loaders>()
        );
    }
}
