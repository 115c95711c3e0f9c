//! Each won deal's assets, kept as lines (migration 000032): per won deal, one line for each
//! asset that touched or engaged a contact of its account before the close, with the deal's
//! close and amount. A won deal has lines exactly while it is not on the due list: triggers on
//! `touches`, `events`, `contacts` and `opportunities` list it and delete its lines whenever
//! what it was touched by may have changed, and the job (`jobs::won_deal_assets`) writes them
//! again and takes it off, in one transaction.

use chrono::{DateTime, Utc};
use entity::won_deal_asset;
use sea_orm::{ConnectionTrait, FromQueryResult, Set, Value};
use uuid::Uuid;

use super::{
    due_flags::DueRows,
    sql::{self, statement},
    Tenant,
};
use crate::error::AppResult;

/// The deals whose lines are due. A write that lists one the job holds waits until its lines
/// are written, and lists it again after.
pub const DUE: DueRows = DueRows {
    table: "won_deal_assets_due",
    key: "opportunity_id",
    due: "TRUE",
};

/// Each (won deal, asset) pair once, as `opportunity_id, amount, closed_at, asset_id`: the
/// deals of the workspace (`$1`) won and matching `filter` (alias `d`, after `join`), and the
/// assets whose touches or events reached one of their account's contacts before the close.
/// From each deal to its account's contacts (ids carried by `ix_contacts_account_ids`), and
/// their rows by `(workspace, contact, occurred_at)`.
pub fn touched_before_close(join: &str, filter: &str) -> String {
    let of = |table: &str| {
        format!(
            "SELECT d.id AS opportunity_id, d.amount, d.closed_at, x.asset_id \
             FROM opportunities d {join} \
             JOIN contacts c ON c.workspace_id = d.workspace_id AND c.account_id = d.account_id \
             JOIN {table} x ON x.workspace_id = c.workspace_id AND x.contact_id = c.id \
               AND x.asset_id IS NOT NULL AND x.occurred_at < d.closed_at \
             WHERE d.workspace_id = $1 AND d.stage = 'CLOSED_WON' AND {filter}"
        )
    };
    format!("{} UNION {}", of("touches"), of("events"))
}

#[derive(FromQueryResult)]
struct PairRow {
    opportunity_id: Uuid,
    amount: f64,
    closed_at: DateTime<Utc>,
    asset_id: Uuid,
}

/// Works out these deals' lines from the history and keeps them in place of their old ones,
/// taking the deals off the due list (a deal no longer won gets none).
pub async fn keep<C: ConnectionTrait>(tenant: &Tenant<'_, C>, deals: &[Uuid]) -> AppResult<()> {
    let mut lines = Vec::new();
    for chunk in deals.chunks(sql::IDS_PER_STATEMENT) {
        let mut values: Vec<Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let ids = sql::id_list(2, chunk.len());
        let pairs = touched_before_close("", &format!("d.id IN {ids}"));
        let rows = PairRow::find_by_statement(statement(tenant, &pairs, values.clone()))
            .all(tenant.conn())
            .await?;
        lines.extend(rows.into_iter().map(|row| won_deal_asset::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(tenant.workspace_id()),
            opportunity_id: Set(row.opportunity_id),
            asset_id: Set(row.asset_id),
            closed_at: Set(row.closed_at),
            amount: Set(row.amount),
        }));
        for table in ["won_deal_assets", "won_deal_assets_due"] {
            let sql =
                format!("DELETE FROM {table} WHERE workspace_id = $1 AND opportunity_id IN {ids}");
            tenant
                .conn()
                .execute_raw(statement(tenant, &sql, values.clone()))
                .await?;
        }
    }
    sql::insert_all::<won_deal_asset::Entity, _>(tenant, &lines).await
}
