//! The reads behind `attribution`: the deals of a range, and their leads' touchpoints and moves
//! into MQL, each in one statement whose leads are the deals' (a grouped subquery, never a row
//! at a time, that also bounds each lead's rows by the creation of its latest deal: nothing
//! later counts); and the catalog the groups are keyed by.

use chrono::{DateTime, Utc};
use entity::{campaign, source, OpportunityStage};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult, QuerySelect};
use uuid::Uuid;

use crate::{
    domain::metrics::Range,
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

/// The deals' leads, each with the creation of its latest deal of the range (`until`): what
/// the lead did after it counts for none of them, so it is not read.
fn leads() -> String {
    format!(
        "SELECT {LEAD} AS lead_id, MAX(d.created_at) AS until FROM opportunities d \
         WHERE {DEALS} AND {LEAD} IS NOT NULL GROUP BY {LEAD}"
    )
}

fn values<C: ConnectionTrait>(tenant: &Tenant<'_, C>, range: &Range) -> Vec<sea_orm::Value> {
    vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
    ]
}

/// The deals created or won in `range`.
pub async fn credited_deals<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<CreditedDealRow>> {
    let sql = format!(
        "SELECT d.amount, d.stage, d.created_at, d.closed_at, {LEAD} AS lead_id \
         FROM opportunities d WHERE {DEALS}"
    );
    Ok(
        CreditedDealRow::find_by_statement(statement(tenant, &sql, values(tenant, range)))
            .all(tenant.conn())
            .await?,
    )
}

/// Every event and rep touch of the leads of the deals of `range` up to the creation of the
/// lead's latest deal (the domain keeps those up to each deal's creation). Each lead is read
/// from the `(workspace, contact, occurred_at)` indexes alone: they carry the columns read here
/// (migration 000027).
pub async fn touchpoints<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
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
    let leads = leads();
    let sql = format!(
        "SELECT e.id, e.contact_id, e.occurred_at AS at, e.source_id, e.campaign_id, {zero} AS rep \
         FROM ({leads}) l JOIN events e ON e.workspace_id = $1 AND e.contact_id = l.lead_id \
           AND e.occurred_at <= l.until \
         UNION ALL \
         SELECT t.id, t.contact_id, t.occurred_at AS at, {no_id} AS source_id, \
           {no_id} AS campaign_id, {one} AS rep \
         FROM ({leads}) l JOIN touches t ON t.workspace_id = $1 AND t.contact_id = l.lead_id \
           AND t.occurred_at <= l.until"
    );
    Ok(
        TouchpointRow::find_by_statement(statement(tenant, &sql, values(tenant, range)))
            .all(tenant.conn())
            .await?,
    )
}

/// Every move into MQL of the leads of the deals of `range`, up to the creation of the lead's
/// latest deal.
pub async fn mql_moves<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
) -> AppResult<Vec<MqlEntryRow>> {
    let sql = format!(
        "SELECT s.contact_id, s.changed_at FROM ({leads}) l \
         JOIN stage_changes s ON s.workspace_id = $1 AND s.contact_id = l.lead_id \
           AND s.to_stage = 'MQL' AND s.changed_at <= l.until",
        leads = leads()
    );
    Ok(
        MqlEntryRow::find_by_statement(statement(tenant, &sql, values(tenant, range)))
            .all(tenant.conn())
            .await?,
    )
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
