//! Each deal's attribution credit, kept (migration 000029): per deal and model, the share each
//! touchpoint key earned, with the deal's amount, creation and win copied so that a range's
//! credit is summed from two index ranges. A deal's lines exist exactly while its
//! `credits_due` flag is clear: whatever can change its credit (a write of the deal, history
//! of its lead arriving for a time before the deal's creation) deletes its lines and sets the
//! flag in the same transaction, and the job (`jobs::credits`) writes new lines and clears the
//! flag in one transaction too.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::deal_credit;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use super::{
    due_flags::DueRows,
    sql::{self, is_postgres, statement},
    Tenant,
};
use crate::{
    domain::metrics::{AttributionModel, Credit, KeyedCredit, Range, TouchOrigin},
    error::AppResult,
};

/// A model's name as the lines keep it.
pub fn model_name(model: AttributionModel) -> &'static str {
    match model {
        AttributionModel::FirstTouch => "FIRST_TOUCH",
        AttributionModel::LastTouch => "LAST_TOUCH",
        AttributionModel::Linear => "LINEAR",
        AttributionModel::WShaped => "W_SHAPED",
    }
}

/// Marks these deals' credit as due and deletes their lines.
pub async fn invalidate<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
) -> AppResult<()> {
    drop_lines(tenant, deals, true).await
}

/// Deletes these deals' lines and sets their flag to `due`. Every named deal is written, due
/// already or not: when an invalidation does it, the row lock keeps the job from crediting the
/// deal with history this transaction has not committed yet.
async fn drop_lines<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
    due: bool,
) -> AppResult<()> {
    let flag = if due { "TRUE" } else { "FALSE" };
    for chunk in deals.chunks(sql::IDS_PER_STATEMENT) {
        let mut values: Vec<Value> = vec![tenant.workspace_id().into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        let ids = sql::id_list(2, chunk.len());
        for sql in [
            format!("UPDATE opportunities SET credits_due = {flag} WHERE workspace_id = $1 AND id IN {ids}"),
            format!("DELETE FROM deal_credits WHERE workspace_id = $1 AND opportunity_id IN {ids}"),
        ] {
            tenant
                .conn()
                .execute_raw(statement(tenant, &sql, values.clone()))
                .await?;
        }
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct DealLeadRow {
    id: Uuid,
    lead_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

/// History of these leads arrived (`(lead, when it happened)`): the deals of a lead created at
/// or after something that happened to it now count it, so their credit is due again. One
/// read of the deals created since the earliest of it (none, when it happened now).
pub async fn history_arrived<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    history: impl IntoIterator<Item = (Uuid, DateTime<Utc>)>,
) -> AppResult<()> {
    let mut earliest: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for (lead, at) in history {
        let known = earliest.entry(lead).or_insert(at);
        *known = (*known).min(at);
    }
    let Some(since) = earliest.values().min().copied() else {
        return Ok(());
    };
    let sql = "SELECT id, COALESCE(lead_id, primary_contact_id) AS lead_id, created_at \
               FROM opportunities WHERE workspace_id = $1 AND created_at >= $2";
    let values = vec![tenant.workspace_id().into(), since.into()];
    let affected: Vec<Uuid> = DealLeadRow::find_by_statement(statement(tenant, sql, values))
        .all(tenant.conn())
        .await?
        .into_iter()
        .filter(|deal| {
            deal.lead_id
                .and_then(|lead| earliest.get(&lead))
                .is_some_and(|at| *at <= deal.created_at)
        })
        .map(|deal| deal.id)
        .collect();
    invalidate(tenant, &affected).await
}

/// The deals whose credit is due. An invalidation of one the job holds waits until its lines
/// are written.
pub const DUE: DueRows = DueRows {
    table: "opportunities",
    key: "id",
    due: "credits_due",
};

/// Writes the lines of these deals (computed from their history as it is now) and clears
/// their flag.
pub async fn keep<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    deals: &[Uuid],
    lines: Vec<deal_credit::ActiveModel>,
) -> AppResult<()> {
    drop_lines(tenant, deals, false).await?;
    sql::insert_all::<deal_credit::Entity, _>(tenant, &lines).await
}

/// What a range's kept lines add up to, and the deals of the range whose lines are not kept
/// (to be credited from their history), read in one statement so that the two agree: a deal is
/// in exactly one of them.
pub struct Kept {
    pub keyed: Vec<KeyedCredit>,
    pub due: Vec<Uuid>,
}

#[derive(FromQueryResult)]
struct KeptRow {
    part: i64,
    sales: Option<bool>,
    source_id: Option<Uuid>,
    campaign_id: Option<Uuid>,
    deals: Option<f64>,
    amount: Option<f64>,
    deal_id: Option<Uuid>,
}

/// The kept lines of `model` of the deals created in `range` (part 0) and won in it (part 1),
/// summed per touchpoint key, and the due deals of the range (part 2).
pub async fn kept<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: &Range,
    model: AttributionModel,
) -> AppResult<Kept> {
    let (no_bool, no_id, no_real) = if is_postgres(tenant) {
        (
            "CAST(NULL AS boolean)",
            "CAST(NULL AS uuid)",
            "CAST(NULL AS double precision)",
        )
    } else {
        ("NULL", "NULL", "NULL")
    };
    let summed = |part: u8, at: &str| {
        format!(
            "SELECT CAST({part} AS BIGINT) AS part, c.sales, c.source_id, c.campaign_id, \
               SUM(c.share) AS deals, SUM(c.share * c.amount) AS amount, {no_id} AS deal_id \
             FROM deal_credits c WHERE c.workspace_id = $1 AND c.model = $4 \
               AND c.{at} >= $2 AND c.{at} < $3 \
             GROUP BY c.sales, c.source_id, c.campaign_id"
        )
    };
    let sql = format!(
        "{created} UNION ALL {won} UNION ALL \
         SELECT CAST(2 AS BIGINT), {no_bool}, {no_id}, {no_id}, {no_real}, {no_real}, d.id \
         FROM opportunities d WHERE d.workspace_id = $1 AND d.credits_due \
           AND ((d.created_at >= $2 AND d.created_at < $3) \
             OR (d.stage = 'CLOSED_WON' AND d.closed_at >= $2 AND d.closed_at < $3))",
        created = summed(0, "created_at"),
        won = summed(1, "won_at"),
    );
    let values = vec![
        tenant.workspace_id().into(),
        range.from.into(),
        range.to.into(),
        model_name(model).into(),
    ];
    let rows = KeptRow::find_by_statement(statement(tenant, &sql, values))
        .all(tenant.conn())
        .await?;
    let mut kept = Kept {
        keyed: Vec::new(),
        due: Vec::new(),
    };
    for row in rows {
        if row.part == 2 {
            kept.due.extend(row.deal_id);
            continue;
        }
        let (deals, amount) = (row.deals.unwrap_or(0.0), row.amount.unwrap_or(0.0));
        let credit = if row.part == 0 {
            Credit {
                opportunities: deals,
                pipeline: amount,
                ..Credit::default()
            }
        } else {
            Credit {
                won: deals,
                revenue: amount,
                ..Credit::default()
            }
        };
        kept.keyed.push(KeyedCredit {
            origin: if row.sales == Some(true) {
                TouchOrigin::Sales
            } else {
                TouchOrigin::Event
            },
            source_id: row.source_id,
            campaign_id: row.campaign_id,
            credit,
        });
    }
    Ok(kept)
}
