//! Each account's suspects, kept (migration 000030): its contacts of at least the contract's
//! minimum fit, counted by whether they have an event and how far along the funnel their
//! history reached. An account's rows count exactly while its `suspects_fit` is the minimum
//! fit they were counted for; triggers on `contacts` clear it whenever a contact's part in the
//! count changes, [`refit`] when the contract's minimum changes, and the job
//! (`jobs::suspects`) counts the account again and sets it, in one transaction.

use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use super::{
    sql::{self, is_postgres, statement},
    Global, Tenant,
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

/// A workspace with accounts whose suspects are due, if any.
pub async fn workspace_with_due<C: ConnectionTrait>(
    global: &Global<'_, C>,
) -> AppResult<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct Row {
        workspace_id: Uuid,
    }
    let backend = global.conn().get_database_backend();
    let sql = "SELECT workspace_id FROM accounts WHERE suspects_fit IS NULL LIMIT 1";
    Ok(
        Row::find_by_statement(sql::statement_for(backend, sql, vec![]))
            .one(global.conn())
            .await?
            .map(|r| r.workspace_id),
    )
}

/// Up to `limit` of the workspace's accounts whose suspects are due; on Postgres locked
/// (accounts another job holds are skipped), so a contact's write that marks one due waits
/// until it is counted, and marks it again after.
pub async fn due_batch<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    limit: usize,
) -> AppResult<Vec<Uuid>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
    }
    let lock = if is_postgres(tenant) {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id FROM accounts WHERE workspace_id = $1 AND suspects_fit IS NULL \
         ORDER BY id LIMIT {limit}{lock}"
    );
    let values = vec![tenant.workspace_id().into()];
    Ok(Row::find_by_statement(statement(tenant, &sql, values))
        .all(tenant.conn())
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// Counts these accounts' suspects at `min_fit` from their contacts, replacing their rows, and
/// records the minimum they were counted for.
pub async fn recount<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    accounts: &[Uuid],
    min_fit: i32,
) -> AppResult<()> {
    for chunk in accounts.chunks(sql::IDS_PER_STATEMENT) {
        let listed = |first: usize, mut values: Vec<Value>| {
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            (sql::id_list(first, chunk.len()), values)
        };
        let (ids, values) = listed(2, vec![tenant.workspace_id().into()]);
        let delete =
            format!("DELETE FROM account_suspects WHERE workspace_id = $1 AND account_id IN {ids}");
        run(tenant, &delete, values).await?;
        let (ids, values) = listed(3, vec![tenant.workspace_id().into(), min_fit.into()]);
        let insert = format!(
            "INSERT INTO account_suspects (workspace_id, account_id, inquired, reached, suspects) \
             SELECT c.workspace_id, c.account_id, {INQUIRED}, c.funnel_reach, COUNT(*) \
             FROM contacts c WHERE c.workspace_id = $1 AND c.account_id IN {ids} AND {SUSPECT} \
             GROUP BY c.workspace_id, c.account_id, {INQUIRED}, c.funnel_reach"
        );
        run(tenant, &insert, values.clone()).await?;
        let counted = format!(
            "UPDATE accounts SET suspects_fit = $2 WHERE workspace_id = $1 AND id IN {ids}"
        );
        run(tenant, &counted, values).await?;
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
