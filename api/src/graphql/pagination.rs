//! Relay connections over the store's keyset pages (`store::keyset`): a page of rows with their
//! cursors becomes a connection here, for top-level and child lists alike.

use async_graphql::{
    connection::{Connection, Edge},
    OutputType, SimpleObject,
};

use crate::store::keyset::RowPage;
// The page vocabulary is the store's; resolvers name it from here.
pub use crate::store::keyset::{
    by_created, sort_value, time_key, Ordering, PageArgs, SortKind, DEFAULT_PAGE_SIZE,
};

#[derive(SimpleObject, Default)]
pub struct PageInfoExtra {
    /// How many items match the filter, across all pages.
    pub total_count: u64,
}

pub type Page<N> = Connection<String, N, PageInfoExtra>;

impl PageArgs {
    /// The arguments of a list field, counting only when the query selects `totalCount`.
    pub fn new(
        ctx: &async_graphql::Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
            count_total: counts_total(ctx),
        }
    }
}

/// Whether the query selects the list's `totalCount`.
pub fn counts_total(ctx: &async_graphql::Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Default, Debug)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

impl OrderDirection {
    pub fn descending(self) -> bool {
        self == OrderDirection::Desc
    }
}

/// An `orderBy` input for a named list: by creation time (the default) or by name (a title
/// where the row has one instead), with the field enum it takes.
macro_rules! named_order {
    ($order:ident, $field:ident) => {
        named_order!($order, $field, Name);
    };
    ($order:ident, $field:ident, $name:ident) => {
        #[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Default)]
        pub enum $field {
            #[default]
            CreatedAt,
            $name,
        }

        #[derive(async_graphql::InputObject, Default)]
        pub struct $order {
            pub field: $field,
            #[graphql(default)]
            pub direction: $crate::graphql::pagination::OrderDirection,
        }

        impl $order {
            /// The store's sort and whether it runs descending.
            pub fn sort(order: Option<Self>) -> ($crate::store::filters::NamedSort, bool) {
                let order = order.unwrap_or_default();
                let sort = match order.field {
                    $field::CreatedAt => $crate::store::filters::NamedSort::CreatedAt,
                    $field::$name => $crate::store::filters::NamedSort::Name,
                };
                (sort, order.direction.descending())
            }
        }
    };
}

pub(crate) use named_order;

/// A page of rows as a connection of nodes.
pub fn connection<M, N: OutputType>(page: RowPage<M>, to_node: impl Fn(M) -> N) -> Page<N> {
    let mut connection = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        PageInfoExtra {
            total_count: page.total_count,
        },
    );
    connection.edges.extend(
        page.rows
            .into_iter()
            .map(|(cursor, row)| Edge::new(cursor, to_node(row))),
    );
    connection
}
