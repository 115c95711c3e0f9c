//! Child lists (an account's contacts, a lead's touches, ...) as Relay connections with
//! `first`/`after`; the store loads them for a whole page of parents at once
//! (`store::children`).

use async_graphql::{Context, OutputType};
use uuid::Uuid;

use super::pagination::{connection, counts_total, Page};
use crate::store::children::{Batched, Children};

impl<E: Batched> Children<E> {
    /// The page of `parent`'s children that `first`/`after` ask for, as nodes.
    pub async fn page<N: OutputType>(
        &self,
        ctx: &Context<'_>,
        parent: Uuid,
        first: Option<i32>,
        after: Option<String>,
        max_page_size: usize,
        to_node: impl Fn(E::Model) -> N,
    ) -> async_graphql::Result<Page<N>> {
        use async_graphql::ErrorExtensions;
        // Boxed so the parent's field futures stay small (see `loaders::load_one`).
        let rows = Box::pin(self.load_page(parent, first, after, counts_total(ctx), max_page_size))
            .await
            .map_err(|e| e.extend())?;
        Ok(connection(rows, to_node))
    }
}
