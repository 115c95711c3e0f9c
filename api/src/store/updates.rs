//! Writing back many changed rows of one table: one UPDATE per chunk that sets only the columns
//! some row changed, from a `VALUES` list joined on the id. Writing every column of a batch's
//! 1,000 leads (as an upsert) bound 31,000 values and cost more than the decisions themselves.

use sea_orm::{ConnectionTrait, IdenStatic, Iterable, ModelTrait, Value};

use super::{id_column, sql, Tenant, TenantEntity};
use crate::error::AppResult;

/// Writes each changed row back: `pairs` holds each row as read and as it is now (the same id);
/// pairs that are equal are skipped.
pub async fn write_changed<E, C>(
    tenant: &Tenant<'_, C>,
    pairs: &[(&E::Model, &E::Model)],
) -> AppResult<()>
where
    E: TenantEntity,
    E::Model: PartialEq,
    E::Column: IdenStatic,
    C: ConnectionTrait,
{
    let changed: Vec<(&E::Model, &E::Model)> = pairs
        .iter()
        .copied()
        .filter(|(old, new)| old != new)
        .collect();
    let columns = changed_columns::<E>(&changed);
    let rows: Vec<&E::Model> = changed.into_iter().map(|(_, row)| row).collect();
    write_columns::<E, C>(tenant, &rows, &columns).await
}

/// The columns, id and workspace aside, in which some pair differs.
fn changed_columns<E>(pairs: &[(&E::Model, &E::Model)]) -> Vec<E::Column>
where
    E: TenantEntity,
{
    let mut changed = vec![false; E::COLUMNS.len()];
    for (old, new) in pairs {
        E::mark_changed(old, new, &mut changed);
    }
    let fixed = [id_column::<E>(), E::workspace_column()];
    E::Column::iter()
        .filter(|c| !fixed.iter().any(|f| f.as_str() == c.as_str()))
        .filter(|c| {
            E::COLUMNS
                .iter()
                .position(|name| *name == c.as_str())
                .is_some_and(|at| changed[at])
        })
        .collect()
}

/// Sets `columns` of each row to its values, matched by id within the workspace.
pub async fn write_columns<E, C>(
    tenant: &Tenant<'_, C>,
    rows: &[&E::Model],
    columns: &[E::Column],
) -> AppResult<()>
where
    E: TenantEntity,
    E::Column: IdenStatic,
    C: ConnectionTrait,
{
    if rows.is_empty() || columns.is_empty() {
        return Ok(());
    }
    let table = E::default().table_name().to_owned();
    let id = id_column::<E>();
    let workspace = E::workspace_column();
    let assignments = columns
        .iter()
        .map(|c| format!("\"{0}\" = v.\"{0}\"", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    if sql::is_postgres(tenant) {
        let with_id: Vec<E::Column> = std::iter::once(id).chain(columns.iter().copied()).collect();
        if let Some(json) = super::bulk::models::<E>(rows, &with_id) {
            let sql = format!(
                "UPDATE \"{table}\" SET {assignments} \
                 FROM json_populate_recordset(NULL::\"{table}\", $1::json) v \
                 WHERE \"{table}\".\"{workspace}\" = $2 AND \"{table}\".\"{id}\" = v.\"{id}\"",
                workspace = workspace.as_str(),
                id = id.as_str(),
            );
            let values = vec![json.into(), tenant.workspace_id().into()];
            tenant
                .conn()
                .execute_raw(sql::statement(tenant, &sql, values))
                .await?;
            return Ok(());
        }
    }
    let names: Vec<&str> = std::iter::once(id.as_str())
        .chain(columns.iter().map(|c| c.as_str()))
        .collect();
    let width = names.len();
    for chunk in rows.chunks(sql::rows_per_statement(width + 1)) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * width + 1);
        for row in chunk {
            values.push(row.get(id));
            values.extend(columns.iter().map(|c| row.get(*c)));
        }
        let tuples = sql::values_tuples(1, chunk.len(), width);
        values.push(tenant.workspace_id().into());
        let sql = format!(
            "WITH v(\"{names}\") AS (VALUES {tuples}) UPDATE \"{table}\" SET {assignments} FROM v \
             WHERE \"{table}\".\"{workspace}\" = ${last} AND \"{table}\".\"{id}\" = v.\"{id}\"",
            names = names.join("\", \""),
            workspace = workspace.as_str(),
            id = id.as_str(),
            last = values.len(),
        );
        tenant
            .conn()
            .execute_raw(sql::statement(tenant, &sql, values))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entity::{contact, LeadStage};
    use sea_orm::IdenStatic;
    use uuid::Uuid;

    use super::changed_columns;
    use crate::services::records::contacts::blank_contact;

    #[test]
    fn only_the_columns_some_row_changed_are_written() {
        let now = Utc::now();
        let first = blank_contact(Uuid::now_v7(), now);
        let mut first_after = first.clone();
        first_after.engagement_score = 40;
        let second = blank_contact(Uuid::now_v7(), now);
        let mut second_after = second.clone();
        second_after.stage = LeadStage::Mql;
        second_after.engagement_score = 55;
        let pairs = [(&first, &first_after), (&second, &second_after)];
        let names: Vec<&str> = changed_columns::<contact::Entity>(&pairs)
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(names, ["stage", "engagement_score"]);
        let unchanged = [(&first, &first)];
        assert!(changed_columns::<contact::Entity>(&unchanged).is_empty());
    }
}
