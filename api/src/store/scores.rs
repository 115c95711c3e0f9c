//! The score ledger: one row per point-bearing rule an event fired.

use chrono::{DateTime, Utc};
use entity::{score_entry, ScoreKind};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use uuid::Uuid;

use super::Tenant;
use crate::error::AppResult;

/// Every ledger row of these contacts.
pub async fn of_contacts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contacts: Vec<Uuid>,
) -> AppResult<Vec<score_entry::Model>> {
    if contacts.is_empty() {
        return Ok(Vec::new());
    }
    let select = tenant
        .select::<score_entry::Entity>()
        .filter(score_entry::Column::ContactId.is_in(contacts));
    Ok(super::positional::all(select, tenant.conn()).await?)
}

/// One group of a contact's ledger: the entries of one rule, kind and sign (interest or its
/// opposite), summed, with the first and the latest time.
pub struct LedgerGroup {
    pub contact_id: Uuid,
    pub rule: String,
    pub kind: ScoreKind,
    pub points: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// The ledgers of these contacts grouped by rule, kind and sign (see
/// `domain::scoring::compact`): a bounded number of rows per contact however long its history.
pub async fn groups_of_contacts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    contacts: &[Uuid],
) -> AppResult<Vec<LedgerGroup>> {
    let mut groups = Vec::new();
    for chunk in contacts.chunks(super::sql::CHUNK) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT contact_id, rule, kind, SUM(points) AS points, MIN(occurred_at) AS first_at, \
             MAX(occurred_at) AS last_at FROM score_entries \
             WHERE workspace_id = $1 AND contact_id IN ({}) \
             GROUP BY contact_id, rule, kind, points >= 0 ORDER BY first_at",
            placeholders.join(", ")
        );
        let mut values = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| (*id).into()));
        let rows = tenant
            .conn()
            .query_all_raw(super::sql::statement(tenant, &sql, values))
            .await?;
        for row in rows {
            groups.push(LedgerGroup {
                contact_id: row.try_get_by::<Uuid, _>(0)?,
                rule: row.try_get_by::<String, _>(1)?,
                kind: row.try_get_by::<ScoreKind, _>(2)?,
                points: row.try_get_by::<i64, _>(3)?,
                first_at: row.try_get_by::<DateTime<Utc>, _>(4)?,
                last_at: row.try_get_by::<DateTime<Utc>, _>(5)?,
            });
        }
    }
    Ok(groups)
}

/// Appends ledger rows, as many to a statement as the bound values allow (a batch's entries
/// fit one).
pub async fn append<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<score_entry::ActiveModel>,
) -> AppResult<()> {
    super::sql::insert_all::<score_entry::Entity, _>(tenant, &rows).await
}
