//! Raw SQL for either backend: statements are written once, with Postgres' numbered
//! placeholders, and bound for the backend of the connection they run on.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, IdenStatic, Iterable, Statement, Value};

use super::Tenant;
use crate::error::AppResult;

/// Lookups by id go in chunks well under both databases' limits on bound values.
pub const CHUNK: usize = 5_000;

/// How many rows of `columns` columns one multi-row INSERT takes: under SQLite's 32,766 bound
/// values (Postgres allows 65,535). A batch of `MAX_EVENTS` leads fits one statement per table.
pub fn rows_per_statement(columns: usize) -> usize {
    (32_000 / columns.max(1)).max(1)
}

/// Inserts `rows` of `E` with as few multi-row INSERTs as the bound values allow; the column
/// count comes from the entity, so no caller counts it by hand.
pub async fn insert_all<E, C>(tenant: &Tenant<'_, C>, rows: &[E::ActiveModel]) -> AppResult<()>
where
    E: EntityTrait,
    E::Column: IdenStatic,
    E::ActiveModel: Clone,
    C: ConnectionTrait,
{
    if is_postgres(tenant) {
        if let Some((columns, json)) = super::bulk::active_models::<E>(rows) {
            let sql = super::bulk::insert_sql(E::default().table_name(), &columns, "");
            tenant
                .conn()
                .execute_raw(statement(tenant, &sql, vec![json.into()]))
                .await?;
            return Ok(());
        }
    }
    let columns = <E::Column as Iterable>::iter().count();
    for chunk in rows.chunks(rows_per_statement(columns)) {
        E::insert_many(chunk.to_vec())
            .exec_without_returning(tenant.conn())
            .await?;
    }
    Ok(())
}

/// Whether `tenant`'s connection is to Postgres (some statements differ in their types or
/// functions).
pub fn is_postgres<C: ConnectionTrait>(tenant: &Tenant<'_, C>) -> bool {
    tenant.conn().get_database_backend() == DbBackend::Postgres
}

/// `rows` tuples of `width` numbered placeholders each, numbered on from `$first`, as a `VALUES`
/// list writes them: `($1, $2), ($3, $4)`. Rows of an `UPDATE ... FROM (VALUES ...)`.
pub fn values_tuples(first: usize, rows: usize, width: usize) -> String {
    use std::fmt::Write;
    // Written into one string: a `format!` per placeholder cost a batch's write of 1,000 leads
    // about 12 million instructions.
    let mut out = String::with_capacity(rows * width * 7);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        let start = first + row * width;
        for n in start..start + width {
            if n > start {
                out.push_str(", ");
            }
            let _ = write!(out, "${n}");
        }
        out.push(')');
    }
    out
}

/// How many ids one `IN` list names (well under both databases' limits on bound values).
pub const IDS_PER_STATEMENT: usize = 5_000;

/// `($first, $first+1, ...)`: an `IN` list of `n` placeholders.
pub fn id_list(first: usize, n: usize) -> String {
    values_tuples(first, 1, n)
}

/// A statement written with Postgres' numbered placeholders (`$1` is `values[0]`; a number may
/// recur), for the backend of `tenant`'s connection: SQLite gets a `?` and a value for each
/// occurrence, in order.
pub fn statement<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    sql: &str,
    values: Vec<Value>,
) -> Statement {
    statement_for(tenant.conn().get_database_backend(), sql, values)
}

/// [`statement`] for a backend named directly (statements over several workspaces, which carry
/// each row's workspace in their condition, run outside a [`Tenant`]).
pub fn statement_for(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend == DbBackend::Postgres {
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let mut positional = String::with_capacity(sql.len());
    let mut ordered = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        positional.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - at - 1);
        let n: usize = rest[at + 1..at + 1 + digits]
            .parse()
            .expect("placeholders are $ and a number");
        ordered.push(values[n - 1].clone());
        positional.push('?');
        rest = &rest[at + 1 + digits..];
    }
    positional.push_str(rest);
    Statement::from_sql_and_values(backend, positional, ordered)
}

#[cfg(test)]
mod tests {
    use super::values_tuples;

    #[test]
    fn values_tuples_number_on_from_the_first_placeholder() {
        assert_eq!(values_tuples(1, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_tuples(4, 1, 3), "($4, $5, $6)");
        assert_eq!(values_tuples(1, 0, 3), "");
    }
}
