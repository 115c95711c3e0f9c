//! A batch's rows as one Postgres parameter: the rows are written as a JSON array and expanded
//! in the statement by `json_populate_recordset(NULL::table, $1)`, which types every field by
//! the table's own columns.
//!
//! A multi-row `VALUES` list binds each field as a value of its own, and its text changes with
//! the row count, so Postgres parsed and planned every batch's statements again: for the 1,000
//! events of a batch, 13,000 bound values and 11 ms of parsing and binding before the insert
//! ran. Here the text depends only on the table and the columns (prepared once per connection),
//! and the fields cross as one document. SQLite, in process, keeps binding values.

use chrono::SecondsFormat;
use sea_orm::{ActiveModelTrait, EntityTrait, IdenStatic, ModelTrait, Value};
use serde_json::Value as Json;

/// `models`' `columns` as a JSON array, or `None` when a field cannot be encoded.
pub fn models<E>(models: &[&E::Model], columns: &[E::Column]) -> Option<String>
where
    E: EntityTrait,
    E::Column: IdenStatic,
{
    let mut rows = RowsJson::new();
    for model in models {
        if !rows.push(columns.iter().map(|c| (c.as_str(), model.get(*c)))) {
            return None;
        }
    }
    Some(rows.finish())
}

/// The columns the first of `rows` holds (set or unchanged), and every row's values of them as a JSON array; `None`
/// when a row leaves one of them unset or a field cannot be encoded.
pub fn active_models<E>(rows: &[E::ActiveModel]) -> Option<(Vec<E::Column>, String)>
where
    E: EntityTrait,
    E::Column: IdenStatic,
{
    use sea_orm::Iterable;
    let first = rows.first()?;
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| !first.get(*c).is_not_set())
        .collect();
    if columns.is_empty() {
        return None;
    }
    let mut json = RowsJson::new();
    for row in rows {
        let mut fields = Vec::with_capacity(columns.len());
        for column in &columns {
            fields.push((column.as_str(), row.get(*column).into_value()?));
        }
        if !json.push(fields) {
            return None;
        }
    }
    Some((columns, json.finish()))
}

/// `INSERT INTO "table" ("a", "b") SELECT "a", "b" FROM json_populate_recordset(...)` for the
/// rows in `$1`, followed by `tail` (a conflict clause, `RETURNING`, or nothing).
pub fn insert_sql<C: IdenStatic>(table: &str, columns: &[C], tail: &str) -> String {
    let list = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO \"{table}\" ({list}) SELECT {list} \
         FROM json_populate_recordset(NULL::\"{table}\", $1::json) {tail}"
    )
}

/// Rows as a JSON array of objects keyed by column name, or `None` when a field has a type this
/// encoding does not carry (the caller then binds values instead).
pub struct RowsJson {
    out: String,
    rows: usize,
}

impl RowsJson {
    pub fn new() -> Self {
        RowsJson {
            out: String::from("["),
            rows: 0,
        }
    }

    /// Appends one row of `(column, value)` fields; `false` when a value cannot be encoded.
    pub fn push<'a>(&mut self, fields: impl IntoIterator<Item = (&'a str, Value)>) -> bool {
        if self.rows > 0 {
            self.out.push(',');
        }
        self.out.push('{');
        for (at, (column, value)) in fields.into_iter().enumerate() {
            if at > 0 {
                self.out.push(',');
            }
            push_string(&mut self.out, column);
            self.out.push(':');
            if !push_value(&mut self.out, value) {
                return false;
            }
        }
        self.out.push('}');
        self.rows += 1;
        true
    }

    pub fn finish(mut self) -> String {
        self.out.push(']');
        self.out
    }
}

impl Default for RowsJson {
    fn default() -> Self {
        Self::new()
    }
}

fn push_string(out: &mut String, text: &str) {
    // Serializing a string into a String cannot fail.
    out.push_str(&Json::from(text).to_string());
}

/// Writes `value` as the JSON Postgres reads back into the column's type: text for times
/// (RFC 3339, which `timestamptz` and `date` accept), UUIDs and enums; numbers and booleans as
/// such; JSON columns as the document itself; NULL as `null`.
fn push_value(out: &mut String, value: Value) -> bool {
    use std::fmt::Write;
    let written = match value {
        Value::Bool(Some(v)) => write!(out, "{v}"),
        Value::TinyInt(Some(v)) => write!(out, "{v}"),
        Value::SmallInt(Some(v)) => write!(out, "{v}"),
        Value::Int(Some(v)) => write!(out, "{v}"),
        Value::BigInt(Some(v)) => write!(out, "{v}"),
        Value::Double(Some(v)) if v.is_finite() => write!(out, "{v}"),
        Value::String(Some(v)) => {
            push_string(out, &v);
            Ok(())
        }
        Value::Enum(sea_orm::sea_query::OptionEnum::Some(v)) => {
            push_string(out, &v.value);
            Ok(())
        }
        Value::Uuid(Some(v)) => write!(out, "\"{v}\""),
        Value::ChronoDateTimeUtc(Some(v)) => write!(
            out,
            "\"{}\"",
            v.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        ),
        Value::ChronoDate(Some(v)) => write!(out, "\"{v}\""),
        // A JSON column holding JSON null stays a JSON null, as a bound value does; only an
        // absent document is SQL NULL.
        Value::Json(Some(v)) if !v.is_null() => {
            out.push_str(&v.to_string());
            Ok(())
        }
        Value::Bool(None)
        | Value::TinyInt(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::Double(None)
        | Value::String(None)
        | Value::Enum(sea_orm::sea_query::OptionEnum::None(_))
        | Value::Uuid(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::ChronoDate(None)
        | Value::Json(None) => {
            out.push_str("null");
            Ok(())
        }
        _ => return false,
    };
    written.is_ok()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use sea_orm::Value;
    use uuid::Uuid;

    use super::RowsJson;

    #[test]
    fn rows_are_written_as_postgres_reads_them_back() {
        let mut rows = RowsJson::new();
        let id = Uuid::nil();
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap();
        assert!(rows.push([
            ("id", Value::from(id)),
            ("name", Value::from("Ann \"A\"")),
            ("score", Value::from(7)),
            ("at", Value::from(at)),
            (
                "on",
                Value::from(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap())
            ),
            ("tags", Value::from(serde_json::json!(["vip"]))),
            ("owner", Value::Uuid(None)),
        ]));
        assert!(rows.push([("id", Value::from(id))]));
        assert_eq!(
            rows.finish(),
            "[{\"id\":\"00000000-0000-0000-0000-000000000000\",\"name\":\"Ann \\\"A\\\"\",\
             \"score\":7,\"at\":\"2027-03-01T09:00:00Z\",\"on\":\"2027-03-01\",\
             \"tags\":[\"vip\"],\"owner\":null},{\"id\":\"00000000-0000-0000-0000-000000000000\"}]"
        );
    }

    #[test]
    fn a_field_it_cannot_carry_is_refused() {
        let mut rows = RowsJson::new();
        assert!(!rows.push([("blob", Value::Bytes(Some(vec![0xff])))]));
        assert!(!rows.push([("json_null", Value::from(serde_json::Value::Null))]));
    }
}
