//! Lower medians of stays ranked in the database: the stay at rank `(n - 1) / 2 + 1` by
//! length, per stage, so that a year of history is never loaded to find one number per stage.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait, FromQueryResult};

use crate::{
    error::AppResult,
    store::{
        sql::{is_postgres, statement},
        Tenant,
    },
};

#[derive(FromQueryResult)]
struct Ranked {
    to_stage: String,
    micros: i64,
}

#[derive(FromQueryResult)]
struct RankedRow {
    to_stage: String,
    changed_at: DateTime<Utc>,
    left_at: DateTime<Utc>,
}

/// Per stage of `stages`, the lower median of `left_at - changed_at` over the rows of `table`
/// (a history with `to_stage`, `changed_at` and `left_at`, indexed by workspace and stage
/// first) of the workspace (`$1`) where `filter` holds, its other placeholders from `$2` on
/// taking `values`.
pub async fn lower_median_stays<C, S>(
    tenant: &Tenant<'_, C>,
    table: &str,
    stages: &[S],
    filter: &str,
    values: Vec<sea_orm::Value>,
) -> AppResult<Vec<(S, Duration)>>
where
    C: ConnectionTrait,
    S: ActiveEnum<Value = String>,
{
    // Stage names are the enum's own values, never input.
    let names: Vec<String> = stages
        .iter()
        .map(|s| format!("'{}'", s.to_value()))
        .collect();
    let mut bound = vec![tenant.workspace_id().into()];
    bound.extend(values);
    let stays: Vec<(String, Duration)> = if is_postgres(tenant) {
        // percentile_disc(0.5) is the value at rank ceil(n / 2): the lower median. One stage
        // at a time, each a range of the index, so no sort groups the rows by stage.
        let stages = names
            .iter()
            .map(|name| format!("({name})"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT s.to_stage, m.micros FROM (VALUES {stages}) s (to_stage) \
             CROSS JOIN LATERAL ( \
               SELECT CAST(EXTRACT(EPOCH FROM percentile_disc(0.5) \
                 WITHIN GROUP (ORDER BY left_at - changed_at)) * 1000000 AS bigint) AS micros \
               FROM {table} WHERE workspace_id = $1 AND to_stage = s.to_stage AND {filter}) m \
             WHERE m.micros IS NOT NULL"
        );
        Ranked::find_by_statement(statement(tenant, &sql, bound))
            .all(tenant.conn())
            .await?
            .into_iter()
            .map(|row| (row.to_stage, Duration::microseconds(row.micros)))
            .collect()
    } else {
        let stages = names.join(", ");
        let sql = format!(
            "SELECT to_stage, changed_at, left_at FROM ( \
               SELECT to_stage, changed_at, left_at, \
                 ROW_NUMBER() OVER (PARTITION BY to_stage \
                   ORDER BY julianday(left_at) - julianday(changed_at)) AS n_th, \
                 COUNT(*) OVER (PARTITION BY to_stage) AS n \
               FROM {table} WHERE workspace_id = $1 AND to_stage IN ({stages}) \
                 AND {filter}) ranked \
             WHERE n_th = (n - 1) / 2 + 1"
        );
        RankedRow::find_by_statement(statement(tenant, &sql, bound))
            .all(tenant.conn())
            .await?
            .into_iter()
            .map(|row| (row.to_stage, row.left_at - row.changed_at))
            .collect()
    };
    Ok(stays
        .into_iter()
        .filter_map(|(stage, length)| Some((S::try_from_value(&stage).ok()?, length)))
        .collect())
}
