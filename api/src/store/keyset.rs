//! Keyset pagination: rows are ordered by one non-null column and then by their time-ordered
//! (v7) id, and a cursor holds both, so every page is an index range scan. This is the one
//! place a page is read: top-level lists ([`page`]) and child lists (`store::children`) share
//! the cursor, the page-size rule and the "strictly beyond" condition.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Value,
};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Page size when the client names none.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// `first`/`after`/`last`/`before` as the client sent them, and whether it asked for
/// `totalCount` (counting a large workspace costs more than the page itself, so it is done only
/// when asked).
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub count_total: bool,
}

/// One page of rows, each with its cursor, in the list's order.
pub struct RowPage<M> {
    pub rows: Vec<(String, M)>,
    pub has_previous: bool,
    pub has_next: bool,
    /// How many rows match across all pages (0 unless asked for).
    pub total_count: u64,
}

/// The type of the sort column, so a cursor's value can be turned back into a query value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    Int,
    Float,
    Text,
    Time,
    /// A calendar day, as `YYYY-MM-DD`.
    Date,
}

/// The sort of a list: a non-null column and a direction; ties break on the id.
pub struct Ordering<C> {
    pub column: C,
    pub kind: SortKind,
    pub descending: bool,
}

/// The usual ordering: oldest first by creation time.
pub fn by_created<C>(column: C) -> Ordering<C> {
    Ordering {
        column,
        kind: SortKind::Time,
        descending: false,
    }
}

/// The sort value of a row, as it goes into a cursor.
pub fn sort_value(value: impl Into<Json>) -> Json {
    value.into()
}

/// The sort value of a timestamp, as RFC 3339 text with every digit the row holds: SQLite keeps
/// nanoseconds, and a cursor cut to microseconds would sort before its own row there.
pub fn time_key(at: chrono::DateTime<chrono::Utc>) -> Json {
    Json::String(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

pub(super) fn encode_cursor(value: &Json, id: Uuid) -> String {
    hex::encode(serde_json::to_vec(&(value, id)).unwrap_or_default())
}

pub(super) fn decode_cursor(raw: &str, kind: SortKind, field: &str) -> AppResult<(Value, Uuid)> {
    let bad = || AppError::bad_input(field, "is not a cursor from this list");
    let bytes = hex::decode(raw).map_err(|_| bad())?;
    let (value, id): (Json, Uuid) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let value = match kind {
        SortKind::Int => value.as_i64().map(Value::from),
        SortKind::Float => value.as_f64().map(Value::from),
        SortKind::Text => value.as_str().map(|s| Value::from(s.to_owned())),
        SortKind::Time => value
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Value::from(t.with_timezone(&chrono::Utc))),
        SortKind::Date => value
            .as_str()
            .and_then(|s| s.parse::<chrono::NaiveDate>().ok())
            .map(Value::from),
    }
    .ok_or_else(bad)?;
    Ok((value, id))
}

/// A client's page size, checked against the server's maximum.
pub fn page_size(raw: Option<i32>, field: &str, max: usize) -> AppResult<Option<usize>> {
    match raw {
        None => Ok(None),
        Some(n) if n < 0 => Err(AppError::bad_input(field, "must not be negative")),
        Some(n) if n as usize > max => {
            Err(AppError::bad_input(field, format!("must be at most {max}")))
        }
        Some(n) => Ok(Some(n as usize)),
    }
}

/// Rows strictly after `(value, id)` in the direction of travel.
pub(super) fn beyond<C: ColumnTrait>(
    column: C,
    id_column: C,
    value: Value,
    id: Uuid,
    ascending: bool,
) -> Condition {
    let (past, past_id) = if ascending {
        (column.gt(value.clone()), id_column.gt(id))
    } else {
        (column.lt(value.clone()), id_column.lt(id))
    };
    Condition::any()
        .add(past)
        .add(Condition::all().add(column.eq(value)).add(past_id))
}

/// One page of `select`, sorted by `ordering` then id: the count when asked, then the rows
/// (one more than the page, to know whether another follows).
pub async fn page<E, C>(
    conn: &C,
    select: Select<E>,
    id_column: E::Column,
    ordering: Ordering<E::Column>,
    key_of: impl Fn(&E::Model) -> (Json, Uuid),
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>>
where
    E: super::TenantEntity,
    E::Model: Sync,
    C: ConnectionTrait,
{
    page_of(
        conn,
        select,
        None,
        id_column,
        ordering,
        key_of,
        args,
        max_page_size,
    )
    .await
}

/// [`page`], reading only `narrow`'s columns when given (the rest of each model is blank:
/// the caller reads only what it asked for).
#[allow(clippy::too_many_arguments)]
pub async fn page_of<E, C>(
    conn: &C,
    select: Select<E>,
    narrow: Option<&super::narrow::Narrow<E>>,
    id_column: E::Column,
    ordering: Ordering<E::Column>,
    key_of: impl Fn(&E::Model) -> (Json, Uuid),
    args: PageArgs,
    max_page_size: usize,
) -> AppResult<RowPage<E::Model>>
where
    E: super::TenantEntity,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let first = page_size(args.first, "first", max_page_size)?;
    let last = page_size(args.last, "last", max_page_size)?;
    if first.is_some() && last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "use either first or last, not both",
        ));
    }
    let after = args
        .after
        .as_deref()
        .map(|c| decode_cursor(c, ordering.kind, "after"))
        .transpose()?;
    let before = args
        .before
        .as_deref()
        .map(|c| decode_cursor(c, ordering.kind, "before"))
        .transpose()?;

    let total_count = if args.count_total {
        select.clone().count(conn).await?
    } else {
        0
    };
    let ascending = !ordering.descending;
    let mut query = select;
    if let Some((value, id)) = after.clone() {
        query = query.filter(beyond(ordering.column, id_column, value, id, ascending));
    }
    if let Some((value, id)) = before.clone() {
        query = query.filter(beyond(ordering.column, id_column, value, id, !ascending));
    }
    let backwards = last.is_some();
    let limit = last.or(first).unwrap_or(DEFAULT_PAGE_SIZE);
    let travel_ascending = ascending != backwards;
    query = if travel_ascending {
        query.order_by_asc(ordering.column).order_by_asc(id_column)
    } else {
        query
            .order_by_desc(ordering.column)
            .order_by_desc(id_column)
    };
    let query = query.limit(limit as u64 + 1);
    let mut rows = match narrow {
        None => super::positional::all(query, conn).await?,
        Some(narrow) => narrow.all(query, conn).await?,
    };
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
    Ok(RowPage {
        rows: rows
            .into_iter()
            .map(|row| {
                let (value, id) = key_of(&row);
                (encode_cursor(&value, id), row)
            })
            .collect(),
        has_previous,
        has_next,
        total_count,
    })
}
