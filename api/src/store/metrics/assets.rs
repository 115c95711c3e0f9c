//! `assetPerformance`'s reads, each one aggregate statement over a range (the definitions:
//! `domain::metrics::assets`): cadence tasks by `(workspace, asset, due_at)`, touches and events
//! by `(workspace, asset, occurred_at)`; the leads an asset reached and the stage changes after
//! (by `(workspace, contact, changed_at)`); the deals won in the range at accounts it reached
//! (by `(workspace, closed_at)`, then an index probe per deal and asset).

use std::collections::HashMap;

use entity::{asset, FunnelStage, LeadStage};
use sea_orm::{ColumnTrait, ConnectionTrait, FromQueryResult, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    domain::metrics::{assets::AssetCounts, Range},
    error::AppResult,
    store::{
        sql::{is_postgres, statement},
        Tenant,
    },
};

/// The catalog's assets, of `stage` when one is named, by name.
pub async fn catalog<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stage: Option<FunnelStage>,
) -> AppResult<Vec<asset::Model>> {
    let mut query = tenant.select::<asset::Entity>();
    if let Some(stage) = stage {
        query = query.filter(asset::Column::FunnelStage.eq(stage));
    }
    Ok(query
        .order_by_asc(asset::Column::Name)
        .order_by_asc(asset::Column::Id)
        .all(tenant.conn())
        .await?)
}

fn count(n: Option<i64>) -> u64 {
    n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

fn range_values<C: ConnectionTrait>(tenant: &Tenant<'_, C>, range: &Range) -> Vec<sea_orm::Value> {
    vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
    ]
}

#[derive(FromQueryResult)]
struct UseRow {
    asset_id: Uuid,
    n: Option<i64>,
    play_uses: Option<i64>,
    replies: Option<i64>,
    meetings: Option<i64>,
}

/// Per asset: cadence uses, play uses, touches, replies, meetings and engagements in `range`.
pub async fn use_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<HashMap<Uuid, AssetCounts>> {
    let tasks = "SELECT asset_id, COUNT(*) AS n, CAST(0 AS BIGINT) AS play_uses, \
           CAST(0 AS BIGINT) AS replies, CAST(0 AS BIGINT) AS meetings \
         FROM tasks WHERE workspace_id = $1 AND asset_id IS NOT NULL \
           AND due_at >= $2 AND due_at < $3 AND status <> 'CANCELLED' \
         GROUP BY asset_id";
    let touches = "SELECT asset_id, COUNT(*) AS n, \
           SUM(CASE WHEN play_id IS NOT NULL THEN 1 ELSE 0 END) AS play_uses, \
           SUM(CASE WHEN outcome = 'REPLIED' THEN 1 ELSE 0 END) AS replies, \
           SUM(CASE WHEN outcome = 'MEETING_BOOKED' THEN 1 ELSE 0 END) AS meetings \
         FROM touches WHERE workspace_id = $1 AND asset_id IS NOT NULL \
           AND occurred_at >= $2 AND occurred_at < $3 \
         GROUP BY asset_id";
    let events = "SELECT asset_id, COUNT(*) AS n, CAST(0 AS BIGINT) AS play_uses, \
           CAST(0 AS BIGINT) AS replies, CAST(0 AS BIGINT) AS meetings \
         FROM events WHERE workspace_id = $1 AND asset_id IS NOT NULL \
           AND occurred_at >= $2 AND occurred_at < $3 \
         GROUP BY asset_id";
    let read = |sql: &'static str| {
        UseRow::find_by_statement(statement(tenant, sql, range_values(tenant, range)))
            .all(tenant.conn())
    };
    let (tasks, touches, events) = tokio::try_join!(read(tasks), read(touches), read(events))?;
    let mut counts: HashMap<Uuid, AssetCounts> = HashMap::new();
    for row in tasks {
        counts.entry(row.asset_id).or_default().cadence_uses = count(row.n);
    }
    for row in touches {
        let c = counts.entry(row.asset_id).or_default();
        c.touches = count(row.n);
        c.play_uses = count(row.play_uses);
        c.replies = count(row.replies);
        c.meetings = count(row.meetings);
    }
    for row in events {
        counts.entry(row.asset_id).or_default().engagements = count(row.n);
    }
    Ok(counts)
}

/// Each (asset, lead) the asset reached in the range, at the first touch or event carrying it.
const REACHED: &str = "SELECT asset_id, contact_id, MIN(at) AS first_at FROM ( \
       SELECT t.asset_id, t.contact_id, t.occurred_at AS at FROM touches t \
       WHERE t.workspace_id = $1 AND t.asset_id IS NOT NULL \
         AND t.occurred_at >= $2 AND t.occurred_at < $3 \
       UNION ALL \
       SELECT e.asset_id, e.contact_id, e.occurred_at AS at FROM events e \
       WHERE e.workspace_id = $1 AND e.asset_id IS NOT NULL \
         AND e.occurred_at >= $2 AND e.occurred_at < $3) u \
     GROUP BY asset_id, contact_id";

#[derive(FromQueryResult)]
struct ReachRow {
    asset_id: Uuid,
    leads: i64,
}

/// Per asset, the leads it reached in `range`.
pub async fn leads_reached<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<HashMap<Uuid, u64>> {
    let sql = format!("SELECT asset_id, COUNT(*) AS leads FROM ({REACHED}) r GROUP BY asset_id");
    let rows = ReachRow::find_by_statement(statement(tenant, &sql, range_values(tenant, range)))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.asset_id, count(Some(r.leads))))
        .collect())
}

#[derive(FromQueryResult)]
struct MoveRow {
    asset_id: Uuid,
    from_stage: Option<LeadStage>,
    to_stage: LeadStage,
}

/// The stage changes in `range` of each lead an asset reached, after it reached the lead:
/// `(asset, from, to)`.
pub async fn moves_after_reach<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<(Uuid, Option<LeadStage>, LeadStage)>> {
    let sql = format!(
        "SELECT r.asset_id, s.from_stage, s.to_stage FROM ({REACHED}) r \
         JOIN stage_changes s ON s.workspace_id = $1 AND s.contact_id = r.contact_id \
           AND s.changed_at > r.first_at AND s.changed_at < $3"
    );
    let rows = MoveRow::find_by_statement(statement(tenant, &sql, range_values(tenant, range)))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.asset_id, r.from_stage, r.to_stage))
        .collect())
}

#[derive(FromQueryResult)]
struct WonRow {
    asset_id: Uuid,
    deals: i64,
    amount: Option<f64>,
}

/// Per asset: the deals won in `range` at an account where a contact was touched by, or
/// engaged with, the asset before the close, and their amount.
pub async fn won_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<HashMap<Uuid, (u64, f64)>> {
    let real = if is_postgres(tenant) {
        "double precision"
    } else {
        "REAL"
    };
    let sql = format!(
        "SELECT a.id AS asset_id, COUNT(*) AS deals, CAST(SUM(d.amount) AS {real}) AS amount \
         FROM opportunities d \
         JOIN assets a ON a.workspace_id = d.workspace_id \
         WHERE d.workspace_id = $1 AND d.stage = 'CLOSED_WON' \
           AND d.closed_at >= $2 AND d.closed_at < $3 \
           AND EXISTS (SELECT 1 FROM contacts c \
             WHERE c.workspace_id = d.workspace_id AND c.account_id = d.account_id \
               AND (EXISTS (SELECT 1 FROM touches t \
                      WHERE t.workspace_id = c.workspace_id AND t.contact_id = c.id \
                        AND t.asset_id = a.id AND t.occurred_at < d.closed_at) \
                    OR EXISTS (SELECT 1 FROM events e \
                      WHERE e.workspace_id = c.workspace_id AND e.contact_id = c.id \
                        AND e.asset_id = a.id AND e.occurred_at < d.closed_at))) \
         GROUP BY a.id"
    );
    let rows = WonRow::find_by_statement(statement(tenant, &sql, range_values(tenant, range)))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.asset_id, (count(Some(r.deals)), r.amount.unwrap_or(0.0))))
        .collect())
}
