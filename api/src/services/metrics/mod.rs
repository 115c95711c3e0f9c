//! Dashboards' numbers, computed from what happened (the stage history with its maintained
//! stay ends, deals, SLA clocks, rejections, spend), never from counters. Each report loads the
//! facts of its own range through indexes, then the pure domain computes.

mod alignment;
mod deals;
mod facts;
mod funnel;
mod medians;
mod planning;
pub mod rollups;
mod sales;

use chrono::{DateTime, Utc};
use entity::LeadStage;
use sea_orm::ConnectionTrait;

pub use alignment::alignment_of;
pub use facts::{load_facts, Report};
pub use funnel::funnel_of;
pub(crate) use medians::lower_median_stays;
pub use planning::{goal_progress, waterfall_of, WaterfallRequest};

use crate::{
    domain::metrics::{
        metrics, CoverageTarget, GroupBy, MetricsQuery, MetricsReport, Range, Stage,
    },
    error::AppResult,
    store::Tenant,
};

/// Lookups by id go in chunks well under both databases' limits on bound values.
pub(crate) const CHUNK: usize = 5_000;

/// A statement written with Postgres' numbered placeholders (`$1` is `values[0]`; a number may
/// recur), for the backend of `tenant`'s connection: SQLite gets a `?` and a value for each
/// occurrence, in order.
pub(crate) fn statement<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = tenant.conn().get_database_backend();
    if backend == sea_orm::DbBackend::Postgres {
        return sea_orm::Statement::from_sql_and_values(backend, sql, values);
    }
    let mut positional = String::with_capacity(sql.len());
    let mut ordered = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        positional.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - at - 1);
        let n: usize = rest[at + 1..at + 1 + digits]
            .parse()
            .expect("placeholders are $ and a number");
        ordered.push(values[n - 1].clone());
        positional.push('?');
        rest = &rest[at + 1 + digits..];
    }
    positional.push_str(rest);
    sea_orm::Statement::from_sql_and_values(backend, positional, ordered)
}

pub fn stage_of(stage: LeadStage) -> Stage {
    match stage {
        LeadStage::Lead => Stage::Lead,
        LeadStage::Mql => Stage::Mql,
        LeadStage::Sal => Stage::Sal,
        LeadStage::Sql => Stage::Sql,
        LeadStage::Opportunity => Stage::Opportunity,
        LeadStage::Customer => Stage::Customer,
        LeadStage::Nurture => Stage::Nurture,
        LeadStage::Disqualified => Stage::Disqualified,
    }
}

pub fn lead_stage_of(stage: Stage) -> LeadStage {
    match stage {
        Stage::Lead => LeadStage::Lead,
        Stage::Mql => LeadStage::Mql,
        Stage::Sal => LeadStage::Sal,
        Stage::Sql => LeadStage::Sql,
        Stage::Opportunity => LeadStage::Opportunity,
        Stage::Customer => LeadStage::Customer,
        Stage::Nurture => LeadStage::Nurture,
        Stage::Disqualified => LeadStage::Disqualified,
    }
}

/// The shared metrics of `range`, in total and per group.
pub async fn metrics_of<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    range: Range,
    group_by: Option<GroupBy>,
    coverage: Option<CoverageTarget>,
    as_of: DateTime<Utc>,
) -> AppResult<MetricsReport> {
    range.validate("range")?;
    let facts = load_facts(tenant, &range, as_of, group_by, Report::Shared).await?;
    Ok(metrics(
        &facts,
        &MetricsQuery {
            range,
            group_by,
            as_of,
            coverage,
        },
    )?)
}
