//! The scorecard's reads, each one aggregate statement: the MQLs handed over in a month with
//! what marketing owes on each (ICP, complete contact data, intel on its trigger), and the SLA
//! clocks due in the month, settled and met, per kind.

use chrono::{DateTime, Utc};
use entity::SlaKind;
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{
    domain::metrics::{
        scorecard::{ClockCounts, MqlCounts},
        Range,
    },
    error::AppResult,
    store::{
        sql::{is_postgres, statement},
        Tenant,
    },
};

#[derive(FromQueryResult)]
struct MqlRow {
    mqls: i64,
    in_icp: Option<i64>,
    complete: Option<i64>,
    with_intel: Option<i64>,
}

fn count(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

/// The entries into MQL in `range` (through the `(workspace, stage, time)` index), counted with
/// their lead's account in the ICP (fit > 0 and twice the fit >= `max_account_score`), their
/// contact complete (name, title, a business email, an account) and a trigger about the lead at
/// or after the entry (`(workspace, lead, created_at)` index) whose intel lists a scored event.
pub async fn mql_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    max_account_score: i32,
) -> AppResult<MqlCounts> {
    // The intel's behavioural data: a non-empty `lastEvents`.
    let has_events = if is_postgres(tenant) {
        "jsonb_array_length(CAST(t.intel AS jsonb) -> 'lastEvents') > 0"
    } else {
        "json_array_length(t.intel, $6) > 0"
    };
    let sql = format!(
        "SELECT COUNT(*) AS mqls, \
           SUM(CASE WHEN $4 > 0 AND a.fit_score > 0 AND 2 * a.fit_score >= $4 \
               THEN 1 ELSE 0 END) AS in_icp, \
           SUM(CASE WHEN c.name IS NOT NULL AND TRIM(c.name) <> '' \
                 AND c.title IS NOT NULL AND TRIM(c.title) <> '' \
                 AND c.email IS NOT NULL AND c.personal_email = $5 \
                 AND c.account_id IS NOT NULL \
               THEN 1 ELSE 0 END) AS complete, \
           SUM(CASE WHEN EXISTS (SELECT 1 FROM triggers t \
                 WHERE t.workspace_id = s.workspace_id AND t.lead_id = s.contact_id \
                   AND t.created_at >= s.changed_at \
                   AND t.intel IS NOT NULL AND {has_events}) \
               THEN 1 ELSE 0 END) AS with_intel \
         FROM stage_changes s \
         JOIN contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id \
         LEFT JOIN accounts a ON a.workspace_id = c.workspace_id AND a.id = c.account_id \
         WHERE s.workspace_id = $1 AND s.to_stage = 'MQL' \
           AND s.changed_at >= $2 AND s.changed_at < $3"
    );
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
        max_account_score.into(),
        false.into(),
    ];
    let mut values = values;
    if !is_postgres(tenant) {
        // SQLite's JSON path, bound: the statement helper reads `$` as a placeholder.
        values.push("$.lastEvents".into());
    }
    let row = MqlRow::find_by_statement(statement(tenant, &sql, values))
        .one(tenant.conn())
        .await?;
    Ok(row.map_or_else(MqlCounts::default, |row| MqlCounts {
        mqls: count(Some(row.mqls)),
        in_icp: count(row.in_icp),
        complete: count(row.complete),
        with_intel: count(row.with_intel),
    }))
}

#[derive(FromQueryResult)]
struct ClockRow {
    kind: SlaKind,
    due: Option<i64>,
    met: Option<i64>,
}

/// The SLA clocks due in `range` (through the `(workspace, due_at)` index), per kind: those
/// whose outcome is known at `as_of` (met, breached or past due) and those met on time.
pub async fn clock_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    as_of: DateTime<Utc>,
) -> AppResult<Vec<(SlaKind, ClockCounts)>> {
    let sql = "SELECT k.kind, \
           SUM(CASE WHEN k.met_at IS NOT NULL OR k.breached_at IS NOT NULL OR k.due_at <= $4 \
               THEN 1 ELSE 0 END) AS due, \
           SUM(CASE WHEN k.met_at IS NOT NULL AND k.met_at <= k.due_at \
               THEN 1 ELSE 0 END) AS met \
         FROM sla_clocks k \
         WHERE k.workspace_id = $1 AND k.due_at >= $2 AND k.due_at < $3 \
         GROUP BY k.kind";
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
        as_of.into(),
    ];
    let rows = ClockRow::find_by_statement(statement(tenant, sql, values))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.kind,
                ClockCounts {
                    due: count(row.due),
                    met: count(row.met),
                },
            )
        })
        .collect())
}
