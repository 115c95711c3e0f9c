//! The reads behind `attribution`'s deals that have no kept credit lines yet (see
//! `store::deal_credits`) and behind the job that keeps them: the deals named, and their leads'
//! touchpoints and moves into MQL, each in one statement whose leads are the deals' (a grouped
//! subquery, never a row at a time, that also bounds each lead's rows by the creation of its
//! latest deal: nothing later counts); the range's deal totals; and the catalog the groups are
//! keyed by.

use chrono::{DateTime, Utc};
use entity::{campaign, source, OpportunityStage};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult, QuerySelect};
use uuid::Uuid;

use crate::{
    domain::metrics::{Credit, Range},
    error::AppResult,
    store::{sql::statement, Tenant},
};

/// The deals a range credits: created in it (pipeline) or won in it (revenue). `$1` is the
/// workspace, `$2` and `$3` the range.
const DEALS: &str = "d.workspace_id = $1 AND ((d.created_at >= $2 AND d.created_at < $3) \
    OR (d.stage = 'CLOSED_WON' AND d.closed_at >= $2 AND d.closed_at < $3))";

/// A deal's lead: the one it was converted from, else its primary contact.
const LEAD: &str = "COALESCE(d.lead_id, d.primary_contact_id)";

#[derive(FromQueryResult)]
pub struct CreditedDealRow {
    pub id: Uuid,
    pub amount: f64,
    pub stage: OpportunityStage,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lead_id: Option<Uuid>,
}

/// A touchpoint of one of the deals' leads: an event (with its source and campaign) or a rep's
/// touch (`rep` is 1, no source or campaign). Decoded by position (a deal's lead has a dozen
/// touchpoints, so a range's deals bring many rows).
pub struct TouchpointRow {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub at: DateTime<Utc>,
    pub source_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub rep: i64,
}

impl FromQueryResult for TouchpointRow {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        Ok(TouchpointRow {
            id: row.try_get_by_index(0)?,
            contact_id: row.try_get_by_index(1)?,
            at: row.try_get_by_index(2)?,
            source_id: row.try_get_by_index(3)?,
            campaign_id: row.try_get_by_index(4)?,
            rep: row.try_get_by_index(5)?,
        })
    }
}

#[derive(FromQueryResult)]
pub struct MqlEntryRow {
    pub contact_id: Uuid,
    pub changed_at: DateTime<Utc>,
}

/// `d.workspace_id = $1 AND d.id IN ($2, ...)` for `n` deals.
fn named(n: usize) -> String {
    let ids = crate::store::sql::id_list(2, n);
    format!("d.workspace_id = $1 AND d.id IN {ids}")
}

/// The deals' leads, each with the creation of its latest deal (`until`): what the lead did
/// after it counts for none of them, so it is not read.
fn leads(n: usize) -> String {
    format!(
        "SELECT {LEAD} AS lead_id, MAX(d.created_at) AS until FROM opportunities d \
         WHERE {named} AND {LEAD} IS NOT NULL GROUP BY {LEAD}",
        named = named(n)
    )
}

/// Runs `sql_for(n)` for each chunk of `deals`, with the workspace and the chunk's ids bound.
async fn per_chunk<C, T>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
    sql_for: impl Fn(usize) -> String,
) -> AppResult<Vec<T>>
where
    C: ConnectionTrait,
    T: FromQueryResult,
{
    let mut rows = Vec::new();
    for chunk in deals.chunks(crate::store::sql::IDS_PER_STATEMENT) {
        let mut values: Vec<sea_orm::Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
        let sql = sql_for(chunk.len());
        rows.extend(
            T::find_by_statement(statement(tenant, &sql, values))
                .all(tenant.conn())
                .await?,
        );
    }
    Ok(rows)
}

/// The deals named.
pub async fn credited_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
) -> AppResult<Vec<CreditedDealRow>> {
    per_chunk(tenant, deals, |n| {
        format!(
            "SELECT d.id, d.amount, d.stage, d.created_at, d.closed_at, {LEAD} AS lead_id \
             FROM opportunities d WHERE {named}",
            named = named(n)
        )
    })
    .await
}

/// Every event and rep touch of the named deals' leads up to the creation of the lead's
/// latest deal (the domain keeps those up to each deal's creation). Each lead is read from the
/// `(workspace, contact, occurred_at)` indexes alone: they carry the columns read here
/// (migration 000027).
pub async fn touchpoints<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
) -> AppResult<Vec<TouchpointRow>> {
    let (no_id, zero, one) = if crate::store::sql::is_postgres(tenant) {
        (
            "CAST(NULL AS uuid)",
            "CAST(0 AS bigint)",
            "CAST(1 AS bigint)",
        )
    } else {
        ("NULL", "0", "1")
    };
    per_chunk(tenant, deals, |n| {
        let leads = leads(n);
        format!(
            "SELECT e.id, e.contact_id, e.occurred_at AS at, e.source_id, e.campaign_id, {zero} AS rep \
             FROM ({leads}) l JOIN events e ON e.workspace_id = $1 AND e.contact_id = l.lead_id \
               AND e.occurred_at <= l.until \
             UNION ALL \
             SELECT t.id, t.contact_id, t.occurred_at AS at, {no_id} AS source_id, \
               {no_id} AS campaign_id, {one} AS rep \
             FROM ({leads}) l JOIN touches t ON t.workspace_id = $1 AND t.contact_id = l.lead_id \
               AND t.occurred_at <= l.until"
        )
    })
    .await
}

/// Every move into MQL of the named deals' leads, up to the creation of the lead's latest
/// deal.
pub async fn mql_moves<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
) -> AppResult<Vec<MqlEntryRow>> {
    per_chunk(tenant, deals, |n| {
        format!(
            "SELECT s.contact_id, s.changed_at FROM ({leads}) l \
             JOIN stage_changes s ON s.workspace_id = $1 AND s.contact_id = l.lead_id \
               AND s.to_stage = 'MQL' AND s.changed_at <= l.until",
            leads = leads(n)
        )
    })
    .await
}

#[derive(FromQueryResult)]
struct TotalsRow {
    created: Option<f64>,
    pipeline: Option<f64>,
    won: Option<f64>,
    revenue: Option<f64>,
}

/// The deals created in `range` (count and amounts) and won in it: the report's total.
pub async fn totals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Credit> {
    let real = if crate::store::sql::is_postgres(tenant) {
        "double precision"
    } else {
        "REAL"
    };
    let created = "d.created_at >= $2 AND d.created_at < $3";
    let won = "d.stage = 'CLOSED_WON' AND d.closed_at >= $2 AND d.closed_at < $3";
    let sql = format!(
        "SELECT CAST(SUM(CASE WHEN {created} THEN 1 ELSE 0 END) AS {real}) AS created, \
           SUM(CASE WHEN {created} THEN d.amount ELSE 0 END) AS pipeline, \
           CAST(SUM(CASE WHEN {won} THEN 1 ELSE 0 END) AS {real}) AS won, \
           SUM(CASE WHEN {won} THEN d.amount ELSE 0 END) AS revenue \
         FROM opportunities d WHERE {DEALS}"
    );
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
    ];
    let row = TotalsRow::find_by_statement(statement(tenant, &sql, values))
        .one(tenant.conn())
        .await?;
    Ok(row.map_or_else(Credit::default, |r| Credit {
        opportunities: r.created.unwrap_or(0.0),
        pipeline: r.pipeline.unwrap_or(0.0),
        won: r.won.unwrap_or(0.0),
        revenue: r.revenue.unwrap_or(0.0),
        ..Credit::default()
    }))
}

/// Every source's kind (the catalog is small: sources are channels, not leads).
pub async fn source_kinds<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<(Uuid, entity::SourceKind)>> {
    Ok(tenant
        .select::<source::Entity>()
        .select_only()
        .columns([source::Column::Id, source::Column::Kind])
        .into_tuple()
        .all(tenant.conn())
        .await?)
}

/// Every campaign's source.
pub async fn campaign_sources<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
) -> AppResult<Vec<(Uuid, Option<Uuid>)>> {
    Ok(tenant
        .select::<campaign::Entity>()
        .select_only()
        .columns([campaign::Column::Id, campaign::Column::SourceId])
        .into_tuple()
        .all(tenant.conn())
        .await?)
}
