//! Facts `marketCoverage` counts from, kept as the history is written (migration 000026): how
//! far along the funnel's path each lead's stays went, raised with the stays recorded, and each
//! account's latest event, raised with each batch's events. A statement only ever raises a fact
//! (`<`), so writers in any order leave the furthest; and no write of a lead or account model
//! can set one back, since the entities leave these columns out. (A contact's latest event,
//! `contacts.last_event_at`, is part of the lead that ingestion writes back.)

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::LeadStage;
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::{sql, Tenant};
use crate::{domain::metrics::funnel_reach, error::AppResult};

/// Raises each lead's funnel reach to that of the stays it entered (`(lead, stage)` pairs).
pub async fn raise_funnel_reach<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    stays: impl IntoIterator<Item = (Uuid, LeadStage)>,
) -> AppResult<()> {
    let mut furthest: HashMap<Uuid, i16> = HashMap::new();
    for (lead, stage) in stays {
        let reach = funnel_reach(stage);
        if reach > 0 {
            let at = furthest.entry(lead).or_default();
            *at = (*at).max(reach);
        }
    }
    let rows = furthest.into_iter().map(|(id, r)| (id, r.into())).collect();
    raise(tenant, "contacts", "funnel_reach", rows).await
}

/// Raises each account's latest event to the latest of `events` (`(account, occurred_at)`).
pub async fn raise_account_last_event<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    events: impl IntoIterator<Item = (Uuid, DateTime<Utc>)>,
) -> AppResult<()> {
    let mut latest: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for (account, at) in events {
        let known = latest.entry(account).or_insert(at);
        *known = (*known).max(at);
    }
    let rows = latest.into_iter().map(|(id, at)| (id, at.into())).collect();
    raise(tenant, "accounts", "last_event_at", rows).await
}

/// Sets `column` of each row of `table` to the value given for its id where that is more (a
/// null is less than anything): one statement per chunk, each id once.
async fn raise<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    table: &str,
    column: &str,
    mut rows: Vec<(Uuid, Value)>,
) -> AppResult<()> {
    // One order, so batches raising the same rows lock them in the same order.
    rows.sort_by_key(|(id, _)| *id);
    for chunk in rows.chunks(sql::rows_per_statement(3)) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 2 + 1);
        for (id, value) in chunk {
            values.push((*id).into());
            values.push(value.clone());
        }
        values.push(tenant.workspace_id().into());
        let sql = format!(
            "WITH v(id, value) AS (VALUES {tuples}) UPDATE {table} SET {column} = v.value FROM v \
             WHERE {table}.workspace_id = ${last} AND {table}.id = v.id \
               AND ({table}.{column} IS NULL OR {table}.{column} < v.value)",
            tuples = sql::values_tuples(1, chunk.len(), 2),
            last = values.len(),
        );
        tenant
            .conn()
            .execute_raw(sql::statement(tenant, &sql, values))
            .await?;
    }
    Ok(())
}
