//! Relay connections over keyset pagination on time-ordered (v7) ids.

use async_graphql::{
    connection::{Connection, Edge},
    OutputType, SimpleObject,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Page size when the client names none.
pub const DEFAULT_PAGE_SIZE: usize = 20;

#[derive(SimpleObject, Default)]
pub struct PageInfoExtra {
    /// How many items match the filter, across all pages.
    pub total_count: u64,
}

pub type Page<N> = Connection<String, N, PageInfoExtra>;

/// `first`/`after`/`last`/`before` as the client sent them.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

fn cursor(raw: &Option<String>, field: &str) -> AppResult<Option<Uuid>> {
    raw.as_deref()
        .map(|c| {
            Uuid::parse_str(c)
                .map_err(|_| AppError::bad_input(field, "is not a cursor from this list"))
        })
        .transpose()
}

fn size(raw: Option<i32>, field: &str, max: usize) -> AppResult<Option<usize>> {
    match raw {
        None => Ok(None),
        Some(n) if n < 0 => Err(AppError::bad_input(field, "must not be negative")),
        Some(n) if n as usize > max => {
            Err(AppError::bad_input(field, format!("must be at most {max}")))
        }
        Some(n) => Ok(Some(n as usize)),
    }
}

/// Runs one page of `select`, ordered by `id_column`, and maps rows to nodes.
pub async fn paginate<E, C, N>(
    conn: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
    args: PageArgs,
    max_page_size: usize,
    to_node: impl Fn(E::Model) -> N,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
    N: OutputType,
{
    let first = size(args.first, "first", max_page_size)?;
    let last = size(args.last, "last", max_page_size)?;
    if first.is_some() && last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "use either first or last, not both",
        ));
    }
    let after = cursor(&args.after, "after")?;
    let before = cursor(&args.before, "before")?;

    let total_count = select.clone().count(conn).await?;
    let mut query = select;
    if let Some(after) = after {
        query = query.filter(id_column.gt(after));
    }
    if let Some(before) = before {
        query = query.filter(id_column.lt(before));
    }
    let backwards = last.is_some();
    let limit = last.or(first).unwrap_or(DEFAULT_PAGE_SIZE);
    query = if backwards {
        query.order_by_desc(id_column)
    } else {
        query.order_by_asc(id_column)
    };
    let mut rows = query.limit(limit as u64 + 1).all(conn).await?;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    if backwards {
        rows.reverse();
    }
    let (has_previous, has_next) = if backwards {
        (has_more, before.is_some())
    } else {
        (after.is_some(), has_more)
    };
    let mut page =
        Connection::with_additional_fields(has_previous, has_next, PageInfoExtra { total_count });
    page.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(id_of(&row).to_string(), to_node(row))),
    );
    Ok(page)
}
