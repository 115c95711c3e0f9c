//! `assetPerformance`'s reads, each one aggregate statement over a range (the definitions:
//! `domain::metrics::assets`). Every read starts from the catalog's assets and seeks each
//! asset's rows of the range through an index that leads with the asset (migration 000025):
//! cadence tasks by `(workspace, asset, due_at)`, touches by `(workspace, asset, occurred_at,
//! ...)` and the events that carry an asset by `(workspace, asset, occurred_at, contact)`
//! (partial: most events carry none). The leads an asset reached and their advances after it
//! are kept as lines (`store::asset_reach`, migration 000031), and so are the assets that
//! touched each won deal (`store::won_deal_assets`, migration 000032), summed per request.

use std::collections::HashMap;

use entity::{asset, FunnelStage, LeadStage};
use sea_orm::{ColumnTrait, ConnectionTrait, FromQueryResult, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    domain::metrics::{assets::AssetCounts, Range},
    error::AppResult,
    store::{
        sql::{is_postgres, statement},
        won_deal_assets::touched_before_close,
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

/// The rows of `table` (alias `x`) carrying each asset of the workspace's catalog with `at` in
/// the range: one index seek per asset (`asset_id IS NOT NULL` names the partial indexes'
/// condition, for planners that do not infer it from the join).
fn of_each_asset(table: &str, at: &str) -> String {
    format!(
        "assets a JOIN {table} x ON x.workspace_id = a.workspace_id AND x.asset_id = a.id \
           AND x.asset_id IS NOT NULL AND x.{at} >= $2 AND x.{at} < $3 \
         WHERE a.workspace_id = $1"
    )
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
    let zero = "CAST(0 AS BIGINT)";
    let tasks = format!(
        "SELECT a.id AS asset_id, CAST(COUNT(*) AS BIGINT) AS n, {zero} AS play_uses, \
           {zero} AS replies, {zero} AS meetings \
         FROM {} AND x.status <> 'CANCELLED' GROUP BY a.id",
        of_each_asset("tasks", "due_at")
    );
    let touches = format!(
        "SELECT a.id AS asset_id, CAST(COUNT(*) AS BIGINT) AS n, \
           CAST(SUM(CASE WHEN x.play_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS play_uses, \
           CAST(SUM(CASE WHEN x.outcome = 'REPLIED' THEN 1 ELSE 0 END) AS BIGINT) AS replies, \
           CAST(SUM(CASE WHEN x.outcome = 'MEETING_BOOKED' THEN 1 ELSE 0 END) AS BIGINT) \
             AS meetings \
         FROM {} GROUP BY a.id",
        of_each_asset("touches", "occurred_at")
    );
    let events = format!(
        "SELECT a.id AS asset_id, CAST(COUNT(*) AS BIGINT) AS n, {zero} AS play_uses, \
           {zero} AS replies, {zero} AS meetings \
         FROM {} GROUP BY a.id",
        of_each_asset("events", "occurred_at")
    );
    let read = |sql: &str| {
        UseRow::find_by_statement(statement(tenant, sql, range_values(tenant, range)))
            .all(tenant.conn())
    };
    let (tasks, touches, events) = tokio::try_join!(read(&tasks), read(&touches), read(&events))?;
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

#[derive(FromQueryResult)]
struct ReachRow {
    asset_id: Uuid,
    from_stage: Option<LeadStage>,
    to_stage: Option<LeadStage>,
    reached: Option<i64>,
    advances: Option<i64>,
}

/// What the assets' reach led to in the range.
#[derive(Debug, Default)]
pub struct Reach {
    /// Per asset, the leads it first reached in the range.
    pub leads: HashMap<Uuid, u64>,
    /// Per asset, the stage advances kept for the range.
    pub advances: HashMap<Uuid, u64>,
    /// The stage changes in the range of the leads whose lines are due, after the asset first
    /// reached them, counted per `(asset, from, to)`: the caller judges which are advances.
    pub moves: Vec<(Uuid, Option<LeadStage>, LeadStage, u64)>,
}

/// Per asset, the leads it first reached in `range` and their stage changes after that, in the
/// range: the kept lines of the range (`store::asset_reach`), summed by an index by time that
/// carries them, and for the leads whose lines are due the same worked out from their history,
/// in one statement, so that a lead is counted exactly once (its lines or its history).
pub async fn reach<C: ConnectionTrait>(tenant: &Tenant<'_, C>, range: &Range) -> AppResult<Reach> {
    let carrying = |table: &str| {
        format!(
            "SELECT x.asset_id, x.contact_id, x.occurred_at AS at FROM asset_reach_due d \
             JOIN {table} x ON x.workspace_id = d.workspace_id AND x.contact_id = d.contact_id \
               AND x.asset_id IS NOT NULL \
             WHERE d.workspace_id = $1"
        )
    };
    let sql = format!(
        "WITH reached AS MATERIALIZED ( \
           SELECT asset_id, contact_id, MIN(at) AS first_at \
           FROM ({touches} UNION ALL {events}) u GROUP BY asset_id, contact_id) \
         SELECT r.asset_id, s.from_stage, s.to_stage, CAST(0 AS BIGINT) AS reached, \
           CAST(COUNT(*) AS BIGINT) AS advances \
         FROM reached r JOIN stage_changes s ON s.workspace_id = $1 \
           AND s.contact_id = r.contact_id AND s.changed_at > r.first_at \
           AND s.changed_at >= $2 AND s.changed_at < $3 \
         GROUP BY r.asset_id, s.from_stage, s.to_stage \
         UNION ALL \
         SELECT asset_id, NULL, NULL, CAST(COUNT(*) AS BIGINT), CAST(0 AS BIGINT) FROM reached \
         WHERE first_at >= $2 AND first_at < $3 GROUP BY asset_id \
         UNION ALL \
         SELECT asset_id, NULL, NULL, CAST(SUM(reached) AS BIGINT), \
           CAST(SUM(advances) AS BIGINT) \
         FROM asset_reach_lines WHERE workspace_id = $1 AND at >= $2 AND at < $3 \
         GROUP BY asset_id",
        touches = carrying("touches"),
        events = carrying("events"),
    );
    let rows = ReachRow::find_by_statement(statement(tenant, &sql, range_values(tenant, range)))
        .all(tenant.conn())
        .await?;
    let mut reach = Reach::default();
    for row in rows {
        let (reached, advances) = (count(row.reached), count(row.advances));
        match row.to_stage {
            Some(to) => reach
                .moves
                .push((row.asset_id, row.from_stage, to, advances)),
            None => {
                *reach.leads.entry(row.asset_id).or_default() += reached;
                *reach.advances.entry(row.asset_id).or_default() += advances;
            }
        }
    }
    Ok(reach)
}

#[derive(FromQueryResult)]
struct WonRow {
    asset_id: Uuid,
    deals: i64,
    amount: Option<f64>,
}

/// Per asset: the deals won in `range` at an account where a contact was touched by, or
/// engaged with, the asset before the close, and their amount. The kept lines of the range
/// (`store::won_deal_assets`, by an index by close that carries them), and for the deals
/// whose lines are due the same worked out from the history, in one statement, so that a
/// deal is counted exactly once (its lines or its history).
pub async fn won_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<HashMap<Uuid, (u64, f64)>> {
    let real = if is_postgres(tenant) {
        "double precision"
    } else {
        "REAL"
    };
    let due = touched_before_close(
        "JOIN won_deal_assets_due q ON q.workspace_id = d.workspace_id \
           AND q.opportunity_id = d.id",
        "d.closed_at >= $2 AND d.closed_at < $3",
    );
    let sql = format!(
        "SELECT asset_id, CAST(COUNT(*) AS BIGINT) AS deals, CAST(SUM(amount) AS {real}) AS amount \
         FROM ({due} UNION ALL \
           SELECT opportunity_id, amount, closed_at, asset_id FROM won_deal_assets \
           WHERE workspace_id = $1 AND closed_at >= $2 AND closed_at < $3) w \
         GROUP BY asset_id"
    );
    let rows = WonRow::find_by_statement(statement(tenant, &sql, range_values(tenant, range)))
        .all(tenant.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.asset_id, (count(Some(r.deals)), r.amount.unwrap_or(0.0))))
        .collect())
}
