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

/// A filter's list of values narrowed by a single-value argument the list kept from before it
/// had a filter: both apply.
pub fn narrowed<T: PartialEq>(list: Option<Vec<T>>, one: Option<T>) -> Option<Vec<T>> {
    match (list, one) {
        (Some(list), Some(one)) => Some(list.into_iter().filter(|v| *v == one).collect()),
        (list, one) => list.or(one.map(|one| vec![one])),
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

/// An `orderBy` input (`$order`) and its field enum (`$field`), whose choices are the store's
/// sort enum's (`$sort`) under the same names; without `orderBy` the list runs in the store's
/// default order, ascending (`asc`) or descending (`desc`), which is also the direction's
/// default.
macro_rules! list_order {
    ($order:ident, $field:ident => $sort:path, asc, { $($choice:ident),+ $(,)? }) => {
        $crate::graphql::pagination::list_order!(@define $order, $field => $sort, Asc, "crate::graphql::pagination::OrderDirection::Asc", { $($choice),+ });
    };
    ($order:ident, $field:ident => $sort:path, desc, { $($choice:ident),+ $(,)? }) => {
        $crate::graphql::pagination::list_order!(@define $order, $field => $sort, Desc, "crate::graphql::pagination::OrderDirection::Desc", { $($choice),+ });
    };
    (@define $order:ident, $field:ident => $sort:path, $direction:ident, $default:literal, { $($choice:ident),+ }) => {
        #[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
        pub enum $field {
            $($choice),+
        }

        #[derive(async_graphql::InputObject)]
        pub struct $order {
            pub field: $field,
            #[graphql(default_with = $default)]
            pub direction: $crate::graphql::pagination::OrderDirection,
        }

        impl $order {
            /// The store's sort and whether it runs descending.
            pub fn sort(order: Option<Self>) -> ($sort, bool) {
                type Sort = $sort;
                match order {
                    None => (
                        Sort::default(),
                        $crate::graphql::pagination::OrderDirection::$direction.descending(),
                    ),
                    Some(order) => {
                        let sort = match order.field {
                            $($field::$choice => Sort::$choice),+
                        };
                        (sort, order.direction.descending())
                    }
                }
            }
        }
    };
}

pub(crate) use list_order;

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
            pub fn sort(order: Option<Self>) -> ($crate::store::sorts::NamedSort, bool) {
                let order = order.unwrap_or_default();
                let sort = match order.field {
                    $field::CreatedAt => $crate::store::sorts::NamedSort::CreatedAt,
                    $field::$name => $crate::store::sorts::NamedSort::Name,
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
