//! Facts kept by a job (`jobs::credits`, `jobs::suspects`, `jobs::reach`): a row whose fact is
//! out of date carries a due condition (an indexed flag, or its presence on a due list), the
//! job finds a workspace with due rows, then takes a batch of them locked, so that a write
//! marking one due again waits until the job's transaction ends and marks it after.

use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::{
    sql::{is_postgres, statement, statement_for},
    Global, Tenant,
};
use crate::error::AppResult;

/// A table whose rows carry a fact a job keeps (or list what is due), the column naming the
/// row's subject, and the condition of a row whose fact is due.
pub struct DueRows {
    pub table: &'static str,
    pub key: &'static str,
    pub due: &'static str,
}

impl DueRows {
    /// A workspace with due rows, if any.
    pub async fn workspace<C: ConnectionTrait>(
        &self,
        global: &Global<'_, C>,
    ) -> AppResult<Option<Uuid>> {
        #[derive(FromQueryResult)]
        struct Row {
            workspace_id: Uuid,
        }
        let backend = global.conn().get_database_backend();
        let sql = format!(
            "SELECT workspace_id FROM {} WHERE {} LIMIT 1",
            self.table, self.due
        );
        Ok(Row::find_by_statement(statement_for(backend, &sql, vec![]))
            .one(global.conn())
            .await?
            .map(|r| r.workspace_id))
    }

    /// Up to `limit` of the workspace's due rows' keys, in order; on Postgres locked (rows another job
    /// holds are skipped).
    pub async fn batch<C: ConnectionTrait>(
        &self,
        tenant: &Tenant<'_, C>,
        limit: usize,
    ) -> AppResult<Vec<Uuid>> {
        #[derive(FromQueryResult)]
        struct Row {
            due_key: Uuid,
        }
        let lock = if is_postgres(tenant) {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {key} AS due_key FROM {} WHERE workspace_id = $1 AND {} ORDER BY {key} \
             LIMIT {limit}{lock}",
            self.table,
            self.due,
            key = self.key
        );
        let values = vec![tenant.workspace_id().into()];
        Ok(Row::find_by_statement(statement(tenant, &sql, values))
            .all(tenant.conn())
            .await?
            .into_iter()
            .map(|r| r.due_key)
            .collect())
    }
}
