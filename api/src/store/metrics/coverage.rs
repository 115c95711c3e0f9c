//! The reads behind `marketCoverage`: the accounts counted per value of one column in one
//! statement, and the ICP-fit contacts at ICP-fit accounts counted by what they did in another.
//! What an account or contact did is read from the facts the history's writes keep
//! (`store::market_facts`, migration 000026), not from the history: an account's latest event,
//! a contact's latest event and the furthest stage its stays reached. Each account's suspects
//! are kept counted on it (`store::account_suspects`, migration 000030) and summed with the
//! accounts; an account whose counts are due has its contacts counted from their index by
//! account, which holds those facts.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{
    domain::metrics::CoverageGroup,
    error::AppResult,
    store::{
        account_suspects::{INQUIRED, KEPT, SUSPECT},
        sql::statement,
        Tenant,
    },
};

#[derive(FromQueryResult)]
pub struct CoverageCountRow {
    pub group_value: Option<String>,
    pub accounts: i64,
    pub icp_fit: i64,
    pub engaged: i64,
    pub owned: i64,
    pub in_pipeline: i64,
    pub customers: i64,
    /// The kept counts of the group's ICP-fit accounts counted at the minimum fit (see
    /// `store::account_suspects::KEPT`).
    pub suspects: i64,
    pub inquiries: i64,
    pub mqls: i64,
    pub sals: i64,
    pub sqls: i64,
}

#[derive(FromQueryResult)]
pub struct SuspectCountRow {
    pub inquired: i64,
    pub reached: i64,
    pub suspects: i64,
}

/// An account (`a`) fits the ICP: the rule of `domain::scoring::matches_icp`, `$2` the minimum.
const FIT: &str = "a.fit_score > 0 AND a.fit_score >= $2";

/// The accounts counted per value of `group`'s column (the country for REGION): all, ICP-fit,
/// and of those engaged (an event since `since`; one stamped ahead of now counts too), owned,
/// with an open deal, customers.
pub async fn coverage_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    group: CoverageGroup,
    min_fit: i32,
    since: DateTime<Utc>,
) -> AppResult<Vec<CoverageCountRow>> {
    let column = match group {
        CoverageGroup::Segment => "a.segment",
        CoverageGroup::Region => "a.country",
        CoverageGroup::Industry => "a.industry",
    };
    // The open deals' accounts, read once (not probed per account) from their partial index
    // (migration 000030), whose condition this one repeats word for word.
    let open_deal = "a.id IN (SELECT d.account_id FROM opportunities d \
        WHERE d.workspace_id = $1 AND d.account_id IS NOT NULL \
          AND d.stage NOT IN ('CLOSED_WON', 'CLOSED_LOST'))";
    let flag = |condition: &str| format!("CASE WHEN {FIT} AND {condition} THEN 1 ELSE 0 END");
    let sql = format!(
        "SELECT group_value, CAST(COUNT(*) AS BIGINT) AS accounts, CAST(SUM(fit) AS BIGINT) AS icp_fit, \
           CAST(SUM(engaged) AS BIGINT) AS engaged, CAST(SUM(owned) AS BIGINT) AS owned, \
           CAST(SUM(in_pipeline) AS BIGINT) AS in_pipeline, \
           CAST(SUM(customer) AS BIGINT) AS customers, {kept_sums} \
         FROM (SELECT {column} AS group_value, \
             CASE WHEN {FIT} THEN 1 ELSE 0 END AS fit, \
             {engaged} AS engaged, {owned} AS owned, {in_pipeline} AS in_pipeline, \
             {customer} AS customer, {kept} \
           FROM accounts a WHERE a.workspace_id = $1) counted \
         GROUP BY group_value",
        kept_sums = KEPT
            .map(|(_, name)| format!("CAST(SUM({name}) AS BIGINT) AS {name}"))
            .join(", "),
        kept = KEPT
            .map(|(column, name)| format!(
                "CASE WHEN {FIT} AND a.suspects_fit = $2 THEN a.{column} ELSE 0 END AS {name}"
            ))
            .join(", "),
        engaged = flag("a.last_event_at >= $3"),
        owned = flag("a.owner_id IS NOT NULL"),
        in_pipeline = flag(open_deal),
        customer = flag("a.lifecycle = 'CUSTOMER'"),
    );
    let values = vec![tenant.workspace_id().into(), min_fit.into(), since.into()];
    Ok(
        CoverageCountRow::find_by_statement(statement(tenant, &sql, values))
            .all(tenant.conn())
            .await?,
    )
}

/// The ICP-fit contacts at the ICP-fit accounts whose kept counts are not of `min_fit` (due:
/// not counted yet, or changed since), counted by whether they have an event and the furthest
/// stage on the funnel's path their history reached (0 none, 1 MQL .. 5 CUSTOMER). The
/// accounts are found through the index by `suspects_fit` (none, once the job has run).
pub async fn due_suspect_counts<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    min_fit: i32,
) -> AppResult<Vec<SuspectCountRow>> {
    let sql = format!(
        "SELECT inquired, reached, CAST(COUNT(*) AS BIGINT) AS suspects FROM ( \
           SELECT CAST({INQUIRED} AS BIGINT) AS inquired, CAST(c.funnel_reach AS BIGINT) AS reached \
           FROM accounts a JOIN contacts c \
             ON c.workspace_id = a.workspace_id AND c.account_id = a.id \
           WHERE a.workspace_id = $1 \
             AND (a.suspects_fit IS NULL OR a.suspects_fit < $2 OR a.suspects_fit > $2) \
             AND {FIT} AND {SUSPECT}) people \
         GROUP BY inquired, reached"
    );
    let values = vec![tenant.workspace_id().into(), min_fit.into()];
    Ok(
        SuspectCountRow::find_by_statement(statement(tenant, &sql, values))
            .all(tenant.conn())
            .await?,
    )
}
