//! Each lead's reach by the assets, kept as lines (migration 000031): per lead and asset, a
//! line at the asset's first reach of it and one at each later stage change that moved it down
//! the funnel (`domain::metrics::assets::reach_lines`). A lead has lines exactly while it is
//! not on the due list: triggers on `touches`, `events` and `stage_changes` list it and delete
//! its lines whenever its history changes, and the job (`jobs::reach`) writes them again and
//! takes it off, in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{asset_reach_line, LeadStage};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use super::{
    due_flags::DueRows,
    sql::{self, statement},
    Tenant,
};
use crate::error::AppResult;

/// The leads whose lines are due. A write of history that lists one the job holds waits until
/// its lines are written, and lists it again after.
pub const DUE: DueRows = DueRows {
    table: "asset_reach_due",
    key: "contact_id",
    due: "TRUE",
};

/// What a lead's lines are worked out from.
#[derive(Debug, Default)]
pub struct LeadHistory {
    /// Per asset, the first touch or event carrying it.
    pub first_reaches: Vec<(Uuid, DateTime<Utc>)>,
    /// Every stage change: from, to, when.
    pub moves: Vec<(Option<LeadStage>, LeadStage, DateTime<Utc>)>,
}

#[derive(FromQueryResult)]
struct ReachRow {
    contact_id: Uuid,
    asset_id: Uuid,
    first_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct MoveRow {
    contact_id: Uuid,
    from_stage: Option<LeadStage>,
    to_stage: LeadStage,
    changed_at: DateTime<Utc>,
}

/// The history of these leads (a lead without any is left out).
pub async fn histories<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    leads: &[Uuid],
) -> AppResult<HashMap<Uuid, LeadHistory>> {
    let mut histories: HashMap<Uuid, LeadHistory> = HashMap::new();
    for chunk in leads.chunks(sql::IDS_PER_STATEMENT) {
        let mut values: Vec<Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let ids = sql::id_list(2, chunk.len());
        let carrying = |table: &str| {
            format!(
                "SELECT asset_id, contact_id, occurred_at AS at FROM {table} \
                 WHERE workspace_id = $1 AND contact_id IN {ids} AND asset_id IS NOT NULL"
            )
        };
        let reaches = format!(
            "SELECT contact_id, asset_id, MIN(at) AS first_at FROM ({} UNION ALL {}) u \
             GROUP BY contact_id, asset_id",
            carrying("touches"),
            carrying("events")
        );
        let moves = format!(
            "SELECT contact_id, from_stage, to_stage, changed_at FROM stage_changes \
             WHERE workspace_id = $1 AND contact_id IN {ids}"
        );
        let reaches = ReachRow::find_by_statement(statement(tenant, &reaches, values.clone()))
            .all(tenant.conn())
            .await?;
        let moves = MoveRow::find_by_statement(statement(tenant, &moves, values))
            .all(tenant.conn())
            .await?;
        for row in reaches {
            histories
                .entry(row.contact_id)
                .or_default()
                .first_reaches
                .push((row.asset_id, row.first_at));
        }
        for row in moves {
            // A lead no asset reached has no lines, whatever its moves.
            if let Some(history) = histories.get_mut(&row.contact_id) {
                history
                    .moves
                    .push((row.from_stage, row.to_stage, row.changed_at));
            }
        }
    }
    Ok(histories)
}

/// Replaces these leads' lines with `lines` and takes them off the due list.
pub async fn keep<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    leads: &[Uuid],
    lines: Vec<asset_reach_line::ActiveModel>,
) -> AppResult<()> {
    for chunk in leads.chunks(sql::IDS_PER_STATEMENT) {
        let mut values: Vec<Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let ids = sql::id_list(2, chunk.len());
        for table in ["asset_reach_lines", "asset_reach_due"] {
            let sql =
                format!("DELETE FROM {table} WHERE workspace_id = $1 AND contact_id IN {ids}");
            tenant
                .conn()
                .execute_raw(statement(tenant, &sql, values.clone()))
                .await?;
        }
    }
    sql::insert_all::<asset_reach_line::Entity, _>(tenant, &lines).await
}
