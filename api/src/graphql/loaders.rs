//! DataLoaders, created per request, so a list of N rows costs one query per relation, not N.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::user;
use uuid::Uuid;

use crate::{
    error::AppError,
    store::{self, Store},
};

pub struct UserLoader {
    store: Store,
}

impl Loader<Uuid> for UserLoader {
    type Value = user::Model;
    type Error = std::sync::Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let users = store::people::users_by_ids(self.store.db(), keys)
            .await
            .map_err(std::sync::Arc::new)?;
        Ok(users.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Every loader a request may use.
pub struct Loaders {
    pub users: DataLoader<UserLoader>,
}

impl Loaders {
    pub fn new(store: &Store) -> Self {
        Self {
            users: DataLoader::new(
                UserLoader {
                    store: store.clone(),
                },
                tokio::spawn,
            ),
        }
    }
}
