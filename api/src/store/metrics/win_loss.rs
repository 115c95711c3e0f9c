//! Win/loss reads: the deals closed in a range, counted in the database per group, outcome and
//! lost reason (one statement over the `(workspace, closed_at)` index), and the lost deals of a
//! week with whether marketing touched their account before the close.

use chrono::{DateTime, Utc};
use entity::OpportunityStage;
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{
    domain::metrics::{
        win_loss::{ClosedCount, WinLossGroup, WinLossKey},
        Range,
    },
    domain::review::LostDeal,
    error::AppResult,
    store::{
        sql::{is_postgres, statement},
        Tenant,
    },
};

#[derive(FromQueryResult)]
struct CountRow {
    key_id: Option<Uuid>,
    key_text: Option<String>,
    stage: OpportunityStage,
    reason: Option<String>,
    deals: i64,
    amount: Option<f64>,
    cycle_deals: i64,
    cycle_days: Option<f64>,
}

/// The deal's account's segment.
const SEGMENT: &str = "(SELECT a.segment FROM accounts a \
    WHERE a.workspace_id = d.workspace_id AND a.id = d.account_id)";

/// The deals won or lost in `range`, counted per `group_by` value, outcome and lost reason.
pub async fn closed_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    group_by: WinLossGroup,
) -> AppResult<Vec<ClosedCount>> {
    let pg = is_postgres(tenant);
    let (no_id, no_text, real) = if pg {
        (
            "CAST(NULL AS uuid)",
            "CAST(NULL AS text)",
            "double precision",
        )
    } else {
        ("NULL", "NULL", "REAL")
    };
    // Days from creation to close, fractions included.
    let cycle = if pg {
        "EXTRACT(EPOCH FROM (d.closed_at - d.created_at)) / 86400.0"
    } else {
        "julianday(d.closed_at) - julianday(d.created_at)"
    };
    let (key_id, key_text) = match group_by {
        // The reason is a column of its own.
        WinLossGroup::Reason => (no_id, no_text),
        WinLossGroup::Segment => (no_id, SEGMENT),
        WinLossGroup::Source => ("d.source_id", no_text),
        WinLossGroup::Competitor => (no_id, "d.competitor"),
        WinLossGroup::Owner => ("d.owner_id", no_text),
    };
    let sql = format!(
        "SELECT key_id, key_text, stage, reason, COUNT(*) AS deals, \
           CAST(SUM(amount) AS {real}) AS amount, COUNT(cycle) AS cycle_deals, \
           CAST(SUM(cycle) AS {real}) AS cycle_days \
         FROM ( \
           SELECT {key_id} AS key_id, {key_text} AS key_text, d.stage, \
             d.lost_reason AS reason, d.amount, \
             CASE WHEN d.closed_at >= d.created_at THEN {cycle} END AS cycle \
           FROM opportunities d \
           WHERE d.workspace_id = $1 AND d.closed_at >= $2 AND d.closed_at < $3 \
             AND d.stage IN ('CLOSED_WON', 'CLOSED_LOST')) closed \
         GROUP BY key_id, key_text, stage, reason"
    );
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
    ];
    let rows = CountRow::find_by_statement(statement(tenant, &sql, values))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let won = row.stage == OpportunityStage::ClosedWon;
            ClosedCount {
                key: match (row.key_id, row.key_text) {
                    (Some(id), _) => WinLossKey::Id(id),
                    (None, Some(text)) => WinLossKey::Text(text),
                    (None, None) => WinLossKey::None,
                },
                won,
                reason: row.reason.filter(|_| !won),
                deals: u64::try_from(row.deals).unwrap_or(0),
                amount: row.amount.unwrap_or(0.0),
                cycle_deals: u64::try_from(row.cycle_deals).unwrap_or(0),
                cycle_days: row.cycle_days.unwrap_or(0.0),
            }
        })
        .collect())
}

/// A deal lost in the range, and whether any contact of its account engaged (an event, which
/// marketing's systems send) before the close.
#[derive(FromQueryResult)]
struct LostDealRow {
    id: Uuid,
    name: String,
    amount: f64,
    owner_id: Option<Uuid>,
    lost_reason: Option<String>,
    competitor: Option<String>,
    closed_at: DateTime<Utc>,
    touched: i32,
}

/// The deals lost in `range`, in one statement: the touch is an index probe per deal
/// (contacts by account, then their first event before the close), as for
/// marketing-influenced revenue.
pub async fn lost_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<LostDeal>> {
    let sql = "SELECT d.id, d.name, d.amount, d.owner_id, d.lost_reason, d.competitor, \
           d.closed_at, \
           CASE WHEN EXISTS (SELECT 1 FROM contacts c \
             WHERE c.workspace_id = d.workspace_id AND c.account_id = d.account_id \
               AND EXISTS (SELECT 1 FROM events e \
                 WHERE e.workspace_id = c.workspace_id AND e.contact_id = c.id \
                   AND e.occurred_at < d.closed_at)) THEN 1 ELSE 0 END AS touched \
         FROM opportunities d \
         WHERE d.workspace_id = $1 AND d.closed_at >= $2 AND d.closed_at < $3 \
           AND d.stage = 'CLOSED_LOST'";
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
    ];
    let rows = LostDealRow::find_by_statement(statement(tenant, sql, values))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| LostDeal {
            id: row.id,
            name: row.name,
            amount: row.amount,
            owner_id: row.owner_id,
            reason: row.lost_reason,
            competitor: row.competitor,
            closed_at: row.closed_at,
            marketing_touched: row.touched == 1,
        })
        .collect())
}
