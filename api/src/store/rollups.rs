//! The daily rollups' rows (migration 000009): counted facts per day, dimension and key.

use chrono::NaiveDate;
use entity::metric_rollup;
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};

use super::Tenant;
use crate::error::AppResult;

/// Adds one to each row's counter, creating the rows that do not exist yet (one statement).
pub async fn add<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    rows: Vec<metric_rollup::ActiveModel>,
) -> AppResult<()> {
    use metric_rollup::Column as R;
    metric_rollup::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                R::WorkspaceId,
                R::Dimension,
                R::Fact,
                R::Day,
                R::Detail,
                R::KeyId,
                R::KeyText,
            ])
            .value(
                R::N,
                Expr::col((metric_rollup::Entity, R::N))
                    .add(Expr::col((Alias::new("excluded"), R::N))),
            )
            .to_owned(),
        )
        .exec_without_returning(tenant.conn())
        .await?;
    Ok(())
}

/// The rows of `dimension` for these facts on the days of `runs` (half-open runs of days).
pub async fn on_days<C: ConnectionTrait>(
    tenant: &Tenant<'_, C>,
    dimension: &str,
    facts: &[&str],
    runs: &[(NaiveDate, NaiveDate)],
) -> AppResult<Vec<metric_rollup::Model>> {
    use metric_rollup::Column as R;
    let mut days = Condition::any();
    for (first, after) in runs {
        days = days.add(R::Day.gte(*first).and(R::Day.lt(*after)));
    }
    Ok(tenant
        .select::<metric_rollup::Entity>()
        .filter(R::Dimension.eq(dimension))
        .filter(R::Fact.is_in(facts.iter().copied()))
        .filter(days)
        .all(tenant.conn())
        .await?)
}

/// Recounts every workspace's rollups from the history, replacing them, stamps first-touch
/// clocks with their first touch, and sets the facts `marketCoverage` counts from (each lead's
/// latest event and furthest stage, each account's latest event): run it in one unit of work.
pub async fn rebuild<C: ConnectionTrait>(global: &super::Global<'_, C>) -> AppResult<()> {
    let conn = global.conn();
    conn.execute_unprepared(migration::STAMP_FIRST_TOUCHES)
        .await?;
    for sql in migration::backfill_metric_rollups(conn.get_database_backend()) {
        conn.execute_unprepared(&sql).await?;
    }
    for sql in migration::backfill_market_facts() {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}
