//! Each account's suspects, kept on the account (migration 000030): its contacts of at least
//! the contract's minimum fit, those with an event, and of those the ones whose history
//! reached MQL, SAL and SQL or further, the waterfall's steps. An account's counts are
//! exact while its `suspects_fit` is the minimum fit they were counted for; triggers on
//! `contacts` clear it whenever a contact's part in the count changes, [`refit`] when the
//! contract's minimum changes, and the job (`jobs::suspects`) counts the account again and
//! sets it, in one transaction.

use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::{
    due_flags::DueRows,
    sql::{self, statement},
    Tenant,
};
use crate::error::AppResult;

/// A contact (`c`) is a suspect at the minimum fit `$2`: the rule of
/// `domain::scoring::matches_icp`, as the waterfall reads it.
pub const SUSPECT: &str = "c.fit_score > 0 AND c.fit_score >= $2";

/// Whether a contact (`c`) has inquired (has an event), as the waterfall counts it.
pub const INQUIRED: &str = "CASE WHEN c.last_event_at IS NULL THEN 0 ELSE 1 END";

/// The contract's minimum fit is now `min_fit`: the accounts counted for another are due.
pub async fn refit<C: ConnectionTrait>(tenant: &Tenant<'_, C>, min_fit: i32) -> AppResult<()> {
    let sql = "UPDATE accounts SET suspects_fit = NULL \
               WHERE workspace_id = $1 AND suspects_fit IS NOT NULL AND suspects_fit <> $2";
    run(
        tenant,
        sql,
        vec![tenant.workspace_id().into(), min_fit.into()],
    )
    .await
}

/// The accounts whose suspects are due. A contact's write that marks one the job holds waits
/// until it is counted, and marks it again after.
pub const DUE: DueRows = DueRows {
    table: "accounts",
    key: "id",
    due: "suspects_fit IS NULL",
};

/// The kept counts of an account (`a`) at the minimum fit `$2`, as columns named like the
/// report's: all suspects, inquiries, and the inquiries that reached MQL, SAL and SQL.
pub const KEPT: [(&str, &str); 5] = [
    ("suspects", "suspects"),
    ("suspect_inquiries", "inquiries"),
    ("suspect_mqls", "mqls"),
    ("suspect_sals", "sals"),
    ("suspect_sqls", "sqls"),
];

/// Counts these accounts' suspects at `min_fit` from their contacts, replacing their counts,
/// and records the minimum they were counted for. The steps are `domain::metrics::waterfall`'s
/// (an MQL, SAL or SQL is an inquiry whose history reached it or further); the report of an
/// account counted from its contacts is the same whether kept or not (`tests/market_coverage`).
pub async fn recount<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    accounts: &[Uuid],
    min_fit: i32,
) -> AppResult<()> {
    let zeroes = KEPT.map(|(column, _)| format!("{column} = 0")).join(", ");
    let counted = KEPT
        .map(|(column, name)| format!("{column} = x.{name}"))
        .join(", ");
    let inquiry = "c.last_event_at IS NOT NULL";
    let count = |condition: &str| format!("SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)");
    for chunk in accounts.chunks(sql::IDS_PER_STATEMENT) {
        let mut values: Vec<Value> = vec![tenant.workspace_id().into(), min_fit.into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let ids = sql::id_list(3, chunk.len());
        let reset = format!(
            "UPDATE accounts SET suspects_fit = $2, {zeroes} WHERE workspace_id = $1 AND id IN {ids}"
        );
        run(tenant, &reset, values.clone()).await?;
        let kept = format!(
            "UPDATE accounts SET {counted} FROM ( \
               SELECT c.account_id, COUNT(*) AS suspects, {inquiries} AS inquiries, \
                 {mqls} AS mqls, {sals} AS sals, {sqls} AS sqls \
               FROM contacts c \
               WHERE c.workspace_id = $1 AND c.account_id IN {ids} AND {SUSPECT} \
               GROUP BY c.account_id) x \
             WHERE accounts.workspace_id = $1 AND accounts.id = x.account_id",
            inquiries = count(inquiry),
            mqls = count(&format!("{inquiry} AND c.funnel_reach >= 1")),
            sals = count(&format!("{inquiry} AND c.funnel_reach >= 2")),
            sqls = count(&format!("{inquiry} AND c.funnel_reach >= 3")),
        );
        run(tenant, &kept, values).await?;
    }
    Ok(())
}

async fn run<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    sql: &str,
    values: Vec<Value>,
) -> AppResult<()> {
    tenant
        .conn()
        .execute_raw(statement(tenant, sql, values))
        .await?;
    Ok(())
}
